"""Importing a show from another host's feed, served on loopback (no internet)."""

from __future__ import annotations

from datetime import UTC

import feedparser
import podcastparser
import pytest

from publisher.extensions import db
from publisher.jobs import get_queue
from publisher.media.storage import get_storage
from publisher.models import Episode, Job, Show
from tests.jobs.feedmaker import SourceEpisode, episodes, rss
from tests.jobs.httpserver import Route


def serve_feed(files, items, **options) -> str:
    return files.add("/feed.xml", Route(body=rss(items, **options).encode(),
                                        content_type="application/rss+xml"))  # fmt: skip


def run_import(runner, source, *args):
    return runner.invoke(args=["shows", "import", source, *args])


def show_and_episodes(app):
    with app.app_context():
        show = db.session.scalar(db.select(Show))
        eps = db.session.scalars(db.select(Episode).order_by(Episode.publish_at)).all()
        for episode in eps:
            db.session.expunge(episode)
        if show is not None:
            db.session.expunge(show)
        return show, eps


def stored_keys(app) -> set[str]:
    with app.app_context():
        return set(get_storage().list_keys(""))


def test_a_show_imports_with_its_media_guids_and_dates(app, runner, client, files, audio):
    source = episodes(files, audio("mp3", seconds=1), 6)
    url = serve_feed(files, source)
    result = run_import(runner, url)
    assert result.exit_code == 0, result.output
    assert "6 episode(s) imported" in result.output
    show, eps = show_and_episodes(app)
    assert (show.title, show.language, show.author, show.show_type) == (
        "Old Show", "fr", "Ann Author", "serial")  # fmt: skip
    assert (show.owner_name, show.owner_email, show.category) == (
        "Owen Owner", "owen@example.com", "Technology")  # fmt: skip
    assert show.funding_url == "https://donate.example/" and show.hosts[0]["name"] == "Ann Author"
    assert [e.guid for e in eps] == [s.guid for s in source]  # kept exactly
    assert [e.publish_at for e in eps] == [s.published for s in source]
    assert all(e.storage_key and e.codec == "mp3" and e.duration_seconds > 0.5 for e in eps)
    assert "<script>" not in eps[0].description and "<b>bold</b>" in eps[0].description
    assert (eps[0].season, eps[0].number) == (1, 1)
    assert stored_keys(app) == {e.storage_key for e in eps}

    # Our feed lists the same episodes with the same guids and dates, for both parsers.
    body = client.get(f"/shows/{show.slug}/feed.xml").data
    ours = podcastparser.parse("http://publisher.test/feed.xml", __import__("io").BytesIO(body))
    assert sorted((e["guid"], e["published"]) for e in ours["episodes"]) == sorted(
        (s.guid, int(s.published.timestamp())) for s in source
    )
    parsed = feedparser.parse(body)
    assert sorted(e.id for e in parsed.entries) == sorted(s.guid for s in source)
    # The enclosures work (guids that are URLs are encoded in our media URLs).
    enclosure = parsed.entries[0].enclosures[0].href.replace("http://publisher.test", "")
    answer = client.get(enclosure)
    assert answer.status_code == 200 and answer.data == audio("mp3", seconds=1).read_bytes()
    answer.close()


def test_a_second_run_changes_nothing_and_says_so(app, runner, files, audio):
    url = serve_feed(files, episodes(files, audio("mp3", seconds=1), 3))
    assert run_import(runner, url).exit_code == 0
    with app.app_context():
        db.session.execute(db.update(Show).values(title="Renamed here"))
        db.session.commit()
    _show, before = show_and_episodes(app)
    result = run_import(runner, url)
    assert result.exit_code == 0, result.output
    assert "Nothing new: all 3 episodes were already imported." in result.output
    show, after = show_and_episodes(app)
    assert show.title == "Renamed here"  # not overwritten
    assert [(e.id, e.updated_at) for e in after] == [(e.id, e.updated_at) for e in before]


def test_new_episodes_at_the_old_host_are_added_on_the_next_run(app, runner, files, audio):
    source = episodes(files, audio("mp3", seconds=1), 3)
    url = serve_feed(files, source[:2])
    assert run_import(runner, url).exit_code == 0
    serve_feed(files, source)
    result = run_import(runner, url)
    assert "1 episode(s) imported" in result.output and "2 already there" in result.output
    assert len(show_and_episodes(app)[1]) == 3


def test_a_failing_episode_is_reported_and_skipped_never_half_made(app, runner, files, audio):
    source = episodes(files, audio("mp3", seconds=1), 3)
    files.routes["/audio/ep2.mp3"] = Route(body=b"<html>Buy now</html>", content_type="text/html")
    source.append(SourceEpisode(guid="dead", title="Dead link", audio_url=files.url("/gone.mp3")))
    source.append(SourceEpisode(guid="png", title="Not audio", audio_url=files.add(
        "/cover.mp3", Route(body=b"\x89PNG\r\n\x1a\n" + b"0" * 5000))))  # fmt: skip
    url = serve_feed(files, source)
    result = run_import(runner, url)
    assert result.exit_code == 0, result.output
    assert "2 episode(s) imported" in result.output and "3 failed" in result.output
    assert "web page (HTML), not audio" in result.output
    assert "404" in result.output
    assert "not audio we can serve" in result.output
    _show, eps = show_and_episodes(app)
    assert sorted(e.title for e in eps) == ["Episode 1: ep", "Episode 3: ep"]
    assert stored_keys(app) == {e.storage_key for e in eps}  # nothing half-stored


def test_slow_and_flaky_hosts_are_retried_and_resumed(app, runner, files, audio):
    source = episodes(files, audio("mp3", seconds=3), 2)
    files.routes["/audio/ep1.mp3"].fail_first = 2  # 503 twice, then fine
    files.routes["/audio/ep2.mp3"].cut_after = 5000  # the connection drops mid-file
    files.routes["/audio/ep2.mp3"].delay = 0.01
    result = run_import(runner, serve_feed(files, source))
    assert result.exit_code == 0, result.output
    assert "2 episode(s) imported" in result.output
    _show, eps = show_and_episodes(app)
    data = audio("mp3", seconds=3).read_bytes()
    assert all(e.size_bytes == len(data) for e in eps)
    assert files.routes["/audio/ep1.mp3"].hits == 3
    assert files.routes["/audio/ep2.mp3"].hits == 2  # resumed with a Range request


def test_missing_guids_fall_back_to_the_enclosure_and_duplicates_are_skipped(
    app, runner, files, audio
):
    source = episodes(files, audio("mp3", seconds=1), 3)
    source[0].guid = None
    source[2].guid = source[1].guid
    result = run_import(runner, serve_feed(files, source))
    assert result.exit_code == 0, result.output
    assert "repeats the guid" in result.output
    _show, eps = show_and_episodes(app)
    assert sorted(e.guid for e in eps) == sorted([source[0].audio_url, source[1].guid])


def test_relative_enclosure_urls_are_resolved_against_the_feed(app, runner, files, audio):
    source = episodes(files, audio("mp3", seconds=1), 1)
    source[0].audio_url = "audio/ep1.mp3"
    result = run_import(runner, serve_feed(files, source))
    assert result.exit_code == 0, result.output
    assert show_and_episodes(app)[1][0].storage_key


LOCK = '<podcast:locked owner="owen@example.com">yes</podcast:locked>'


def test_a_locked_feed_needs_the_owner_email(app, runner, files, audio):
    url = serve_feed(files, episodes(files, audio("mp3", seconds=1), 1), channel_extra=LOCK)
    refused = run_import(runner, url)
    assert refused.exit_code != 0
    assert "locked (owner: owen@example.com)" in refused.output
    assert "--owner-email" in refused.output
    assert run_import(runner, url, "--owner-email", "someone@else.com").exit_code != 0
    assert show_and_episodes(app) == (None, [])
    accepted = run_import(runner, url, "--owner-email", "Owen@Example.com")
    assert accepted.exit_code == 0, accepted.output
    assert show_and_episodes(app)[0].locked is True


@pytest.mark.parametrize(
    ("route", "message"),
    [
        (Route(body=b"<!DOCTYPE html><html><body>Hi</body></html>", content_type="text/html"),
         "is a web page (HTML), not an RSS feed"),
        (Route(body=b"\x00\x01 definitely not xml {", content_type="text/xml"),
         "is not an RSS feed"),
        (Route(body=rss([]).encode(), content_type="text/xml"), "has no items"),
        (Route(status=404, body=b"gone"), "404"),
        (Route(status=302, headers={"Location": "/feed.xml"}), "redirects in a loop"),
    ],
    ids=["html", "not-xml", "empty", "404", "redirect-loop"],
)  # fmt: skip
def test_bad_feeds_give_clear_errors_and_leave_nothing(app, runner, files, route, message):
    url = files.url("/missing.xml") if route.status == 404 else files.add("/feed.xml", route)
    result = run_import(runner, url)
    assert result.exit_code != 0
    assert message in result.output
    assert show_and_episodes(app) == (None, [])
    assert stored_keys(app) == set()


def test_a_feed_without_enclosures_is_refused(app, runner, files):
    items = [SourceEpisode(guid="a", title="Blog post", audio_url="")]
    body = rss(items).replace('<enclosure url="" length="0" type="audio/mpeg"/>', "")
    url = files.add("/feed.xml", Route(body=body.encode(), content_type="text/xml"))
    result = run_import(runner, url)
    assert result.exit_code != 0
    assert "has no enclosure" in result.output
    assert show_and_episodes(app) == (None, [])


def test_a_feed_in_latin1_with_a_huge_description_imports(app, runner, files, audio):
    source = episodes(files, audio("mp3", seconds=1), 1)
    source[0].title = "Café à la mer"
    source[0].description = "x" * 300_000
    body = rss(source).replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').replace("©", "(c)")
    url = files.add("/feed.xml", Route(body=body.encode("latin-1"), content_type="text/xml"))
    result = run_import(runner, url)
    assert result.exit_code == 0, result.output
    episode = show_and_episodes(app)[1][0]
    assert episode.title == "Café à la mer"
    assert len(episode.description) <= 100_000


def test_no_media_keeps_the_old_urls_until_with_media(app, runner, client, files, audio):
    source = episodes(files, audio("mp3", seconds=1), 2)
    url = serve_feed(files, source)
    result = run_import(runner, url, "--no-media")
    assert result.exit_code == 0, result.output
    show, eps = show_and_episodes(app)
    assert all(e.external_media_url and not e.storage_key for e in eps)
    assert stored_keys(app) == set()
    answer = client.get(f"/shows/{show.slug}/feed.xml")
    assert len(feedparser.parse(answer.data).entries) == 2
    api = client.get(f"/api/v1/shows/{show.slug}/episodes").get_json()["items"][0]
    assert api["media"]["external"] is True
    enclosure = feedparser.parse(answer.data).entries[0].enclosures[0].href
    redirect = client.get(enclosure.replace("http://publisher.test", ""))
    assert redirect.status_code == 302 and redirect.location.startswith(files.base)

    result = run_import(runner, url, "--with-media")
    assert result.exit_code == 0, result.output
    assert "2 got their media" in result.output
    _show, eps = show_and_episodes(app)
    assert all(e.storage_key and not e.external_media_url for e in eps)


def test_the_api_starts_an_import_job(app, client, factory, files, audio):
    editor = factory.user()
    token = factory.token(editor)
    url = serve_feed(files, episodes(files, audio("mp3", seconds=1), 2))
    headers = {"Authorization": f"Bearer {token}"}
    answer = client.post("/api/v1/imports", json={"source": url}, headers=headers)
    assert answer.status_code == 202, answer.get_json()
    job = answer.get_json()
    assert job["status"] == "queued" and job["kind"] == "imports.run"
    get_queue(app).run_pending()
    done = client.get(f"/api/v1/jobs/{job['id']}", headers=headers).get_json()
    assert done["status"] == "done", done
    assert done["progress"]["done"] == 2 and done["progress"]["total"] == 2
    assert done["result"]["summary"] == "2 episode(s) imported."
    other = {"Authorization": f"Bearer {factory.token()}"}
    assert client.get(f"/api/v1/jobs/{job['id']}", headers=other).status_code == 404
    assert client.get(f"/api/v1/jobs/{job['id']}").status_code == 401


@pytest.mark.parametrize("source", ["/etc/passwd", "file:///etc/passwd", "ftp://x/feed", ""])
def test_the_api_takes_only_web_addresses(client, factory, source):
    headers = {"Authorization": f"Bearer {factory.token()}"}
    answer = client.post("/api/v1/imports", json={"source": source}, headers=headers)
    assert answer.status_code == 422
    assert "http" in answer.get_json()["error"]["details"][0]["message"]


def test_an_import_job_that_fails_says_why(app, client, factory, files):
    token = factory.token()
    headers = {"Authorization": f"Bearer {token}"}
    url = files.add("/feed.xml", Route(body=b"<html>nope</html>", content_type="text/html"))
    job = client.post("/api/v1/imports", json={"source": url}, headers=headers).get_json()
    get_queue(app).run_pending()
    failed = client.get(f"/api/v1/jobs/{job['id']}", headers=headers).get_json()
    assert failed["status"] == "failed"
    assert "web page (HTML), not an RSS feed" in failed["error"]
    with app.app_context():
        assert db.session.get(Job, job["id"]).attempts == 1  # not retried: it cannot help


def test_dates_are_utc(app, runner, files, audio):
    source = episodes(files, audio("mp3", seconds=1), 1)
    assert run_import(runner, serve_feed(files, source)).exit_code == 0
    assert show_and_episodes(app)[1][0].publish_at.tzinfo == UTC


@pytest.mark.parametrize("app_config", [{"JOBS_RETRY_DELAY": 0}])
def test_the_api_does_not_fetch_private_addresses(app, client, factory, files, audio):
    """An import started from the web must not make the server fetch its own network."""
    url = serve_feed(files, episodes(files, audio("mp3", seconds=1), 1))  # 127.0.0.1
    headers = {"Authorization": f"Bearer {factory.token()}"}
    job = client.post("/api/v1/imports", json={"source": url}, headers=headers).get_json()
    get_queue(app).run_pending()
    failed = client.get(f"/api/v1/jobs/{job['id']}", headers=headers).get_json()
    assert failed["status"] == "failed"
    assert "private or local address (127.0.0.1)" in failed["error"]
    assert files.routes["/feed.xml"].hits == 0
    assert show_and_episodes(app) == (None, [])
