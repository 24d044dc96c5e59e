"""The studio's show form: every field of the API's ShowFields round-trips from the form to
the row and into the feed, repeating entries as lists of rows, errors on the right row,
the admin-only fields, and the abuse cases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from lxml import etree

from publisher.extensions import db
from publisher.feeds import podcast
from publisher.models import Show, utcnow
from tests.support.feeds import NS
from tests.support.show_forms import form_fields
from tests.support.studio import post


@pytest.fixture
def app_config():
    return {"FEED_RECHECK_SECONDS": 0}


FULL = {
    "title": "Harbour Talks",
    "slug": "harbour",
    "description": "<p>Boats and the people on them.</p>",
    "status": "published",
    "language": "pt-PT",
    "show_type": "serial",
    "explicit": "y",
    "link": "https://harbour.example/",
    "author": "Ann Author",
    "owner_name": "Otto Owner",
    "owner_email": "otto@example.com",
    "persons-0-name": "Ann Host",
    "persons-0-role": "host",
    "persons-0-group": "",
    "persons-0-href": "https://ann.example/",
    "persons-0-img": "https://ann.example/ann.jpg",
    "persons-1-name": "",  # a blank row is left out
    "persons-2-name": "Pat Producer",
    "persons-2-role": "producer",
    "persons-2-group": "creative direction",
    "categories-0-category": "News",
    "categories-0-subcategory": "Daily News",
    "categories-1-category": "Leisure",
    "categories-1-subcategory": "Hobbies",
    "categories-2-category": "",
    "medium": "podcast",
    "copyright": "© 2026 Harbour",
    "license": "harbour-licence",
    "license_url": "https://harbour.example/licence",
    "funding-0-url": "https://support.example/harbour",
    "funding-0-text": "Support us",
    "funding-1-url": "https://other.example/tip",
    "funding-1-text": "Tip jar",
    "location": "Lisbon",
    "location_geo": "geo:38.72,-9.14",
    "location_osm": "r5400890",
    "location_rel": "subject",
    "location_country": "pt",
    "update_frequency": "Every Monday",
    "update_frequency_rrule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
    "update_frequency_dtstart": "2026-06-01T09:30",
    "txt-0-text": "apple-verify-123",
    "txt-0-purpose": "applepodcastsverify",
    "complete": "y",
    "block": "y",
    "locked": "y",
    "new_feed_url": "https://new.example/feed.xml",
}


def _show(app, slug: str) -> Show:
    with app.app_context():
        show = db.session.scalar(db.select(Show).where(Show.slug == slug))
        assert show is not None
        db.session.expunge(show)
        return show


def _feed(app, slug: str) -> etree._Element:
    """The feed as rendered now (a moved show's feed.xml answers 301 to its new address)."""
    with app.app_context():
        show = db.session.scalar(db.select(Show).where(Show.slug == slug))
        now = utcnow()
        body = podcast.render_show_feed(show, podcast.show_feed_state(slug, now), now, None)
    return etree.fromstring(body).find("channel")


def test_every_field_goes_from_the_form_to_the_row_and_the_feed(app, producers, factory):
    admin = factory.user(role="admin", timezone="Europe/Lisbon")  # UTC+1 in June
    client = producers.client(admin)
    response = post(client, "/studio/shows/new", FULL)
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    show = _show(app, "harbour")
    assert (show.title, show.language, show.show_type, show.explicit, show.link) == (
        "Harbour Talks",
        "pt-PT",
        "serial",
        True,
        "https://harbour.example/",
    )
    assert (show.author, show.owner_name, show.owner_email) == (
        "Ann Author",
        "Otto Owner",
        "otto@example.com",
    )
    assert show.hosts == [
        {
            "name": "Ann Host",
            "role": "host",
            "group": "cast",
            "href": "https://ann.example/",
            "img": "https://ann.example/ann.jpg",
        },
        {"name": "Pat Producer", "role": "producer", "group": "creative direction"},
    ]
    assert (show.category, show.subcategory) == ("News", "Daily News")
    assert show.extra_categories == [{"category": "Leisure", "subcategory": "Hobbies"}]
    assert (show.funding_url, show.funding_text) == (
        "https://support.example/harbour",
        "Support us",
    )
    assert show.extra_funding == [{"url": "https://other.example/tip", "text": "Tip jar"}]
    assert (show.license, show.license_url, show.copyright) == (
        "harbour-licence",
        "https://harbour.example/licence",
        "© 2026 Harbour",
    )
    assert (
        show.location,
        show.location_geo,
        show.location_osm,
        show.location_rel,
        show.location_country,
    ) == ("Lisbon", "geo:38.72,-9.14", "R5400890", "subject", "PT")
    assert (show.update_frequency, show.update_frequency_rrule) == (
        "Every Monday",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
    )
    assert show.update_frequency_dtstart == datetime(2026, 6, 1, 8, 30, tzinfo=UTC)
    assert show.txt == [{"text": "apple-verify-123", "purpose": "applepodcastsverify"}]
    assert (show.complete, show.block, show.locked, show.new_feed_url) == (
        True, True, True, "https://new.example/feed.xml")  # fmt: skip

    channel = _feed(app, "harbour")
    itunes, podcast = NS["itunes"], NS["podcast"]
    categories = channel.findall(f"{{{itunes}}}category")
    assert [(c.get("text"), c.find(f"{{{itunes}}}category").get("text")) for c in categories] == [
        ("News", "Daily News"),
        ("Leisure", "Hobbies"),
    ]
    persons = channel.findall(f"{{{podcast}}}person")
    assert [(p.text, p.get("role"), p.get("group")) for p in persons] == [
        ("Ann Host", "host", "cast"),
        ("Pat Producer", "producer", "creative direction"),
    ]
    assert persons[0].get("href") == "https://ann.example/"
    assert [(f.get("url"), f.text) for f in channel.findall(f"{{{podcast}}}funding")] == [
        ("https://support.example/harbour", "Support us"),
        ("https://other.example/tip", "Tip jar"),
    ]
    location = channel.find(f"{{{podcast}}}location")
    assert (location.text, location.get("geo"), location.get("osm")) == (
        "Lisbon",
        "geo:38.72,-9.14",
        "R5400890",
    )
    frequency = channel.find(f"{{{podcast}}}updateFrequency")
    assert frequency.text == "Every Monday"
    assert frequency.get("rrule") == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"
    assert frequency.get("dtstart") == "2026-06-01T08:30:00.000Z"
    assert channel.find(f"{{{podcast}}}txt").get("purpose") == "applepodcastsverify"
    licence = channel.find(f"{{{podcast}}}license")
    assert (licence.text, licence.get("url")) == (
        "harbour-licence",
        "https://harbour.example/licence",
    )
    assert channel.findtext(f"{{{itunes}}}block") == "Yes"
    assert channel.findtext(f"{{{podcast}}}block") == "yes"
    assert channel.findtext(f"{{{podcast}}}locked") == "yes"
    assert channel.findtext(f"{{{itunes}}}new-feed-url") == "https://new.example/feed.xml"
    assert channel.findtext(f"{{{itunes}}}complete") == "Yes"

    # Back into the form: submitting the edit page unchanged changes nothing.
    page = client.get("/studio/shows/harbour/edit").get_data(as_text=True)
    for value in ("Pat Producer", "Tip jar", "apple-verify-123", "2026-06-01T09:30", "R5400890"):
        assert value in page
    before = _show(app, "harbour")
    assert client.post("/studio/shows/harbour/edit", data=form_fields(page)).status_code == 302
    after = _show(app, "harbour")
    for name in (
        "hosts",
        "category",
        "subcategory",
        "extra_categories",
        "funding_url",
        "extra_funding",
        "txt",
        "update_frequency_dtstart",
        "location_osm",
        "locked",
        "block",
        "new_feed_url",
        "owner_email",
        "license_url",
        "explicit",
    ):
        assert getattr(after, name) == getattr(before, name), name


def _minimal(**extra) -> dict:
    return {"title": "Small", "status": "published", "language": "en",
            "show_type": "episodic", "medium": "podcast", **extra}  # fmt: skip


def test_rows_can_be_added_emptied_and_removed(app, producers, factory):
    show = factory.show(slug="rows", hosts=[{"name": "Old Host", "role": "host", "group": "cast"}])
    _editor, client = producers.editor(show)
    page = client.get("/studio/shows/rows/edit").get_data(as_text=True)
    assert 'value="Old Host"' in page
    # Without JavaScript: the stored row plus two empty ones, three category rows.
    assert 'name="persons-2-name"' in page and 'name="persons-3-name"' not in page
    assert 'name="categories-2-category"' in page and 'name="txt-0-text"' in page
    data = form_fields(page)
    data.update({"persons-0-name": "", "persons-2-name": "New Host",
                 "categories-0-category": "", "categories-0-subcategory": "",
                 "funding-1-url": "https://tip.example/"})  # fmt: skip
    assert client.post("/studio/shows/rows/edit", data=data).status_code == 302
    saved = _show(app, "rows")
    assert saved.hosts == [{"name": "New Host", "role": "host", "group": "cast"}]
    assert (saved.category, saved.subcategory, saved.extra_categories) == ("", "", [])
    assert (saved.funding_url, saved.funding_text) == ("https://tip.example/", "")


def test_an_operation_error_lands_on_the_row_and_field_it_names(app, producers, factory):
    show = factory.show(slug="errs", title="Before")
    _editor, client = producers.editor(show)
    data = _minimal(**{
        "title": "After",
        "persons-0-name": "Fine Person",
        "persons-1-name": "",  # blank rows are not counted: the bad one is sent second
        "persons-2-name": "Bad Href",
        "persons-2-href": "ftp://nope.example/",
        "categories-0-category": "News",
        "categories-1-category": "Leisure",
        "categories-1-subcategory": "Daily News",
    })  # fmt: skip
    response = post(client, "/studio/shows/errs/edit", data)
    assert response.status_code == 422
    page = lxml_page(response)
    href_error = page.get_element_by_id("persons-2-href-error").text_content()
    assert "http" in href_error
    assert page.get_element_by_id("persons-2-href").get("aria-invalid") == "true"
    assert _show(app, "errs").title == "Before"  # nothing half-written
    # The submitted values are kept on the page.
    assert page.get_element_by_id("persons-2-name").get("value") == "Bad Href"

    data["persons-2-href"] = "https://fine.example/"
    response = post(client, "/studio/shows/errs/edit", data)
    assert response.status_code == 422
    page = lxml_page(response)
    rows = page.find_class("list-row")
    category_rows = [
        row
        for row in rows
        if row.find(".//select[@name]") is not None
        and row.find(".//select[@name]").get("name").startswith("categories-")
    ]
    assert "not a subcategory" in category_rows[1].text_content()
    assert "not a subcategory" not in category_rows[0].text_content()
    assert _show(app, "errs").title == "Before"


def lxml_page(response):
    import lxml.html

    return lxml.html.fromstring(response.get_data(as_text=True))


def test_a_person_with_an_unknown_role_is_refused_on_its_row(producers, factory):
    show = factory.show(slug="roles")
    _editor, client = producers.editor(show)
    data = _minimal(**{"persons-0-name": "Someone", "persons-0-role": "wizard"})
    response = post(client, "/studio/shows/roles/edit", data)
    assert response.status_code == 400  # not one of the offered roles
    assert "Not a valid choice" in response.get_data(as_text=True)
    data = _minimal(**{"persons-0-name": "Someone", "persons-0-role": "host",
                       "persons-0-group": "writing"})  # fmt: skip
    response = post(client, "/studio/shows/roles/edit", data)
    assert response.status_code == 422
    assert "not in the group" in lxml_page(response).find_class("list-row")[0].text_content()


def test_too_many_rows_are_refused_with_the_limit_and_the_rest_never_read(app, producers, factory):
    show = factory.show(slug="many", title="Before")
    _editor, client = producers.editor(show)
    data = _minimal(title="After")
    for index in range(500):
        data[f"funding-{index}-url"] = f"https://f{index}.example/"
    response = post(client, "/studio/shows/many/edit", data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Give at most 10 entries; remove the others." in page
    assert 'name="funding-11-url"' not in page  # one beyond the limit is read, no more
    assert _show(app, "many").title == "Before"


def test_huge_or_hostile_values_are_refused_and_nothing_is_lost(app, producers, factory):
    show = factory.show(slug="huge", title="Before")
    _editor, client = producers.editor(show)
    for extra in ({"title": "x" * 301}, {"persons-0-name": "y" * 200},
                  {"title": "Bell\x07"}, {"location_geo": "geo:999,999"}):  # fmt: skip
        response = post(client, "/studio/shows/huge/edit", _minimal(**extra))
        assert 400 <= response.status_code < 500, extra
        assert "Please correct" in response.get_data(as_text=True) or "field-invalid" in (
            response.get_data(as_text=True)
        )
    assert _show(app, "huge").title == "Before"


def test_a_post_without_csrf_token_changes_nothing(app, producers, factory):
    show = factory.show(slug="csrf", title="Before")
    _editor, client = producers.editor(show)
    response = client.post("/studio/shows/csrf/edit", data=_minimal(title="After"))
    assert response.status_code == 400
    assert _show(app, "csrf").title == "Before"
    assert client.post("/studio/shows/new", data=_minimal(title="New")).status_code == 400


def test_an_outsider_cannot_open_or_change_a_show(app, producers, factory):
    factory.show(slug="theirs", title="Before")
    _editor, client = producers.editor()
    assert client.get("/studio/shows/theirs/edit").status_code == 403
    assert post(client, "/studio/shows/theirs/edit", _minimal(title="Mine")).status_code == 403
    assert client.get("/studio/shows/theirs/checks").status_code == 403
    assert post(client, "/studio/shows/theirs/artwork/remove").status_code == 403
    assert _show(app, "theirs").title == "Before"


def test_admin_only_fields_are_read_only_for_an_editor(app, producers, factory):
    show = factory.show(slug="guarded", owner_email="owner@example.com", locked=True,
                        new_feed_url="")  # fmt: skip
    _editor, client = producers.editor(show)
    page = client.get("/studio/shows/guarded/edit").get_data(as_text=True)
    for name in ("owner_email", "locked", "new_feed_url"):
        assert f'name="{name}"' not in page
    assert "owner@example.com" in page and "Only an admin can change this" in page
    # The page as it is saves (the fields stay as they are).
    data = form_fields(page)
    data["title"] = "Renamed"
    assert client.post("/studio/shows/guarded/edit", data=data).status_code == 302
    saved = _show(app, "guarded")
    assert (saved.title, saved.owner_email, saved.locked) == ("Renamed", "owner@example.com", True)
    # A crafted submission changing them is refused on the field, and nothing is saved.
    for name, value in (("owner_email", "thief@example.com"), ("new_feed_url",
                        "https://elsewhere.example/feed.xml"), ("locked", "false")):  # fmt: skip
        crafted = {**data, "title": "Stolen", name: value}
        response = client.post("/studio/shows/guarded/edit", data=crafted)
        assert response.status_code == 403, name
        assert "Only an admin can change this." in response.get_data(as_text=True)
        assert "thief@example.com" not in response.get_data(as_text=True)  # the show's value
    saved = _show(app, "guarded")
    assert (saved.title, saved.owner_email, saved.locked, saved.new_feed_url) == (
        "Renamed", "owner@example.com", True, "")  # fmt: skip
    # Sending the same value is no change: allowed.
    same = {**data, "owner_email": "owner@example.com", "title": "Same"}
    assert client.post("/studio/shows/guarded/edit", data=same).status_code == 302


def test_an_admin_changes_the_admin_only_fields(app, producers, factory):
    show = factory.show(slug="admins", owner_email="owner@example.com")
    _admin, client = producers.admin()
    page = client.get("/studio/shows/admins/edit").get_data(as_text=True)
    data = form_fields(page)
    data.update(owner_email="new@example.com", locked="y", new_feed_url="")
    assert client.post("/studio/shows/admins/edit", data=data).status_code == 302
    saved = _show(app, "admins")
    assert (saved.owner_email, saved.locked) == ("new@example.com", True)
    assert show.id == saved.id


def test_an_editor_creating_a_show_sets_every_field(app, producers):
    _editor, client = producers.editor()
    data = _minimal(slug="mine", owner_email="me@example.com", locked="y")
    assert post(client, "/studio/shows/new", data).status_code == 302
    saved = _show(app, "mine")
    assert (saved.owner_email, saved.locked) == ("me@example.com", True)


def test_the_rule_start_keeps_its_seconds_unless_changed_and_can_be_cleared(
    app, producers, factory
):
    start = datetime(2026, 6, 1, 8, 30, 15, tzinfo=UTC)
    show = factory.show(slug="rule", update_frequency_rrule="FREQ=WEEKLY",
                        update_frequency_dtstart=start)  # fmt: skip
    _editor, client = producers.editor(show)  # in UTC
    page = client.get("/studio/shows/rule/edit").get_data(as_text=True)
    data = form_fields(page)
    assert data["update_frequency_dtstart"] == "2026-06-01T08:30"
    assert client.post("/studio/shows/rule/edit", data=data).status_code == 302
    assert _show(app, "rule").update_frequency_dtstart == start  # unchanged, seconds kept
    data["update_frequency_dtstart"] = "2026-06-02T10:00"
    assert client.post("/studio/shows/rule/edit", data=data).status_code == 302
    assert _show(app, "rule").update_frequency_dtstart == datetime(2026, 6, 2, 10, tzinfo=UTC)
    data["update_frequency_dtstart"] = ""
    assert client.post("/studio/shows/rule/edit", data=data).status_code == 302
    assert _show(app, "rule").update_frequency_dtstart is None
