"""A job's page and JSON status in the studio: for its requester and admins only (the
API's rule), the API's shape, never cached; the progress markup; the dashboard's jobs."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from publisher.extensions import db
from publisher.models import Job, JobStatus, ShowMember, utcnow

PROGRESS = re.compile(
    r'<div class="job" data-job-id="(?P<id>[0-9a-f]{32})"><div role="progressbar" '
    r'aria-valuemin="0" aria-valuemax="100" aria-valuenow="(?P<now>\d+)" '
    r'aria-label="(?P<label>[^"]+)"><span class="bar pct-(?P<pct>\d+)"></span></div>'
    r"<span data-job-status>(?P<status>[^<]+)</span></div>"
)


def make_job(app, user=None, kind="imports.run", **state) -> str:
    """A job row in a given state (no queue involved: nothing consumes it here)."""
    with app.app_context():
        job = Job.request(kind, {"source": "https://example.com/feed.xml"},
                          title=state.pop("title", "Import of https://example.com/feed.xml"),
                          user_id=user.id if user else None)  # fmt: skip
        for name, value in state.items():
            setattr(job, name, value)
        db.session.commit()
        return job.id


@pytest.fixture
def requester(producers):
    return producers.editor()


def test_the_requester_and_admins_see_a_job_other_producers_get_404(app, producers, requester):
    user, client = requester
    job_id = make_job(app, user)
    _admin, admin_client = producers.admin()
    _other, other_client = producers.editor()
    for path in (f"/studio/jobs/{job_id}", f"/studio/jobs/{job_id}.json"):
        assert client.get(path).status_code == 200, path
        assert admin_client.get(path).status_code == 200, path
        assert other_client.get(path).status_code == 404, path
        anonymous = app.test_client().get(path)
        assert anonymous.status_code == 302, path
        assert anonymous.headers["Location"].startswith("/studio/login"), path


@pytest.mark.parametrize("job_id", ["nope", "0" * 33, "..%2f..", "%00", "é" * 10, "a" * 5000])
def test_ids_that_cannot_be_a_job_are_404(requester, job_id):
    _user, client = requester
    assert client.get(f"/studio/jobs/{job_id}").status_code == 404
    assert client.get(f"/studio/jobs/{job_id}.json").status_code == 404


def test_the_json_status_is_the_apis_job_shape_and_is_never_cached(app, client, factory, requester):
    user, studio = requester
    started = utcnow() - timedelta(seconds=30)
    job_id = make_job(app, user, status=JobStatus.RUNNING, progress_done=2, progress_total=8,
                      progress_bytes=12345, message="2 episode(s) imported", attempts=1,
                      max_attempts=5, started_at=started)  # fmt: skip
    answer = studio.get(f"/studio/jobs/{job_id}.json")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    assert answer.headers["Cache-Control"] == "no-store"
    api = client.get(f"/api/v1/jobs/{job_id}",
                     headers={"Authorization": f"Bearer {factory.token(user)}"})  # fmt: skip
    assert api.status_code == 200
    assert answer.get_json() == api.get_json()
    assert answer.get_json()["progress"] == {
        "done": 2, "total": 8, "bytes": 12345, "message": "2 episode(s) imported"}  # fmt: skip


def test_a_running_job_shows_its_progress_bar_and_a_refresh_link(app, requester):
    user, client = requester
    job_id = make_job(app, user, status=JobStatus.RUNNING, progress_done=3, progress_total=8,
                      message="3 episode(s) imported")  # fmt: skip
    page = client.get(f"/studio/jobs/{job_id}").get_data(as_text=True)
    bar = PROGRESS.search(page)
    assert bar, page
    assert (bar["id"], bar["now"], bar["pct"]) == (job_id, "37", "35")
    assert bar["label"] == "Progress of Import of https://example.com/feed.xml"
    assert bar["status"] == "Running: 3 of 8 (37 %)"
    assert "3 episode(s) imported" in page
    assert f'<a href="/studio/jobs/{job_id}">Refresh</a>' in page
    assert "<code>imports.run</code>" in page and '<h1 class="job-title">Import of' in page
    assert "studio-jobs.js" in page  # the script that follows it (base.html)


def test_a_failed_job_says_why_in_words(app, requester):
    user, client = requester
    job_id = make_job(app, user, status=JobStatus.FAILED, attempts=5, max_attempts=5,
                      error="This feed is locked (owner: ann@example.com).",
                      finished_at=utcnow())  # fmt: skip
    page = client.get(f"/studio/jobs/{job_id}").get_data(as_text=True)
    assert re.search(
        r'<div class="form-errors" role="alert">\s*<p>The job failed: This feed is locked '
        r"\(owner: ann@example.com\)\.</p>", page)  # fmt: skip
    assert PROGRESS.search(page)["status"] == "Failed"
    assert "Refresh</a>" not in page and 'href="/studio/import"' in page


def test_a_finished_imports_result_lists_what_was_not_imported(app, requester):
    user, client = requester
    result = {"show": "gone-show", "summary": "1 episode(s) imported, 1 failed.",
              "failed": [{"guid": "g2", "title": "Episode <2>", "reason": "404 at the host"}],
              "warnings": ["Artwork https://x.test/a.gif is not a JPEG or PNG image"]}  # fmt: skip
    job_id = make_job(app, user, status=JobStatus.DONE, result=result, progress_done=2,
                      progress_total=2, finished_at=utcnow())  # fmt: skip
    page = client.get(f"/studio/jobs/{job_id}").get_data(as_text=True)
    assert "<strong>Episode &lt;2&gt;</strong>: 404 at the host" in page
    assert "is not a JPEG or PNG image" in page
    assert PROGRESS.search(page)["now"] == "100"
    assert "Open the show" not in page  # the show is gone: no link to nowhere


def test_the_dashboard_lists_the_producers_jobs_running_first(app, producers, requester):
    user, client = requester
    _other, other_client = producers.editor()
    admin, admin_client = producers.admin()
    old = make_job(app, user, title="Old import", status=JobStatus.DONE,
                   created_at=utcnow() - timedelta(hours=2))  # fmt: skip
    running = make_job(app, user, title="Running import", status=JobStatus.RUNNING,
                       created_at=utcnow() - timedelta(hours=3))  # fmt: skip
    theirs = make_job(app, admin, title="The admin's import")
    analysis = make_job(app, None, kind="audio.analyze", title="Analyze Episode 1")
    rollup = make_job(app, None, kind="stats.rollup", title="Roll up downloads")

    page = client.get("/studio/").get_data(as_text=True)
    listed = [m["id"] for m in PROGRESS.finditer(page)]
    assert listed == [running, old]  # still running first, then the newest
    assert '<h2 id="jobs-h">Jobs</h2>' in page

    admin_page = admin_client.get("/studio/").get_data(as_text=True)
    listed = {m["id"] for m in PROGRESS.finditer(admin_page)}
    assert listed == {old, running, theirs, analysis}  # not the queue's housekeeping
    assert rollup not in admin_page

    empty = other_client.get("/studio/").get_data(as_text=True)
    assert "No jobs yet." in empty and 'href="/studio/import">Import a show</a>' in empty


def test_a_finished_upload_links_to_its_episode_for_members_only(app, factory, producers):
    show = factory.show(slug="linked")
    episode = factory.episode(show=show, title="Tide tables")
    user, client = producers.editor(show)
    job_id = make_job(app, user, kind="uploads.complete", title="Upload to linked",
                      status=JobStatus.DONE, result={"episode_id": episode.id},
                      finished_at=utcnow())  # fmt: skip
    page = client.get(f"/studio/jobs/{job_id}").get_data(as_text=True)
    link = f'href="/studio/shows/linked/episodes/{episode.id}/edit">Open the episode “Tide tables”'
    assert link in page
    _admin, admin_client = producers.admin()
    assert link in admin_client.get(f"/studio/jobs/{job_id}").get_data(as_text=True)
    with app.app_context():  # no longer a member: the job is still theirs, the link is gone
        db.session.execute(db.delete(ShowMember).where(ShowMember.user_id == user.id))
        db.session.commit()
    page = client.get(f"/studio/jobs/{job_id}").get_data(as_text=True)
    assert "Open the episode" not in page and "Tide tables" not in page


def test_a_job_on_an_episodes_audio_is_also_for_those_who_work_on_its_show(app, factory, producers):
    """Analyses are queued after an upload with no requester: the show's members follow
    them on the episode's Audio page; an editor of another show still gets 404."""
    member, member_client = producers.editor()
    _outsider, outsider_client = producers.editor()
    show = factory.show(slug="jobs-members")
    episode = factory.episode(show=show)
    with app.app_context():
        db.session.add(ShowMember(show_id=show.id, user_id=member.id))
        job = Job.request("audio.analyze", {"episode_id": episode.id}, title="Analysis")
        db.session.commit()
        job_id = job.id
    assert member_client.get(f"/studio/jobs/{job_id}.json").status_code == 200
    assert outsider_client.get(f"/studio/jobs/{job_id}.json").status_code == 404
    assert outsider_client.get(f"/studio/jobs/{job_id}").status_code == 404
    member_dashboard = member_client.get("/studio/").get_data(as_text=True)
    assert {m["id"] for m in PROGRESS.finditer(member_dashboard)} == {job_id}
    outsider_dashboard = outsider_client.get("/studio/").get_data(as_text=True)
    assert job_id not in outsider_dashboard
