"""The queue itself: a Huey instance per app (SQLite file or Redis), the tasks installed
on it, and the session hook that sends requested jobs once their transaction commits."""

from __future__ import annotations

import datetime
import logging
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer
from sqlalchemy.orm import Session

from publisher.jobs.registry import Registry
from publisher.models.job import PENDING_JOBS

logger = logging.getLogger(__name__)

QUEUE_NAME = "publisher"


def make_huey(app: Flask) -> Huey:
    """Redis when REDIS_URL is set; otherwise a SQLite file (JOBS_QUEUE_FILE)."""
    redis_url = app.config.get("REDIS_URL")
    if redis_url:
        return RedisHuey(QUEUE_NAME, url=redis_url, results=False)
    path = Path(app.config["JOBS_QUEUE_FILE"])
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(QUEUE_NAME, filename=str(path), results=False)


class JobQueue:
    """One app's queue: ``send`` job ids, ``consumer()`` to run them."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.huey = make_huey(app)
        self.registry = Registry()
        self._run_task: Any = None

    def describe(self) -> str:
        if self.app.config.get("REDIS_URL"):
            return "Redis (REDIS_URL)"
        return f"SQLite file {self.app.config['JOBS_QUEUE_FILE']}"

    def install(self) -> None:
        """Put the tasks on the Huey instance: one that runs any job by id, and one
        periodic task per scheduled kind (each requests a job, so it has a status)."""
        from publisher.jobs import runner

        app = self.app

        @self.huey.task(name="publisher.run_job")
        def run_job(job_id: str) -> None:
            runner.run(app, job_id)

        self._run_task = run_job

        for periodic in self.registry.periodic:
            self._install_periodic(periodic)

        @self.huey.on_startup(name="publisher.requeue_stalled")
        def requeue_on_startup() -> None:
            runner.requeue_stalled(app)

        # Every minute, too: a consumer on another machine may have died.
        @self.huey.periodic_task(crontab(minute="*"), name="publisher.requeue_stalled")
        def requeue_every_minute() -> None:
            runner.requeue_stalled(app)

    def _install_periodic(self, periodic) -> None:
        from publisher.jobs import runner

        app, huey = self.app, self.huey

        def request_periodic() -> None:
            # Several consumers may each schedule it: the lock keeps one run at a time.
            lock = huey.lock_task(f"periodic:{periodic.name}")
            if lock.is_locked():
                return
            with lock:
                runner.run_now(app, periodic.name, periodic.arguments)

        request_periodic.__name__ = f"periodic_{periodic.name.replace('.', '_')}"
        huey.periodic_task(periodic.schedule, name=f"publisher.periodic.{periodic.name}")(
            request_periodic
        )

    def send(self, job_ids: list[str], delay: float | None = None) -> None:
        for job_id in job_ids:
            if delay:
                self._run_task.schedule((job_id,), delay=delay)
            else:
                self._run_task(job_id)

    def consumer(self, workers: int | None = None, periodic: bool = True) -> Consumer:
        workers = workers or int(self.app.config["JOBS_WORKERS"])
        return self.huey.create_consumer(
            workers=workers, worker_type="thread", periodic=periodic, max_delay=2.0
        )

    def run_pending(self, limit: int = 1000, include_scheduled: bool = False) -> int:
        """Run what is in the queue now, in this process, until it is empty (tests, and
        `jobs run-pending` for one-off use without a consumer); ``include_scheduled``
        also runs the retries waiting for their time. Returns how many ran."""
        count = 0
        while count < limit:
            task = self.huey.dequeue()
            if task is None and include_scheduled:
                later = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
                later += datetime.timedelta(days=1)
                due = self.huey.read_schedule(later)
                for scheduled in due:
                    self.huey.execute(scheduled, timestamp=later)
                    count += 1
                if due:
                    continue
            if task is None:
                break
            self.huey.execute(task)
            count += 1
        return count

    def pending_count(self) -> int:
        return self.huey.pending_count()


def send_after_commit(session: Session) -> None:
    """after_commit: hand the jobs this transaction requested to the queue."""
    job_ids = session.info.pop(PENDING_JOBS, None)
    if not job_ids or not has_app_context():
        return
    queue = current_app.extensions.get("publisher.jobs")
    if queue is None:
        return
    try:
        queue.send(job_ids)
    except Exception:  # the rows say "queued": `jobs retry` resends them
        logger.exception("Could not hand jobs %s to the queue (%s)", job_ids, queue.describe())


def forget_after_rollback(session: Session, previous_transaction) -> None:
    """after_soft_rollback: the requested jobs' rows are gone; nothing to send."""
    session.info.pop(PENDING_JOBS, None)
