"""Issue 11's "done when": a show made only through the API, with artwork, two hosts, a
transcript, chapters and a soundbite, passes Apple's checklist, and the Podcast Index's
parser (podcast-partytime), gPodder's podcastparser and feedparser read every element
back, value by value."""

from __future__ import annotations

import pytest

from tests.feeds.api_support import VTT, file_body, image_bytes
from tests.feeds.partytime import partytime_parse
from tests.support.feeds import get_feed


@pytest.fixture
def app_config():
    return {"FEED_RECHECK_SECONDS": 0}


SHOW = {
    "title": "Made Through The API",
    "slug": "api-show",
    "description": "<p>A show built with nothing but the API.</p>",
    "language": "en",
    "author": "API Studio",
    "owner_name": "Olive Owner",
    "owner_email": "olive@api.test",
    "link": "https://api.test/",
    "categories": [
        {"category": "Technology"},
        {"category": "News", "subcategory": "Tech News"},
        {"category": "Education", "subcategory": "How To"},
    ],
    "persons": [
        {"name": "Ada Host", "role": "host", "href": "https://api.test/ada"},
        {"name": "Bob Cohost", "role": "co-host", "img": "https://api.test/bob.jpg"},
    ],
    "funding": [
        {"url": "https://api.test/support", "text": "Support us"},
        {"url": "https://api.test/patrons", "text": "Become a patron"},
    ],
    "txt": [{"text": "apple-verify-token-123", "purpose": "applepodcastsverify"}],
    "update_frequency": "Every other week",
    "update_frequency_rrule": "FREQ=WEEKLY;INTERVAL=2",
    "update_frequency_dtstart": "2026-01-05T09:00:00+00:00",
    "license": "cc-by-4.0",
    "location": "Lisbon, Portugal",
    "location_geo": "geo:38.7223,-9.1393",
    "location_osm": "R5400890",
    "location_rel": "creator",
    "location_country": "PT",
    "locked": True,
    "status": "published",
}
CHAPTERS = {
    "version": "1.2.0",
    "chapters": [
        {"startTime": 0, "title": "Welcome"},
        {"startTime": 12.5, "title": "The interview", "url": "https://api.test/interview"},
        {"startTime": 30, "title": "Goodbye"},
    ],
}


def build_show(admin, audio) -> dict:
    created = admin.post("/api/v1/shows", json=SHOW)
    assert created.status_code == 201, created.get_json()
    art = admin.open("PUT", "/api/v1/shows/api-show/artwork",
                     **file_body("image", image_bytes(1400, fmt="JPEG"), "cover.jpg"))  # fmt: skip
    assert art.status_code == 200, art.get_json()
    path = audio("mp3", seconds=40)
    uploaded = admin.post(
        "/api/v1/shows/api-show/episodes",
        **file_body("audio", path.read_bytes(), path.name, title="Episode One: Hello",
                    status="published", season=1, number=1),
    )  # fmt: skip
    assert uploaded.status_code == 201, uploaded.get_json()
    episode_id = uploaded.get_json()["id"]
    patched = admin.patch(
        f"/api/v1/episodes/{episode_id}",
        json={
            "itunes_title": "Hello",
            "persons": [{"name": "Grace Guest", "role": "guest", "href": "https://api.test/g"}],
            "soundbites": [{"start_time": 5, "duration": 20, "title": "The best bit"}],
        },
    )
    assert patched.status_code == 200, patched.get_json()
    transcript = admin.post(f"/api/v1/episodes/{episode_id}/transcripts",
                            **file_body("file", VTT, "ep1.vtt", language="en"))  # fmt: skip
    assert transcript.status_code == 201, transcript.get_json()
    chapters = admin.open("PUT", f"/api/v1/episodes/{episode_id}/chapters", json=CHAPTERS)
    assert chapters.status_code == 200, chapters.get_json()
    return admin.get(f"/api/v1/episodes/{episode_id}").get_json()


def test_a_show_made_through_the_api_passes_and_reads_back(app, client, admin, audio):
    episode = build_show(admin, audio)
    checks = admin.get("/api/v1/shows/api-show/checks").get_json()
    assert checks["passes_apple"], checks["findings"]
    assert checks["errors"] == 0

    feed = get_feed(client, type("S", (), {"slug": "api-show"}))
    party = partytime_parse(feed.response.data)
    item = party["items"][0]

    # Channel, as the Podcast Index reads it.
    assert party["title"] == SHOW["title"]
    assert party["author"] == "API Studio"
    assert party["owner"] == {"name": "Olive Owner", "email": "olive@api.test"}
    assert party["itunesImage"] == checks_artwork_url(admin)
    assert party["itunesCategory"] == ["Technology", "News > Tech News", "Education > How To"]
    assert [(p["name"], p["role"], p["group"]) for p in party["podcastPeople"]] == [
        ("Ada Host", "Host", "Cast"),
        ("Bob Cohost", "Co-Host", "Cast"),
    ]
    assert party["podcastPeople"][0]["href"] == "https://api.test/ada"
    assert party["podcastPeople"][1]["img"] == "https://api.test/bob.jpg"
    assert [(f["url"], f["message"]) for f in party["podcastFunding"]] == [
        ("https://api.test/support", "Support us"),
        ("https://api.test/patrons", "Become a patron"),
    ]
    assert party["locked"] is True
    assert party["podcastOwner"] == "olive@api.test"
    assert party["license"]["identifier"] == "cc-by-4.0"
    assert party["podcastLocation"] == {
        "name": "Lisbon, Portugal",
        "geo": "geo:38.7223,-9.1393",
        "osm": "R5400890",
    }
    assert party["podcastTxt"] == [
        {"value": "apple-verify-token-123", "purpose": "applepodcastsverify"}
    ]

    # The item.
    assert item["title"] == "Episode One: Hello"
    assert item["guid"] == episode["guid"]
    assert item["enclosure"]["url"] == episode["media"]["url"]
    assert item["enclosure"]["length"] == episode["media"]["size"]
    assert [(p["name"], p["role"]) for p in item["podcastPeople"]] == [
        ("Ada Host", "Host"),
        ("Bob Cohost", "Co-Host"),
        ("Grace Guest", "Guest"),
    ]
    assert item["podcastSoundbites"] == [{"startTime": 5, "duration": 20, "title": "The best bit"}]
    (transcript,) = item["podcastTranscripts"]
    assert transcript["url"] == episode["transcripts"][0]["url"]
    assert transcript["type"] == "text/vtt"
    assert transcript["language"] == "en"
    assert transcript["rel"] == "captions"
    assert item["podcastChapters"] == {
        "url": episode["chapters_url"],
        "type": "application/json+chapters",
    }

    # gPodder's podcastparser and feedparser, same values.
    pp = feed.pp
    assert pp["title"] == SHOW["title"]
    assert pp["cover_url"] == party["itunesImage"]
    assert pp["itunes_owner"] == {"name": "Olive Owner", "email": "olive@api.test"}
    assert pp["itunes_categories"] == [
        ["Technology"],
        ["News", "Tech News"],
        ["Education", "How To"],
    ]
    (pp_item,) = pp["episodes"]
    assert pp_item["guid"] == episode["guid"]
    # podcastparser reads the inline Podlove chapters (whole seconds), not the JSON file.
    assert [(c["start"], c["title"]) for c in pp_item["chapters"]] == [
        (0, "Welcome"),
        (12, "The interview"),
        (30, "Goodbye"),
    ]
    assert pp_item["chapters"][1]["href"] == "https://api.test/interview"
    assert feed.fp.entries[0].itunes_title == "Hello"
    fp = feed.fp.feed
    # itunes:owner before itunes:author: feedparser reports the author, not the owner.
    assert fp.author == "API Studio"
    assert fp.publisher_detail.email == "olive@api.test"
    assert [t.term for t in fp.tags] == ["Technology", "News", "Tech News", "Education", "How To"]


def checks_artwork_url(admin) -> str:
    return admin.get("/api/v1/shows/api-show").get_json()["artwork"]["url"]


def test_the_other_elements_read_back_in_partytime(client, admin, factory):
    show = factory.show(slug="other-show", owner_email="")
    episode = factory.episode(show=show, duration_seconds=100.0)
    answer = admin.patch(
        "/api/v1/shows/other-show",
        json={
            "block": True,
            "locked": False,
            "license": "house-licence",
            "license_url": "https://other.test/licence",
            "funding": [{"url": "https://other.test/tip"}],
            "txt": [{"text": "plain note"}],
            "location": "Porto",
            "location_geo": "geo:41.1496,-8.611",
        },
    )
    assert answer.status_code == 200, answer.get_json()
    admin.patch(f"/api/v1/episodes/{episode.id}", json={"itunes_title": "Short", "block": True})
    party = partytime_parse(get_feed(client, show).response.data)
    assert party["itunesBlock"] is True
    assert party["podcastBlocked"] == "yes"
    # partytime 5.0.0 reads podcast:locked only with its owner attribute (none here).
    assert "locked" not in party and "podcastOwner" not in party
    assert party["license"] == {"identifier": "house-licence", "url": "https://other.test/licence"}
    assert party["podcastFunding"] == [
        {"url": "https://other.test/tip", "message": "Support the show"}
    ]
    assert party["podcastTxt"] == [{"value": "plain note"}]
    assert party["podcastLocation"] == {"name": "Porto", "geo": "geo:41.1496,-8.611"}
    (item,) = party["items"]
    assert item["guid"] == episode.guid
