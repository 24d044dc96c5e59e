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
