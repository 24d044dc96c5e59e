"""The queue on both backends (SQLite file, real Redis): status, retries, failures, the
stall check, the CLI and the API."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from publisher.extensions import db
from publisher.jobs import get_queue, runner
from publisher.jobs.registry import JobFailed
from publisher.models import Job, utcnow


@pytest.fixture
def queue(app):
    queue = get_queue(app)
    calls: list[dict] = []

    def count(job, n: int) -> dict:
        job.progress(done=n, total=n, message="counted")
        calls.append({"n": n, "attempt": job.attempt})
        return {"counted": n}

    def flaky(job, fail_times: int) -> dict:
        if job.attempt <= fail_times:
            raise ConnectionError("the other side hung up")
        return {"attempt": job.attempt}

    def refuse(job) -> None:
        raise JobFailed("This cannot work: the file is not audio.")

    queue.registry.task("test.count", count)
    queue.registry.task("test.flaky", flaky)
    queue.registry.task("test.refuse", refuse)
    queue.calls = calls
    return queue


def request(app, kind, arguments, **options) -> str:
    with app.app_context():
        job = Job.request(kind, arguments, **options)
        db.session.commit()
        return job.id


def job_row(app, job_id) -> Job:
    with app.app_context():
        job = db.session.get(Job, job_id)
        db.session.expunge(job)
        return job


def test_a_job_reaches_the_queue_only_when_its_transaction_commits(app, queue):
    with app.app_context():
        Job.request("test.count", {"n": 1})
        db.session.rollback()
    assert queue.pending_count() == 0
    job_id = request(app, "test.count", {"n": 3})
    assert queue.pending_count() == 1
    assert queue.run_pending() == 1
    job = job_row(app, job_id)
    assert (job.status, job.result, job.progress_done, job.message) == (
        "done", {"counted": 3}, 3, "counted")  # fmt: skip
    assert job.attempts == 1 and job.finished_at >= job.started_at


def test_a_job_delivered_twice_runs_once(app, queue):
    job_id = request(app, "test.count", {"n": 1})
    queue.send([job_id])
    queue.run_pending()
    assert len(queue.calls) == 1


def test_temporary_failures_are_retried_then_succeed(app, queue):
    job_id = request(app, "test.flaky", {"fail_times": 2})
    queue.run_pending(include_scheduled=True)
    job = job_row(app, job_id)
    assert (job.status, job.attempts, job.result) == ("done", 3, {"attempt": 3})


def test_a_job_out_of_attempts_fails_with_a_reason(app, queue):
    job_id = request(app, "test.flaky", {"fail_times": 9}, max_attempts=2)
    queue.run_pending(include_scheduled=True)
    job = job_row(app, job_id)
    assert job.status == "failed" and job.attempts == 2
    assert job.error == (
        "Gave up after 2 attempt(s); the last one failed with "
        "ConnectionError: the other side hung up."
    )


def test_a_final_failure_is_not_retried(app, queue):
    job_id = request(app, "test.refuse", {})
    queue.run_pending(include_scheduled=True)
    job = job_row(app, job_id)
    assert (job.status, job.attempts) == ("failed", 1)
    assert job.error == "This cannot work: the file is not audio."


def test_a_running_job_whose_heartbeat_stopped_is_queued_again(app, queue):
    job_id = request(app, "test.count", {"n": 2})
    queue.huey.flush()  # the message is lost with its consumer
    with app.app_context():
        job = db.session.get(Job, job_id)
        job.status, job.attempts = "running", 1
        job.heartbeat_at = utcnow() - timedelta(seconds=app.config["JOBS_STALL_SECONDS"] + 1)
        db.session.commit()
    assert runner.requeue_stalled(app) == [job_id]
    queue.run_pending()
    job = job_row(app, job_id)
    assert (job.status, job.attempts) == ("done", 2)


def test_a_live_running_job_is_left_alone(app, queue):
    job_id = request(app, "test.count", {"n": 2})
    with app.app_context():
        job = db.session.get(Job, job_id)
        job.status, job.heartbeat_at = "running", utcnow()
        db.session.commit()
    assert runner.requeue_stalled(app) == []
    queue.run_pending()
    assert queue.calls == []  # the claim refused it: someone is running it


def test_cli_lists_shows_and_retries(app, queue, runner):
    job_id = request(app, "test.refuse", {}, title="Refusing job")
    queue.run_pending()
    listed = runner.invoke(args=["jobs", "list"])
    assert job_id in listed.output and "failed" in listed.output
    shown = runner.invoke(args=["jobs", "show", job_id])
    assert "This cannot work: the file is not audio." in shown.output
    assert runner.invoke(args=["jobs", "show", "nope"]).exit_code != 0
    retried = runner.invoke(args=["jobs", "retry", job_id])
    assert retried.exit_code == 0, retried.output
    assert job_row(app, job_id).status == "queued"
    assert queue.pending_count() == 1
    done_id = request(app, "test.count", {"n": 1})
    queue.run_pending()
    refused = runner.invoke(args=["jobs", "retry", done_id])
    assert refused.exit_code != 0 and "nothing to retry" in refused.output


def test_the_api_shows_a_job_to_its_owner_and_admins_only(app, client, queue, factory):
    owner = factory.user()
    job_id = request(app, "test.count", {"n": 4}, user_id=owner.id)
    queue.run_pending()

    def get(token):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.get(f"/api/v1/jobs/{job_id}", headers=headers)

    answer = get(factory.token(owner))
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["status"] == "done" and body["progress"]["done"] == 4
    assert body["url"] == f"http://publisher.test/api/v1/jobs/{job_id}"
    assert get(factory.token(factory.user(role="admin"))).status_code == 200
    assert get(factory.token()).status_code == 404
    assert get(None).status_code == 401
    assert client.get("/api/v1/jobs/..%2f..", headers={
        "Authorization": f"Bearer {factory.token(owner)}"}).status_code == 404  # fmt: skip


def test_periodic_jobs_are_registered_with_the_queue(app):
    queue = get_queue(app)
    names = {p.name for p in queue.registry.periodic}
    assert {"stats.rollup", "stats.prune"} <= names
    at_ten_past_midnight = datetime(2030, 1, 1, 0, 10)
    due = queue.huey.read_periodic(at_ten_past_midnight)
    assert sorted(type(task).__name__ for task in due) == [
        "publisher.periodic.stats.prune",
        "publisher.requeue_stalled",  # every minute: consumers that died elsewhere
    ]


def test_run_now_records_a_periodic_job(app):
    job = runner.run_now(app, "stats.prune", {})
    # The daily prune is the listener-privacy rule (docs/security.md): nothing to forget yet.
    assert job.status == "done"
    assert job.result == {"salts": 0, "downloads": 0, "progress_rows": 0}


def test_the_api_lists_exactly_the_job_statuses():
    from typing import get_args

    from publisher.api.jobs import JobOut
    from publisher.models import JobStatus

    assert get_args(JobOut.model_fields["status"].annotation) == tuple(s.value for s in JobStatus)
