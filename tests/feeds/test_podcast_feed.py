"""The podcast feed: what it says, read back by lxml, podcastparser and feedparser."""

from __future__ import annotations

import calendar
import os
from datetime import timedelta

import pytest

from publisher.extensions import db
from publisher.feeds import views
from publisher.models import Episode, Show, utcnow
from tests.feeds.apple_checklist import apple_problems
from tests.support.feeds import NS, bulk_episodes, get_feed, store

ON_POSTGRES = bool(os.environ.get("PUBLISHER_TEST_DATABASE_URL"))


def _episodes_by_guid(app, show):
    with app.app_context():
        return {
            e.guid: e
            for e in db.session.scalars(db.select(Episode).where(Episode.show_id == show.id))
        }


def test_podcastparser_reads_every_episode_field_back(app, client, demo_show):
    feed = get_feed(client, demo_show)
    stored = _episodes_by_guid(app, demo_show)
    assert len(feed.pp["episodes"]) == 3
    for episode in feed.pp["episodes"]:
        row = stored[episode["guid"]]
        assert episode["title"] == row.title
        assert episode["enclosures"] == [
            {
                "url": f"http://publisher.test/media/{row.guid}.mp3",
                "file_size": row.size_bytes,
                "mime_type": row.mime_type,
            }
        ]
        assert episode["total_time"] == round(row.duration_seconds)
        assert episode["published"] == int(row.publish_at.timestamp())
        assert episode["explicit"] is row.explicit
        assert episode.get("season", 0) == (row.season or 0)
        assert episode.get("number") == row.number
        assert episode["type"] == row.episode_type
        assert episode["link"] == f"http://publisher.test/shows/demo/{row.slug}"
        assert episode["description_html"] == row.description


def test_feedparser_reads_every_episode_field_back(app, client, demo_show):
    feed = get_feed(client, demo_show)
    stored = _episodes_by_guid(app, demo_show)
    assert len(feed.fp.entries) == 3
    for entry in feed.fp.entries:
        row = stored[entry.id]
        assert entry.title == row.title
        (enclosure,) = entry.enclosures
        assert enclosure.href == f"http://publisher.test/media/{row.guid}.mp3"
        assert int(enclosure.length) == row.size_bytes
        assert enclosure.type == row.mime_type
        assert int(entry.itunes_duration) == round(row.duration_seconds)
        assert calendar.timegm(entry.published_parsed) == int(row.publish_at.timestamp())
        # feedparser 6 knows only the legacy "yes"/"clean"; Apple's "true"/"false" (which
        # podcastparser reads, above) come out as None. The raw value is checked here.
        assert entry.itunes_explicit is None
        item = feed.root.xpath(f"channel/item[guid='{row.guid}']")[0]
        assert item.find("itunes:explicit", NS).text == ("true" if row.explicit else "false")
        if row.number:
            assert int(entry.itunes_episode) == row.number
        if row.season:
            assert int(entry.itunes_season) == row.season
        assert entry.itunes_episodetype == row.episode_type
        assert entry.guidislink is False


def test_channel_fields_are_read_back(client, demo_show):
    feed = get_feed(client, demo_show)
    pp, fp = feed.pp, feed.fp.feed
    assert pp["title"] == fp.title == "The Demo Show"
    assert pp["description"] == "Conversations about publishing, every week."
    assert pp["link"] == "https://demo.test/"
    assert pp["language"] == fp.language == "en"
    assert pp["itunes_author"] == "Demo Studio"
    assert fp.publisher_detail == {"name": "Demo Owner", "email": "owner@demo.test"}
    assert pp["itunes_owner"] == {"name": "Demo Owner", "email": "owner@demo.test"}
    assert pp["itunes_categories"] == [["Technology"]]
    assert pp["explicit"] is False
    assert pp["type"] == "episodic"
    # podcastparser 0.6.11 knows the podcast namespace only by its GitHub alias, not by
    # the canonical https://podcastindex.org/namespace/1.0 the feed declares (as current
    # feeds do): podcast:* elements are checked with lxml in the next test.
    assert "funding_url" not in pp
    assert pp["cover_url"].startswith("http://publisher.test/shows/demo/artwork.png?v=")
    assert fp.image.href == pp["cover_url"]
    assert fp.rights == "© 2025 Demo Studio"
    assert fp.generator == "Publisher"


def test_podcast_namespace_elements_follow_the_specification(app, client, demo_show):
    feed = get_feed(client, demo_show)
    with app.app_context():
        guid = db.session.get(Show, demo_show.id).podcast_guid
    assert feed.channel("podcast:guid").text == guid
    locked = feed.channel("podcast:locked")
    assert (locked.text, locked.get("owner")) == ("no", "owner@demo.test")
    funding = feed.channel("podcast:funding")
    assert funding.get("url") == "https://demo.test/support" and funding.text == "Support the show"
    host = feed.channel("podcast:person")
    assert (host.text, host.get("role"), host.get("group"), host.get("href")) == (
        "Ada Host",
        "host",
        "cast",
        "https://demo.test/ada",
    )
    assert feed.channel("podcast:location").text == "Lisbon, Portugal"
    assert feed.channel("podcast:license").text == "cc-by-4.0"
    assert feed.channel("podcast:medium").text == "podcast"
    txt = feed.channel("podcast:txt")
    assert (txt.text, txt.get("purpose")) == ("demo-verify-123", "verify")
    frequency = feed.channel("podcast:updateFrequency")
    assert (frequency.text, frequency.get("rrule")) == ("Weekly", "FREQ=WEEKLY;BYDAY=MO")
    trailer = feed.channel("podcast:trailer")
    assert trailer.text == "Trailer"
    assert trailer.get("url").startswith("http://publisher.test/media/")
    assert trailer.get("length") == "1000" and trailer.get("type") == "audio/mpeg"
    assert trailer.get("season") == "1"
    assert trailer.get("pubdate").endswith(" GMT")

    first = feed.root.xpath("channel/item[title='First steps']")[0]
    chapters = first.find("podcast:chapters", NS)
    assert chapters.get("url") == "http://publisher.test/shows/demo/first/chapters.json"
    assert chapters.get("type") == "application/json+chapters"
    assert first.find("podcast:season", NS).text == "1"
    assert first.find("podcast:episode", NS).text == "1"
    assert first.find("podcast:person", NS) is None  # no guests: the channel's people apply

    second = feed.root.xpath("channel/item[title='Second wind']")[0]
    people = [(p.text, p.get("role")) for p in second.findall("podcast:person", NS)]
    # An item's people replace the channel's: the host is restated beside the guest.
    assert people == [("Ada Host", "host"), ("Grace Guest", "guest")]
    bite = second.find("podcast:soundbite", NS)
    assert (bite.get("startTime"), bite.get("duration"), bite.text) == (
        "10.0",
        "30.0",
        "The best bit",
    )


def test_the_demo_feed_passes_apple_requirements(client, demo_show):
    def fetch(url: str) -> bytes | None:
        with client.get(url.replace("http://publisher.test", "")) as answer:
            return answer.data if answer.status_code == 200 else None

    feed = get_feed(client, demo_show)
    assert apple_problems(feed.response.data, fetch) == []


def test_the_checklist_catches_misses(client, factory):
    show = factory.show(category="Not A Category")
    factory.episode(show=show, mime_type="audio/ogg", storage_key="x/a.ogg")
    problems = apple_problems(get_feed(client, show).response.data)
    assert "<itunes:image> (artwork) is missing: Apple refuses the show." in problems
    assert any("Apple Podcasts will not play this audio (audio/ogg)" in p for p in problems)
    # The unknown category was replaced by a valid one, so that is not a miss.
    assert not any("category" in p for p in problems)


def test_unknown_or_draft_show_is_404(client, factory):
    draft = factory.show(status="draft")
    factory.episode(show=draft)
    assert client.get("/shows/nope/feed.xml").status_code == 404
    assert client.get(f"/shows/{draft.slug}/feed.xml").status_code == 404


def test_drafts_scheduled_and_deleted_episodes_never_appear(app, client, factory):
    show = factory.show()
    public = factory.episode(show=show, title="Public")
    factory.episode(show=show, title="Draft", public=False)
    factory.episode(
        show=show, title="Scheduled", status="scheduled", publish_at=utcnow() + timedelta(days=1)
    )
    factory.episode(show=show, title="No time", status="published", publish_at=None)
    factory.episode(show=show, title="No audio", storage_key=None)
    doomed = factory.episode(show=show, title="Deleted")
    assert [e["title"] for e in get_feed(client, show).pp["episodes"]] == ["Deleted", "Public"]
    with app.app_context():
        db.session.delete(db.session.get(Episode, doomed.id))
        db.session.commit()
    titles = [e["title"] for e in get_feed(client, show).pp["episodes"]]
    assert titles == [public.title]


def test_a_scheduled_episode_appears_on_time_without_any_write(app, client, factory, monkeypatch):
    show = factory.show()
    factory.episode(show=show, title="Out")
    release = utcnow() + timedelta(minutes=10)
    scheduled = factory.episode(show=show, title="Soon", status="scheduled", publish_at=release)
    before = get_feed(client, show)
    assert [e["title"] for e in before.pp["episodes"]] == ["Out"]
    # Caches must not keep the copy past the release.
    max_age = int(before.response.headers["Cache-Control"].rsplit("=", 1)[1])
    assert 0 < max_age <= 601

    monkeypatch.setattr(views, "utcnow", lambda: release + timedelta(seconds=1))
    after = get_feed(client, show)
    assert [e["title"] for e in after.pp["episodes"]] == ["Soon", "Out"]
    assert after.response.headers["ETag"] != before.response.headers["ETag"]
    with app.app_context():
        row = db.session.get(Episode, scheduled.id)
        assert (row.status, row.updated_at) == ("scheduled", scheduled.updated_at)  # no write


def test_items_are_newest_first_and_the_guid_never_changes(app, client, factory):
    show = factory.show()
    old = factory.episode(show=show, publish_at=utcnow() - timedelta(days=2))
    new = factory.episode(show=show, publish_at=utcnow() - timedelta(days=1))
    assert [e["guid"] for e in get_feed(client, show).pp["episodes"]] == [new.guid, old.guid]
    with app.app_context():
        row = db.session.get(Episode, old.id)
        row.storage_key = f"shows/{show.id}/replaced.m4a"
        row.mime_type = "audio/mp4"
        db.session.commit()
    episode = get_feed(client, show).pp["episodes"][1]
    assert episode["guid"] == old.guid
    # Apple lists m4a as audio/x-m4a: the registered audio/mp4 is written that way.
    assert episode["enclosures"][0]["mime_type"] == "audio/x-m4a"
    assert episode["enclosures"][0]["url"] == f"http://publisher.test/media/{old.guid}.m4a"


def test_an_episode_with_a_real_audio_file(app, client, factory, audio):
    path = audio("mp3", seconds=3)
    show = factory.show()
    episode = factory.episode(show=show, size_bytes=path.stat().st_size, duration_seconds=3.0)
    store(app, episode.storage_key, path.read_bytes(), "audio/mpeg")
    (item,) = get_feed(client, show).pp["episodes"]
    assert item["enclosures"][0]["file_size"] == path.stat().st_size
    assert item["total_time"] == 3


@pytest.mark.parametrize(
    ("kind", "mime", "ext"), [("mp3", "audio/mpeg", "mp3"), ("m4a", "audio/x-m4a", "m4a")]
)
def test_ingested_episodes_are_described_exactly(app, client, factory, audio, kind, mime, ext):
    """Episodes made the real way (ingest: probe, store): the feed states the stored file."""
    path = audio(kind, seconds=4)
    show = factory.show()
    episode = factory.ingested_episode(
        path,
        show=show,
        title="Real",
        status="published",
        publish_at=utcnow() - timedelta(minutes=1),
    )
    (item,) = get_feed(client, show).pp["episodes"]
    (enclosure,) = item["enclosures"]
    assert enclosure == {
        "url": f"http://publisher.test/media/{episode.guid}.{ext}",
        "file_size": path.stat().st_size,
        "mime_type": mime,
    }
    assert enclosure["file_size"] == episode.size_bytes
    assert item["total_time"] == round(episode.duration_seconds) == 4
    assert apple_problems(get_feed(client, show).response.data) == [
        "<itunes:image> (artwork) is missing: Apple refuses the show."
    ]


def test_text_that_xml_forbids_is_removed(client, factory):
    nul = "" if ON_POSTGRES else "\x00"  # PostgreSQL text cannot hold NUL at all
    show = factory.show(title=f"Bad{nul}\x0b\x1fshow\ufffe", author="A\x08uthor")
    factory.episode(show=show, title="Ep\x01isode \x7f\U0001f600", description="<p>x\x0c</p>")
    feed = get_feed(client, show)
    assert feed.pp["title"] == "Badshow"
    assert feed.pp["itunes_author"] == "Author"
    assert feed.pp["episodes"][0]["title"] == "Episode \U0001f600"
    assert feed.pp["episodes"][0]["description_html"] == "<p>x</p>"


def test_bad_stored_podcast_values_are_left_out_or_corrected(client, factory):
    show = factory.show(
        hosts=[{"name": ""}, {"name": "Zed", "role": "overlord"}, "nonsense"],
        update_frequency_rrule="EVERY TUESDAY",
        medium="hologram",
        funding_url="https://f.test/",
        funding_text="x" * 128,
    )
    factory.episode(show=show, soundbites=[{"start_time": "soon"}], persons=[{"name": "Gus"}])
    feed = get_feed(client, show)
    people = [(p.text, p.get("role")) for p in feed.root.findall("channel/podcast:person", NS)]
    assert people == [("Zed", "host")]
    assert feed.channel("podcast:updateFrequency") is None
    assert feed.channel("podcast:medium").text == "podcast"
    assert len(feed.channel("podcast:funding").text) == 128
    item = feed.items[0]
    assert item.find("podcast:soundbite", NS) is None
    assert [p.get("role") for p in item.findall("podcast:person", NS)] == ["host", "guest"]


def test_a_show_with_2000_episodes(app, client, factory):
    show = factory.show(artwork_key="a.png", artwork_mime="image/png", category="News")
    bulk_episodes(app, show, 2000)
    feed = get_feed(client, show)
    assert len(feed.pp["episodes"]) == len(feed.fp.entries) == len(feed.items) == 2000
    assert feed.pp["episodes"][0]["title"] == "Bulk episode 2000"
    assert feed.pp["episodes"][-1]["number"] == 1
    assert apple_problems(feed.response.data) == []


@pytest.mark.parametrize("page", ["0", "-1", "x", "1.5"])
def test_a_bad_page_number_is_a_400_with_a_message(client, factory, page):
    show = factory.show()
    answer = client.get(f"/shows/{show.slug}/feed.xml?page={page}")
    assert answer.status_code == 400
    assert b"whole number" in answer.data


def test_paged_feeds_link_first_next_previous_last(app, client, factory):
    app.config["FEED_PAGE_SIZE"] = 10
    show = factory.show()
    bulk_episodes(app, show, 25)
    base = f"http://publisher.test/shows/{show.slug}/feed.xml"

    def links(feed):
        return {
            link.get("rel"): link.get("href") for link in feed.root.findall("channel/atom:link", NS)
        }

    first = get_feed(client, show, page=1)
    assert len(first.items) == 10
    assert links(first) == {
        "self": f"{base}?page=1",
        "first": f"{base}?page=1",
        "next": f"{base}?page=2",
        "last": f"{base}?page=3",
    }
    assert first.pp["paged_feed_next"] == f"{base}?page=2"
    middle = links(get_feed(client, show, page=2))
    assert (middle["prev"], middle["previous"], middle["next"]) == (
        f"{base}?page=1",
        f"{base}?page=1",
        f"{base}?page=3",
    )
    last = get_feed(client, show, page=3)
    assert len(last.items) == 5 and "next" not in links(last)
    guids = [e["guid"] for p in (1, 2, 3) for e in get_feed(client, show, page=p).pp["episodes"]]
    assert guids == [e["guid"] for e in get_feed(client, show).pp["episodes"]]
    assert len(set(guids)) == 25
    assert client.get(f"/shows/{show.slug}/feed.xml?page=4").status_code == 404
    # The complete feed is one document without paging links.
    assert set(links(get_feed(client, show))) == {"self"}
