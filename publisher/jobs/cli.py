"""``flask --app wsgi jobs consume|list|show ID|retry ID``."""

from __future__ import annotations

import json
import logging

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from publisher.extensions import db
from publisher.jobs import get_queue, runner
from publisher.jobs.registry import JobFailed
from publisher.models import Job, JobStatus

jobs_cli = AppGroup("jobs", help="Background jobs: run a consumer, list, show, retry.")


@jobs_cli.command("consume")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Worker threads (default: JOBS_WORKERS).")  # fmt: skip
@click.option("--no-periodic", is_flag=True, help="Do not schedule the periodic jobs here.")
def consume(workers: int | None, no_periodic: bool) -> None:
    """Run jobs until stopped (Ctrl-C or SIGTERM: the running jobs finish first)."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    queue = get_queue()
    click.echo(f"Consuming jobs from {queue.describe()}.")
    queue.consumer(workers=workers, periodic=not no_periodic).run()


@jobs_cli.command("run-pending")
def run_pending() -> None:
    """Run the jobs waiting in the queue now, in this process, then exit."""
    count = get_queue().run_pending()
    click.echo(f"Ran {count} job(s).")


def _line(job: Job) -> str:
    progress = ""
    if job.progress_total:
        progress = f"{job.progress_done}/{job.progress_total}"
    created = job.created_at.isoformat(timespec="seconds")
    return f"{job.id}\t{job.kind}\t{job.status}\t{progress}\t{created}\t{job.title}"


@jobs_cli.command("list")
@click.option("--status", type=click.Choice([s.value for s in JobStatus]), default=None)
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
def list_jobs(status: str | None, limit: int) -> None:
    """The newest jobs: id, kind, status, progress, created, title."""
    statement = select(Job).order_by(Job.created_at.desc(), Job.id).limit(limit)
    if status:
        statement = statement.where(Job.status == status)
    jobs = db.session.scalars(statement).all()
    if not jobs:
        click.echo("No jobs.")
        return
    for job in jobs:
        click.echo(_line(job))


def _job(job_id: str) -> Job:
    job = db.session.get(Job, job_id.strip()) if len(job_id) <= 64 else None
    if job is None:
        raise click.ClickException(f"There is no job {job_id!r} (see `jobs list`).")
    return job


@jobs_cli.command("show")
@click.argument("job_id")
def show_job(job_id: str) -> None:
    """Everything about one job: status, progress, error, result."""
    job = _job(job_id)
    fields = {
        "id": job.id,
        "kind": job.kind,
        "title": job.title,
        "status": job.status,
        "progress": f"{job.progress_done}/{job.progress_total or '?'}",
        "bytes": job.progress_bytes,
        "message": job.message,
        "attempts": f"{job.attempts} of {job.max_attempts}",
        "created": job.created_at.isoformat(timespec="seconds"),
        "started": job.started_at.isoformat(timespec="seconds") if job.started_at else "",
        "finished": job.finished_at.isoformat(timespec="seconds") if job.finished_at else "",
        "error": job.error or "",
    }
    for name, value in fields.items():
        click.echo(f"{name + ':':<10} {value}")
    if job.result:
        click.echo("result:")
        click.echo(json.dumps(job.result, indent=2, ensure_ascii=False, default=str))


@jobs_cli.command("retry")
@click.argument("job_id")
def retry_job(job_id: str) -> None:
    """Queue a failed job again, with fresh attempts."""
    job = _job(job_id)
    try:
        runner.retry(current_app._get_current_object(), job.id)  # type: ignore[attr-defined]
    except JobFailed as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"Job {job.id} ({job.kind}) is queued again.")
