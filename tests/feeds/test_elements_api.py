"""Every element settable through the API is validated: bad values are a 422 naming the
field, and the feed writes good ones as the specifications ask."""

from __future__ import annotations

import pytest

from tests.support.api import error_fields
from tests.support.feeds import NS, get_feed


@pytest.fixture
def app_config():
    return {"FEED_RECHECK_SECONDS": 0}


def patch_show(api, slug: str, **fields):
    return api.patch(f"/api/v1/shows/{slug}", json=fields)


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"location_geo": "38.7,-9.1"}, "location_geo", "geo URI"),
        ({"location_geo": "geo:98.1,-9.1"}, "location_geo", "Latitude"),
        ({"location_osm": "X123"}, "location_osm", "OpenStreetMap"),
        ({"location_country": "Portugal"}, "location_country", "ISO 3166-1"),
        ({"location_rel": "owner"}, "location_rel", "Use one of"),
        ({"categories": [{"category": "News"}] * 2}, "categories.1", "twice"),
        ({"categories": [{"category": "Nope"}]}, "categories.0", "not an Apple Podcasts"),
        ({"categories": [{"category": "News", "subcategory": "Golf"}]}, "categories.0",
         "not a subcategory"),
        ({"categories": [{"category": c} for c in ("News", "Arts", "Music", "History")]},
         "categories", "at most 3"),
        ({"categories": []}, "categories", "at least one"),
        ({"persons": [{"name": "Ada", "role": "wizard"}]}, "persons.0", "Taxonomy"),
        ({"persons": [{"name": "Ada", "role": "guest", "group": "writing"}]}, "persons.0",
         "not in the group"),
        ({"funding": [{"url": "ftp://x"}]}, "funding.0.url", "URL"),
        ({"txt": [{"text": "x" * 4001}]}, "txt.0.text", "4000"),
        ({"update_frequency_rrule": "EVERY MONDAY"}, "update_frequency_rrule", "not valid"),
        ({"update_frequency_rrule": "FREQ=DAILY;COUNT=10"}, "update_frequency_dtstart",
         "give update_frequency_dtstart"),
        ({"description": "é" * 2001}, "description", "4000 bytes"),
        ({"license_url": "not a url"}, "license_url", "URL"),
    ],
)  # fmt: skip
def test_invalid_show_elements_are_422_naming_the_field(editor, factory, fields, field, words):
    show = factory.show()
    answer = patch_show(editor, show.slug, **fields)
    assert answer.status_code == 422, answer.get_json()
    found = error_fields(answer)
    assert field in found, found
    assert words in found[field]
    # Nothing was changed.
    assert editor.get(f"/api/v1/shows/{show.slug}").get_json()["location_geo"] == ""


def test_urls_must_be_https_when_the_site_is(app, editor, factory):
    app.config["PUBLIC_URL"] = "https://publisher.test"
    show = factory.show()
    answer = patch_show(editor, show.slug, funding=[{"url": "http://pay.test/"}])
    assert answer.status_code == 422
    assert "https" in error_fields(answer)["funding.0.url"]
    answer = patch_show(editor, show.slug, persons=[{"name": "A", "img": "http://a.test/a.jpg"}])
    assert "https" in error_fields(answer)["persons.0.img"]
    assert patch_show(editor, show.slug, link="https://ok.test/").status_code == 200


def test_every_show_element_reaches_the_feed(client, admin, factory):
    show = factory.show(owner_email="")
    factory.episode(show=show)
    answer = patch_show(
        admin,
        show.slug,
        license="my-own-licence",
        license_url="https://example.test/licence",
        block=True,
        locked=True,
        update_frequency_rrule="FREQ=MONTHLY",
        location="Porto",
        location_rel="subject",
    )
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["block"] is True and body["license_url"] == "https://example.test/licence"
    feed = get_feed(client, show)
    licence = feed.channel("podcast:license")
    assert (licence.text, licence.get("url")) == ("my-own-licence", "https://example.test/licence")
    assert feed.channel("itunes:block").text == "Yes"
    assert feed.channel("podcast:block").text == "yes"
    # Locked is written even without an owner e-mail (no owner attribute then).
    locked = feed.channel("podcast:locked")
    assert (locked.text, locked.get("owner")) == ("yes", None)
    frequency = feed.channel("podcast:updateFrequency")
    assert (frequency.text, frequency.get("rrule")) == ("Monthly", "FREQ=MONTHLY")
    location = feed.channel("podcast:location")
    assert (location.text, location.get("rel"), location.get("geo")) == ("Porto", "subject", None)


def test_unlocked_shows_say_so(client, factory):
    show = factory.show(locked=False)
    factory.episode(show=show)
    locked = get_feed(client, show).channel("podcast:locked")
    assert (locked.text, locked.get("owner")) == ("no", "owner@example.com")


def test_episode_elements_are_validated_and_written(client, editor, factory):
    show = factory.show()
    episode = factory.episode(show=show, duration_seconds=300.0)
    path = f"/api/v1/episodes/{episode.id}"
    bad = editor.patch(path, json={"soundbites": [{"start_time": -1, "duration": 30}]})
    assert bad.status_code == 422 and "soundbites.0.start_time" in error_fields(bad)
    bad = editor.patch(path, json={"persons": [{"role": "guest"}]})
    assert bad.status_code == 422 and "persons.0.name" in error_fields(bad)
    answer = editor.patch(path, json={
        "itunes_title": "Just the title",
        "block": True,
        "soundbites": [{"start_time": 10, "duration": 200}],
    })  # fmt: skip
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["soundbites"] == [{"start_time": 10.0, "duration": 200.0, "title": None}]
    assert any("15 to 120 seconds" in w for w in body["warnings"])
    (item,) = get_feed(client, show).items
    assert item.find("itunes:title", NS).text == "Just the title"
    assert item.find("itunes:block", NS).text == "Yes"


def test_opus_audio_is_accepted_with_a_warning(editor, factory, audio):
    from tests.feeds.api_support import file_body

    show = factory.show()
    path = audio("opus", seconds=2)
    answer = editor.post(f"/api/v1/shows/{show.slug}/episodes",
                         **file_body("audio", path.read_bytes(), path.name))  # fmt: skip
    assert answer.status_code == 201
    (warning,) = answer.get_json()["warnings"]
    assert "Apple Podcasts will not play" in warning and "MP3 or AAC" in warning


def test_editors_cannot_set_elements_without_a_token(client, factory):
    show = factory.show()
    assert client.patch(f"/api/v1/shows/{show.slug}", json={"block": True}).status_code == 401
