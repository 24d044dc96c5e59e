"""Running one job: claim, heartbeat, progress, success, retry or failure.

- **Claim**: one UPDATE moves the row from ``queued`` (or from a ``running`` whose
  heartbeat stopped) to ``running``; a consumer that loses the race does nothing, so a
  job id delivered twice runs once at a time.
- **Heartbeat**: while the handler runs, a thread stamps ``heartbeat_at`` every
  JOBS_HEARTBEAT_SECONDS. A consumer killed with SIGKILL stops stamping; after
  JOBS_STALL_SECONDS ``requeue_stalled`` (at every consumer start, and every minute)
  queues the job again. Handlers are idempotent and resumable, so the next run
  finishes the work and never duplicates it.
- **Outcome**: the handler's return value is the job's ``result`` (``done``). A
  ``JobFailed`` or ``PublisherError`` is final (``failed`` with its message); any other
  exception is retried with exponential backoff until the job's ``max_attempts``.

Progress and heartbeats are written on their own connection (autocommit), so producers
see them while the handler's own transaction is open.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import or_, select, update

from publisher.exceptions import PublisherError
from publisher.extensions import db
from publisher.jobs.registry import JobFailed
from publisher.models import Job, JobStatus, utcnow
from publisher.models.job import PENDING_JOBS

logger = logging.getLogger(__name__)


class JobContext:
    """What a handler gets besides its arguments: its job and a way to report progress."""

    def __init__(self, app: Flask, job: Job) -> None:
        self.app = app
        self.job_id = job.id
        self.attempt = job.attempts
        self.user_id = job.user_id
        self.arguments = dict(job.arguments or {})
        self.observer: Any = None

    def progress(
        self,
        done: int | None = None,
        total: int | None = None,
        bytes_done: int | None = None,
        message: str | None = None,
    ) -> None:
        """Record progress (visible at once through the API and `jobs show`)."""
        values: dict[str, Any] = {"heartbeat_at": utcnow()}
        if done is not None:
            values["progress_done"] = done
        if total is not None:
            values["progress_total"] = total
        if bytes_done is not None:
            values["progress_bytes"] = bytes_done
        if message is not None:
            values["message"] = message[:500]
        _write(self.job_id, values)


def _write(job_id: str, values: dict[str, Any], *conditions: Any) -> int:
    """UPDATE the job row on its own autocommitted connection; returns rows changed."""
    statement = update(Job).where(Job.id == job_id, *conditions).values(**values)
    with db.engine.begin() as conn:
        return conn.execute(statement).rowcount


def _stall_cutoff(app: Flask):
    return utcnow() - timedelta(seconds=float(app.config["JOBS_STALL_SECONDS"]))


def claim(app: Flask, job_id: str) -> bool:
    now = utcnow()
    claimable = or_(
        Job.status == JobStatus.QUEUED,
        (Job.status == JobStatus.RUNNING) & (Job.heartbeat_at < _stall_cutoff(app)),
    )
    values = {
        "status": JobStatus.RUNNING,
        "attempts": Job.attempts + 1,
        "started_at": now,
        "heartbeat_at": now,
        "error": None,
    }
    return _write(job_id, values, claimable) == 1


class _Heartbeat:
    def __init__(self, app: Flask, job_id: str) -> None:
        self.app, self.job_id = app, job_id
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"job-{job_id[:8]}", daemon=True)

    def _beat(self) -> None:
        interval = float(self.app.config["JOBS_HEARTBEAT_SECONDS"])
        with self.app.app_context():
            while not self.stop.wait(interval):
                try:
                    _write(self.job_id, {"heartbeat_at": utcnow()}, Job.status == "running")
                except Exception:  # a busy database: the next beat will do
                    logger.warning("Heartbeat of job %s failed", self.job_id, exc_info=True)

    def __enter__(self) -> _Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop.set()
        self.thread.join()


def run(app: Flask, job_id: str) -> None:
    """Run the job ``job_id`` if it can be claimed (the queue's only task)."""
    with app.app_context():
        if not claim(app, job_id):
            logger.info("Job %s is not waiting to run; skipped.", job_id)
            return
        _execute(app, job_id)


def run_now(
    app: Flask,
    kind: str,
    arguments: dict[str, Any],
    user_id: int | None = None,
    title: str = "",
    observer: Any = None,
) -> Job:
    """Request a job and run it here and now (periodic tasks, the CLI's foreground
    import); it has a status like any other. Returns the finished row. ``observer`` is
    handed to the handler as ``job.observer`` (the CLI's progress bar)."""
    with app.app_context():
        job = Job.request(kind, arguments, title=title or _title(kind, arguments), user_id=user_id)
        job.max_attempts = 1
        db.session.info.pop(PENDING_JOBS, None)  # runs here, not via the queue
        db.session.commit()
        job_id = job.id
        if claim(app, job_id):
            _execute(app, job_id, observer)
        db.session.remove()
        finished = db.session.get(Job, job_id)
        assert finished is not None
        return finished


def _title(kind: str, arguments: dict[str, Any]) -> str:
    return kind if not arguments else f"{kind} {arguments}"[:500]


def _execute(app: Flask, job_id: str, observer: Any = None) -> None:
    from publisher.jobs import get_queue

    queue = get_queue(app)
    db.session.expire_all()  # the claim was written on another connection
    job = db.session.get(Job, job_id)
    assert job is not None  # claimed a moment ago; jobs are never deleted while queued
    kind = queue.registry.kinds.get(job.kind)
    if kind is None:
        _finish(job_id, JobStatus.FAILED, error=f"Unknown kind of job {job.kind!r}.")
        return
    if not job.max_attempts:  # the task's limit, else the setting
        limit = kind.max_attempts or int(app.config["JOBS_MAX_ATTEMPTS"])
        _write(job_id, {"max_attempts": limit})
        job.max_attempts = limit
    context = JobContext(app, job)
    context.observer = observer
    db.session.rollback()  # the handler starts with a clean session
    logger.info("Job %s (%s) started, attempt %s", job_id, kind.name, context.attempt)
    try:
        with _Heartbeat(app, job_id):
            result = kind.handler(context, **context.arguments)
        db.session.commit()
    except (JobFailed, PublisherError) as exc:
        db.session.rollback()
        logger.info("Job %s failed: %s", job_id, exc.message)
        _finish(job_id, JobStatus.FAILED, error=exc.message)
        return
    except Exception as exc:
        db.session.rollback()
        logger.exception("Job %s (%s) raised", job_id, kind.name)
        _retry_or_fail(app, job_id, kind, exc)
        return
    finally:
        db.session.remove()
    _finish(job_id, JobStatus.DONE, result=result or {})
    logger.info("Job %s (%s) done", job_id, kind.name)


def _finish(job_id: str, status: str, **values: Any) -> None:
    _write(job_id, {"status": status, "finished_at": utcnow(), **values})


def describe_exception(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
    return f"{exc.__class__.__name__}: {text}" if text else exc.__class__.__name__


def _retry_or_fail(app: Flask, job_id: str, kind, exc: Exception) -> None:
    from publisher.jobs import get_queue

    job = db.session.get(Job, job_id)
    assert job is not None
    attempts, limit = job.attempts, job.max_attempts
    reason = describe_exception(exc)
    if attempts >= limit:
        _finish(
            job_id,
            JobStatus.FAILED,
            error=f"Gave up after {attempts} attempt(s); the last one failed with {reason}.",
        )
        return
    base = kind.retry_delay if kind.retry_delay is not None else app.config["JOBS_RETRY_DELAY"]
    delay = float(base) * 2 ** (attempts - 1)
    _write(
        job_id,
        {"status": JobStatus.QUEUED, "message": f"Attempt {attempts} failed ({reason}); "
         f"trying again in {delay:g} s."},
    )  # fmt: skip
    get_queue(app).send([job_id], delay=delay)


def requeue_stalled(app: Flask) -> list[str]:
    """Queue again the running jobs whose consumer stopped beating (killed, lost power);
    a job out of attempts is failed with a reason instead. Returns the ids re-queued."""
    from publisher.jobs import get_queue

    requeued = []
    with app.app_context():
        stalled = db.session.scalars(
            select(Job).where(
                Job.status == JobStatus.RUNNING, Job.heartbeat_at < _stall_cutoff(app)
            )
        ).all()
        for job in stalled:
            if job.attempts >= (job.max_attempts or int(app.config["JOBS_MAX_ATTEMPTS"])):
                error = (
                    f"The consumer running this job stopped {job.attempts} time(s) "
                    "(killed or out of memory); it was not tried again."
                )
                _finish(job.id, JobStatus.FAILED, error=error)
                continue
            changed = _write(
                job.id,
                {"status": JobStatus.QUEUED, "message": "Restarted: its consumer stopped."},
                Job.status == JobStatus.RUNNING,
                Job.heartbeat_at < _stall_cutoff(app),
            )
            if changed:
                requeued.append(job.id)
        db.session.remove()
        if requeued:
            logger.warning("Re-queued jobs whose consumer stopped: %s", requeued)
            get_queue(app).send(requeued)
    return requeued


def retry(app: Flask, job_id: str) -> Job:
    """Queue a failed (or never sent) job again with fresh attempts."""
    from publisher.jobs import get_queue

    job = db.session.get(Job, job_id)
    if job is None:
        raise JobFailed(f"There is no job {job_id}.")
    if job.status == JobStatus.DONE:
        raise JobFailed(f"Job {job_id} is done; there is nothing to retry.")
    if job.status == JobStatus.RUNNING and job.heartbeat_at >= _stall_cutoff(app):
        raise JobFailed(f"Job {job_id} is running now; wait for it to finish or fail.")
    job.status, job.error, job.attempts, job.finished_at = JobStatus.QUEUED, None, 0, None
    job.message = "Queued again by hand."
    db.session.commit()
    get_queue(app).send([job_id])
    return job
