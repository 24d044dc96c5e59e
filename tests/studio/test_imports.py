"""Importing a show from the studio: the form refuses what the API refuses (the same
operation and messages), queues the importer's job, and the job page follows it; a second
import of the same feed adds nothing; a feed on a private address fails readably."""

from __future__ import annotations

import re

import pytest

from publisher.extensions import db
from publisher.jobs import get_queue
from publisher.models import Episode, Job, JobStatus, Show, ShowMember
from tests.jobs.feedmaker import episodes, rss
from tests.jobs.httpserver import FileServer, Route
from tests.support.studio import csrf_token, post


@pytest.fixture
def app_config():
    # The loopback file server is a private address: allowed here, unless a test says not.
    return {"IMPORT_ALLOW_PRIVATE_ADDRESSES": True, "JOBS_RETRY_DELAY": 0,
            "AUDIO_ANALYZE_ON_UPLOAD": False}  # fmt: skip


@pytest.fixture
def files():
    """A loopback HTTP server for the feed and its audio (tests/jobs/httpserver.py)."""
    server = FileServer()
    yield server
    server.close()


def serve_feed(files, audio, count: int = 3) -> str:
    items = episodes(files, audio("mp3", seconds=1), count)
    return files.add("/feed.xml", Route(body=rss(items).encode(),
                                        content_type="application/rss+xml"))  # fmt: skip


def jobs(app) -> list[Job]:
    with app.app_context():
        found = db.session.scalars(db.select(Job).order_by(Job.created_at)).all()
        for job in found:
            db.session.expunge(job)
        return list(found)


def run_queue(app) -> None:
    with app.app_context():
        get_queue(app).run_pending(include_scheduled=True)


def job_id_from(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    match = re.fullmatch(r"/studio/jobs/([0-9a-f]{32})", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def test_the_shows_list_and_the_dashboard_link_to_the_import_form(producers):
    _user, client = producers.editor()
    for path in ("/studio/shows/", "/studio/"):
        page = client.get(path).get_data(as_text=True)
        assert 'href="/studio/import"' in page and "Import a show" in page, path
    form = client.get("/studio/import").get_data(as_text=True)
    assert '<label for="source">Feed URL</label>' in form
    assert "<legend>Audio</legend>" in form and 'value="external"' in form


@pytest.mark.parametrize(
    "source",
    ["", "   ", "not a url", "file:///etc/passwd", "ftp://example.com/feed.xml",
     "javascript:alert(1)", "https://exa mple.com/feed.xml", "https://x.test/" + "a" * 3000],
)  # fmt: skip
def test_a_source_the_api_refuses_is_refused_with_the_same_message(
    app, client, producers, factory, source
):
    user, studio = producers.editor()
    api = client.post("/api/v1/imports", json={"source": source},
                      headers={"Authorization": f"Bearer {factory.token(user)}"})  # fmt: skip
    assert api.status_code == 422
    message = api.get_json()["error"]["details"][0]["message"]
    answer = post(studio, "/studio/import", {"source": source, "media": "download"})
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert 'id="source-error"' in page and message.replace("'", "&#39;") in page
    assert 'aria-invalid="true"' in page and 'role="alert"' in page
    assert source.strip()[:100] in page  # what was typed is kept for correcting
    assert jobs(app) == []


def test_an_unknown_media_choice_and_a_long_email_are_refused(app, producers):
    _user, studio = producers.editor()
    answer = post(studio, "/studio/import", {"source": "https://example.com/feed.xml",
                                             "media": "delete-everything",
                                             "owner_email": "o@example.com" * 40})  # fmt: skip
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "Use one of: &#39;download&#39; or &#39;external&#39;." in page
    assert 'id="owner_email-error"' in page
    assert jobs(app) == []


def test_a_huge_address_is_refused_and_queues_nothing(app, producers):
    _user, studio = producers.editor()
    answer = post(studio, "/studio/import", {"source": "https://x.test/" + "a" * 2_000_000})
    assert answer.status_code == 422
    assert "String should have at most 2000 characters." in answer.get_data(as_text=True)
    assert jobs(app) == []


def test_a_post_without_its_csrf_token_is_refused_and_queues_nothing(app, producers):
    _user, studio = producers.editor()
    answer = studio.post("/studio/import", data={"source": "https://example.com/feed.xml"})
    assert answer.status_code == 400
    assert "CSRF" in answer.get_data(as_text=True)
    assert jobs(app) == []


def test_anonymous_is_sent_to_login_and_queues_nothing(app, client):
    answer = client.post("/studio/import", data={"source": "https://example.com/feed.xml",
                                                 "csrf_token": csrf_token(client)})  # fmt: skip
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/studio/login")
    assert jobs(app) == []


def test_an_editor_imports_a_show_follows_the_job_and_becomes_its_member(
    app, producers, files, audio
):
    user, studio = producers.editor()
    url = serve_feed(files, audio, 3)
    answer = post(studio, "/studio/import", {"source": f"  {url} ", "media": "download"})
    job_id = job_id_from(answer)
    (job,) = jobs(app)
    assert (job.id, job.kind, job.user_id, job.status) == (job_id, "imports.run", user.id, "queued")
    # The same arguments the API gives the job (operations.imports.request_import).
    assert job.arguments == {"source": url, "media": "download", "owner_email": None}
    page = studio.get(f"/studio/jobs/{job_id}").get_data(as_text=True)
    assert "Waiting to start" in page and ">Refresh</a>" in page

    run_queue(app)
    page = studio.get(f"/studio/jobs/{job_id}").get_data(as_text=True)
    assert 'aria-valuenow="100"' in page and "<span data-job-status>Done</span>" in page
    assert "3 episode(s) imported." in page and ">Refresh</a>" not in page
    with app.app_context():
        show = db.session.scalar(db.select(Show))
        assert db.session.get(ShowMember, (show.id, user.id)) is not None
        assert db.session.scalar(db.select(db.func.count(Episode.id))) == 3
        slug, title = show.slug, show.title
    assert f'href="/studio/shows/{slug}/"' in page and f"Open the show “{title}”" in page
    assert studio.get(f"/studio/shows/{slug}/").status_code == 200
    dashboard = studio.get("/studio/").get_data(as_text=True)
    assert f'href="/studio/jobs/{job_id}"' in dashboard and f'data-job-id="{job_id}"' in dashboard


def test_a_form_sent_twice_follows_the_same_job(app, producers):
    _user, studio = producers.editor()
    data = {"source": "https://example.com/feed.xml", "media": "download"}
    first = job_id_from(post(studio, "/studio/import", data))
    assert job_id_from(post(studio, "/studio/import", data)) == first  # still queued
    other = job_id_from(post(studio, "/studio/import", {**data, "media": "external"}))
    _someone, their_client = producers.editor()
    theirs = job_id_from(post(their_client, "/studio/import", data))
    assert len({first, other, theirs}) == 3 and len(jobs(app)) == 3


def test_importing_the_same_feed_again_updates_the_show_instead_of_duplicating_it(
    app, producers, files, audio
):
    _user, studio = producers.editor()
    url = serve_feed(files, audio, 2)
    first = job_id_from(post(studio, "/studio/import", {"source": url, "media": "external"}))
    run_queue(app)
    second = job_id_from(post(studio, "/studio/import", {"source": url, "media": "download"}))
    run_queue(app)
    page = studio.get(f"/studio/jobs/{second}").get_data(as_text=True)
    assert "2 got their media" in page and "0 episode(s) imported" in page
    third = job_id_from(post(studio, "/studio/import", {"source": url, "media": "download"}))
    run_queue(app)
    page = studio.get(f"/studio/jobs/{third}").get_data(as_text=True)
    assert "Nothing new: all 2 episodes were already imported." in page
    assert [job.status for job in jobs(app)] == ["done"] * 3 and first != second
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Show.id))) == 1
        stored = db.session.scalars(db.select(Episode.storage_key)).all()
        assert len(stored) == 2 and all(stored)


def test_an_editor_cannot_fill_a_show_imported_by_someone_else(app, producers, files, audio):
    _owner, owner_client = producers.editor()
    _other, other_client = producers.editor()
    url = serve_feed(files, audio, 1)
    job_id_from(post(owner_client, "/studio/import", {"source": url}))
    run_queue(app)
    job_id = job_id_from(post(other_client, "/studio/import", {"source": url}))
    run_queue(app)
    page = other_client.get(f"/studio/jobs/{job_id}").get_data(as_text=True)
    assert "which you do not work on. Ask an admin to add you" in page
    assert 'role="alert"' in page and "Failed" in page
    assert jobs(app)[-1].status == JobStatus.FAILED


def test_a_feed_on_a_private_address_fails_with_a_reason_people_understand(
    app, producers, files, audio
):
    app.config["IMPORT_ALLOW_PRIVATE_ADDRESSES"] = False  # the default
    _user, studio = producers.editor()
    url = serve_feed(files, audio, 1)  # 127.0.0.1: private
    job_id = job_id_from(post(studio, "/studio/import", {"source": url}))
    run_queue(app)
    page = studio.get(f"/studio/jobs/{job_id}").get_data(as_text=True)
    assert "The job failed: Could not fetch the feed:" in page
    assert "points to a private or local address (127.0.0.1)" in page
    assert 'href="/studio/import"' in page  # try again from the form
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Show.id))) == 0
