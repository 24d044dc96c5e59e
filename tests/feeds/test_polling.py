"""Polling is cheap: validators, 304s, gzip, HEAD, and one rendering shared by processes."""

from __future__ import annotations

import gzip
from datetime import timedelta

import pytest

from publisher import create_app
from publisher.extensions import db
from publisher.feeds import cache, podcast
from publisher.models import Episode, FeedRendering, Show, utcnow
from tests.support.app import test_config


@pytest.fixture
def show(factory):
    show = factory.show()
    factory.episode(show=show, title="One")
    return show


def feed_path(show) -> str:
    return f"/shows/{show.slug}/feed.xml"


def test_headers_of_a_feed(client, show):
    answer = client.get(feed_path(show))
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/rss+xml; charset=utf-8"
    assert answer.headers["ETag"].startswith('"') and not answer.headers["ETag"].startswith("W/")
    assert answer.headers["Last-Modified"].endswith(" GMT")
    assert answer.headers["Cache-Control"] == "public, max-age=300"
    assert "Accept-Encoding" in answer.headers["Vary"]
    assert int(answer.headers["Content-Length"]) == len(answer.data)


def test_if_none_match_gives_304_without_a_body(client, show):
    etag = client.get(feed_path(show)).headers["ETag"]
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        answer = client.get(feed_path(show), headers={"If-None-Match": header})
        assert answer.status_code == 304, header
        assert answer.data == b""
        assert answer.headers["ETag"] == etag
        assert answer.headers["Cache-Control"] == "public, max-age=300"
    assert client.get(feed_path(show), headers={"If-None-Match": '"stale"'}).status_code == 200


def test_if_modified_since(client, show):
    last_modified = client.get(feed_path(show)).headers["Last-Modified"]
    answer = client.get(feed_path(show), headers={"If-Modified-Since": last_modified})
    assert answer.status_code == 304 and answer.data == b""
    old = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert client.get(feed_path(show), headers={"If-Modified-Since": old}).status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
    both = {"If-Modified-Since": last_modified, "If-None-Match": '"stale"'}
    assert client.get(feed_path(show), headers=both).status_code == 200


def test_head_has_the_headers_and_no_body(client, show):
    get = client.get(feed_path(show))
    head = client.head(feed_path(show))
    assert head.status_code == 200 and head.data == b""
    for name in ("ETag", "Last-Modified", "Content-Type", "Content-Length", "Cache-Control"):
        assert head.headers[name] == get.headers[name]


def test_gzip_when_accepted(client, show):
    plain = client.get(feed_path(show))
    zipped = client.get(feed_path(show), headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert zipped.headers["ETag"] != plain.headers["ETag"]  # strong tags differ per encoding
    assert "Content-Encoding" not in plain.headers
    refused = client.get(feed_path(show), headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers
    revalidated = client.get(
        feed_path(show),
        headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]},
    )
    assert revalidated.status_code == 304


def test_the_rendering_is_reused_until_something_changes(app, client, show, monkeypatch):
    calls = []
    render = podcast.render_show_feed
    monkeypatch.setattr(podcast, "render_show_feed", lambda *a: calls.append(1) or render(*a))
    first = client.get(feed_path(show))
    for _ in range(3):
        assert client.get(feed_path(show)).headers["ETag"] == first.headers["ETag"]
    assert len(calls) == 1

    with app.app_context():
        db.session.get(Show, show.id).title = "Renamed"
        db.session.commit()
    renamed = client.get(feed_path(show))
    assert len(calls) == 2 and b"Renamed" in renamed.data
    assert renamed.headers["ETag"] != first.headers["ETag"]
    assert renamed.headers["Last-Modified"] != first.headers["Last-Modified"]


def test_every_kind_of_episode_change_is_seen(app, client, factory, show):
    etags = [client.get(feed_path(show)).headers["ETag"]]
    new = factory.episode(show=show, title="Two")
    etags.append(client.get(feed_path(show)).headers["ETag"])
    with app.app_context():
        db.session.get(Episode, new.id).title = "Two, edited"
        db.session.commit()
    etags.append(client.get(feed_path(show)).headers["ETag"])
    with app.app_context():
        db.session.get(Episode, new.id).status = "draft"
        db.session.commit()
    etags.append(client.get(feed_path(show)).headers["ETag"])
    with app.app_context():
        db.session.delete(db.session.get(Episode, new.id))
        db.session.commit()
    etags.append(client.get(feed_path(show)).headers["ETag"])
    assert len(set(etags[:3])) == 3
    # Unpublished, then deleted: the public content is what it was at first, byte for byte.
    assert etags[4] == etags[3] == etags[0]


def test_a_draft_edit_keeps_the_validators(app, client, factory, show):
    draft = factory.episode(show=show, public=False)
    first = client.get(feed_path(show))
    with app.app_context():
        db.session.get(Episode, draft.id).title = "Still a draft"
        db.session.commit()
    answer = client.get(feed_path(show), headers={"If-None-Match": first.headers["ETag"]})
    assert answer.status_code == 304


def test_another_process_reuses_the_stored_rendering(
    app, client, show, migrated_database, tmp_path, monkeypatch
):
    first = client.get(feed_path(show))
    with app.app_context():
        row = db.session.get(FeedRendering, f"show:{show.id}")
        assert row.body == first.data and gzip.decompress(row.body_gzip) == first.data
    # A second app (another process: empty memory) answers from the database.
    cache.memo.clear()
    other = create_app(test_config(migrated_database, tmp_path / "other", FEED_RECHECK_SECONDS=0))
    monkeypatch.setattr(podcast, "render_show_feed", lambda *a: pytest.fail("rendered again"))
    answer = other.test_client().get(feed_path(show))
    assert answer.data == first.data
    assert answer.headers["ETag"] == first.headers["ETag"]
    assert answer.headers["Last-Modified"] == first.headers["Last-Modified"]
    with other.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("app_config", [{"FEED_RECHECK_SECONDS": 60}])
def test_the_recheck_window(app, client, factory, show, monkeypatch):
    """Within the window a process answers without a query; its own commits, and
    scheduled publications, still show at once."""
    first = client.get(feed_path(show))
    monkeypatch.setattr(podcast, "show_feed_state", lambda *a: pytest.fail("queried"))
    assert client.get(feed_path(show)).data == first.data
    monkeypatch.undo()

    factory.episode(show=show, title="Committed here")
    assert b"Committed here" in client.get(feed_path(show)).data

    release = utcnow() + timedelta(seconds=30)
    factory.episode(show=show, title="Scheduled", status="scheduled", publish_at=release)
    assert b"Scheduled" not in client.get(feed_path(show)).data
    from publisher.feeds import views

    monkeypatch.setattr(views, "utcnow", lambda: release)
    assert b"Scheduled" in client.get(feed_path(show)).data


def test_cache_control_never_outlives_the_next_publication(client, factory, show, feed_clock):
    release = feed_clock.now + timedelta(seconds=42)
    factory.episode(show=show, status="scheduled", publish_at=release)
    max_age = int(client.get(feed_path(show)).headers["Cache-Control"].rsplit("=", 1)[1])
    assert max_age == 43  # the 42 seconds left, and one more: it never ends early
    feed_clock.advance(seconds=40)
    max_age = int(client.get(feed_path(show)).headers["Cache-Control"].rsplit("=", 1)[1])
    assert max_age == 3
