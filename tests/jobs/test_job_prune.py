"""Finished job rows are forgotten JOBS_KEEP_DAYS after they finish (the daily
``jobs.prune``); queued and running jobs stay whatever their age, and 0 keeps everything."""

from __future__ import annotations

from datetime import datetime, timedelta

from publisher import create_app
from publisher.extensions import db
from publisher.jobs import get_queue, runner
from publisher.models import Job, JobStatus, utcnow
from tests.support.app import test_config


def periodic_names(app) -> set[str]:
    return {periodic.name for periodic in get_queue(app).registry.periodic}


def make(app, status: str, finished_days_ago: float | None, created_days_ago: float = 60):
    with app.app_context():
        job = Job.request("imports.run", {"source": "https://example.com/feed.xml"})
        job.status = status
        job.created_at = utcnow() - timedelta(days=created_days_ago)
        if finished_days_ago is not None:
            job.finished_at = utcnow() - timedelta(days=finished_days_ago)
        db.session.commit()
        return job.id


def test_finished_jobs_older_than_the_limit_go_the_others_stay(app):
    assert app.config["JOBS_KEEP_DAYS"] == 30
    old_done = make(app, JobStatus.DONE, finished_days_ago=31)
    old_failed = make(app, JobStatus.FAILED, finished_days_ago=45)
    recent_done = make(app, JobStatus.DONE, finished_days_ago=29)
    old_running = make(app, JobStatus.RUNNING, finished_days_ago=None, created_days_ago=90)
    old_queued = make(app, JobStatus.QUEUED, finished_days_ago=None, created_days_ago=90)

    job = runner.run_now(app, "jobs.prune", {})

    assert job.status == "done", job.error
    assert job.result == {"deleted": 2}
    with app.app_context():
        left = set(db.session.scalars(db.select(Job.id)))
    assert old_done not in left and old_failed not in left
    assert {recent_done, old_running, old_queued, job.id} <= left


def test_it_runs_daily_and_not_at_all_when_kept_forever(app, migrated_database, tmp_path):
    assert "jobs.prune" in periodic_names(app)
    huey = get_queue(app).huey
    due = {type(t).__name__ for t in huey.read_periodic(datetime(2030, 1, 1, 0, 20))}
    assert "publisher.periodic.jobs.prune" in due
    due = {type(t).__name__ for t in huey.read_periodic(datetime(2030, 1, 1, 1, 20))}
    assert "publisher.periodic.jobs.prune" not in due

    forever = create_app(test_config(migrated_database, tmp_path, JOBS_KEEP_DAYS=0))
    assert "jobs.prune" not in periodic_names(forever)
    app.config["JOBS_KEEP_DAYS"] = 0
    old_done = make(app, JobStatus.DONE, finished_days_ago=400)
    job = runner.run_now(app, "jobs.prune", {})  # by hand: still keeps everything
    assert job.result == {"deleted": 0}
    with app.app_context():
        assert db.session.get(Job, old_done) is not None
