"""Background jobs on a real queue: Huey, with a SQLite file in ``instance/`` by default
and Redis when ``REDIS_URL`` is set (any number of consumers on any number of machines).

- ``publisher.models.Job`` is the status producers read (API, CLI); the queue only
  carries job ids. ``Job.request(kind, arguments)`` inside a transaction queues a job
  when that transaction commits (``register_job_hooks``).
- ``runner.py`` runs a job: claims it, beats a heartbeat, records progress, retries
  failures with backoff, and records a reason people understand when it gives up.
  A job whose consumer died (SIGKILL, power cut) stops beating and is run again.
- ``tasks.py`` is the one place where every area registers its tasks and periodic tasks.
- ``cli.py``: ``flask --app wsgi jobs consume|list|show ID|retry ID``.
"""

from __future__ import annotations

from flask import Flask, current_app

from publisher.jobs.queue import JobQueue


def init_jobs(app: Flask) -> None:
    """Build this app's queue with every registered task, and send jobs on commit."""
    from publisher.jobs.tasks import register_tasks

    queue = JobQueue(app)
    register_tasks(queue.registry, app.config)
    queue.install()
    app.extensions["publisher.jobs"] = queue


def get_queue(app: Flask | None = None) -> JobQueue:
    return (app or current_app).extensions["publisher.jobs"]


__all__ = ["JobQueue", "get_queue", "init_jobs"]
