"""The one place where areas register their jobs and periodic jobs.

Add a line to ``register_tasks``: ``registry.task(NAME, handler)`` where ``handler(job,
**arguments)`` gets a ``JobContext`` (``job.progress(...)``) and the job's arguments
(JSON values), does idempotent work (a re-run after a crash must finish the work, never
duplicate it), and returns a small JSON result. Raise ``JobFailed(message)`` (or a
``PublisherError``) for a failure that retrying cannot fix; any other exception is
retried with backoff. Schedule with ``registry.every(crontab(...), NAME)``.

Request a job from any edge with ``Job.request(NAME, {...})`` and commit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from publisher.jobs.registry import JobFailed, Registry, crontab
from publisher.jobs.runner import JobContext


def every_minutes(minutes: int) -> Callable[[datetime], bool]:
    """A schedule that matches every ``minutes`` minutes of the day (from midnight)."""

    def due(moment: datetime) -> bool:
        return (moment.hour * 60 + moment.minute) % minutes == 0

    return due


def register_tasks(registry: Registry, config: Mapping[str, Any] | None = None) -> None:
    config = config or {}
    # feeds: tell the WebSub hub a feed changed (hubs can be down: retry for ~15 min).
    registry.task("websub.ping", ping_websub_hub, max_attempts=6, retry_delay=30)
    # media: probe and store the audio of a finished direct-to-S3 upload.
    registry.task("uploads.complete", complete_direct_upload, max_attempts=3)
    # import: a show and its episodes from another host's feed (docs/import.md).
    registry.task("imports.run", run_import, max_attempts=5, retry_delay=30)
    # audio: measure an episode's audio after upload or replacement (docs/audio.md).
    registry.task("audio.analyze", analyze_audio, max_attempts=3)
    # audio: a rendition becomes the enclosure, or the uploaded file again (the studio).
    registry.task("audio.render", render_audio, max_attempts=2)
    registry.task("audio.restore", restore_audio, max_attempts=2)
    # analytics: daily rollup of downloads (and retention), byte-progress pruning.
    registry.task("stats.rollup", rollup_downloads)
    registry.task("stats.prune", prune_progress)
    registry.every(crontab(minute="5"), "stats.rollup")  # hourly: late rows, new days
    registry.every(crontab(minute="10", hour="0"), "stats.prune")
    # media: what crashed writes left in the store (docs/deployment.md); 0 turns it off
    # (then run `flask storage janitor` from cron).
    registry.task("storage.janitor", run_storage_janitor, max_attempts=1)
    janitor_minutes = int(config.get("STORAGE_JANITOR_MINUTES", 0) or 0)
    if janitor_minutes > 0:
        registry.every(every_minutes(janitor_minutes), "storage.janitor")
    # jobs: finished job rows older than JOBS_KEEP_DAYS (periodic runs add ~120 a day).
    registry.task("jobs.prune", prune_finished_jobs, max_attempts=1)
    if int(config.get("JOBS_KEEP_DAYS", 0) or 0) > 0:
        registry.every(crontab(minute="20", hour="0"), "jobs.prune")


# ---------------------------------------------------------------------------- feeds


def ping_websub_hub(job: JobContext, hub: str, feeds: list[str]) -> dict[str, Any]:
    from publisher.podcasting.websub import send_pings

    statuses = send_pings(hub, feeds)
    failed = [feed for feed, status in zip(feeds, statuses, strict=True) if not 200 <= status < 300]
    job.progress(done=len(feeds) - len(failed), total=len(feeds))
    if failed:
        # Retried with backoff; pinging the feeds that got through again is harmless.
        raise ConnectionError(f"the hub {hub} did not accept {len(failed)} ping(s): {statuses}")
    return {"hub": hub, "feeds": feeds, "statuses": statuses}


# ---------------------------------------------------------------------------- media


def complete_direct_upload(job: JobContext, **arguments: Any) -> dict[str, Any]:
    from publisher.jobs.uploads import complete

    return complete(job, **arguments)


def run_storage_janitor(job: JobContext) -> dict[str, Any]:
    """Remove the debris of writes that never committed (``storage janitor``'s work)."""
    from publisher.media.janitor import run_janitor

    report = run_janitor()
    job.progress(done=len(report.removed), message=report.summary())
    if report.failed:
        # Not retried now: the next scheduled run tries them again.
        raise JobFailed(f"Some writes could not be cleaned ({len(report.failed)}); "
                        "the next run tries again.")  # fmt: skip
    return {"removed": report.removed, "kept": report.kept,
            "uploads_aborted": report.uploads_aborted,
            "spool_files_removed": report.spool_files_removed}  # fmt: skip


# ---------------------------------------------------------------------------- import


def run_import(job: JobContext, **arguments: Any) -> dict[str, Any]:
    from publisher.jobs.imports import run_import_job

    return run_import_job(job, **arguments)


# ---------------------------------------------------------------------------- analytics


def rollup_downloads(job: JobContext, days: list[str] | None = None) -> dict[str, Any]:
    from datetime import date

    from publisher.analytics.rollup import roll_up

    wanted = [date.fromisoformat(day) for day in days] if days else None
    report = roll_up(wanted, progress=lambda done, total: job.progress(done=done, total=total))
    return report


def analyze_audio(job: JobContext, episode_id: int) -> dict[str, Any]:
    """The episode's audio analysis and waveform; an episode deleted since is skipped."""
    from publisher.exceptions import NotFound
    from publisher.extensions import db
    from publisher.operations.audio import analyze_episode

    try:
        analysis = analyze_episode(episode_id)
    except NotFound:
        db.session.rollback()
        return {"skipped": f"episode {episode_id} no longer exists"}
    db.session.commit()
    return {"episode_id": episode_id, "status": str(analysis.status)}


def render_audio(
    job: JobContext, episode_id: int, kind: str, codec: str | None = None
) -> dict[str, Any]:
    """A rendition as the enclosure (``operations.audio.make_rendition``), then its
    analysis, as the API's POST /renditions does in the request."""
    from publisher.extensions import db
    from publisher.operations.audio import analyze_episode, make_rendition

    job.progress(done=0, total=2)
    episode = make_rendition(episode_id, kind, codec)
    db.session.commit()
    job.progress(done=1, total=2)
    analysis = analyze_episode(episode_id)
    db.session.commit()
    job.progress(done=2, total=2)
    return {"episode_id": episode_id, "kind": kind, "mime_type": episode.mime_type,
            "analysis": str(analysis.status)}  # fmt: skip


def restore_audio(job: JobContext, episode_id: int) -> dict[str, Any]:
    """The uploaded file as the enclosure again, then its analysis (DELETE /renditions)."""
    from publisher.exceptions import Conflict
    from publisher.extensions import db
    from publisher.operations.audio import analyze_episode, drop_rendition

    try:
        drop_rendition(episode_id)
    except Conflict:  # a re-run after a crash past the commit: already restored
        db.session.rollback()
    else:
        db.session.commit()
    analysis = analyze_episode(episode_id)
    db.session.commit()
    return {"episode_id": episode_id, "analysis": str(analysis.status)}


def prune_progress(job: JobContext) -> dict[str, Any]:
    """Past days' salts, client hashes and user agents forgotten, progress rows removed
    (docs/security.md): the listener-privacy rule, daily."""
    from dataclasses import asdict

    from publisher.analytics.privacy import forget_past_days
    from publisher.extensions import db
    from publisher.models import utcnow

    forgotten = forget_past_days(today=utcnow().date())
    db.session.commit()
    return asdict(forgotten)


# ---------------------------------------------------------------------------- jobs


def prune_finished_jobs(job: JobContext) -> dict[str, Any]:
    """Forget the jobs that finished more than ``JOBS_KEEP_DAYS`` ago (this one stays)."""
    from flask import current_app

    from publisher.extensions import db
    from publisher.models import Job, utcnow

    days = int(current_app.config["JOBS_KEEP_DAYS"])
    if days <= 0:
        return {"deleted": 0}
    deleted = Job.forget_finished(before=utcnow() - timedelta(days=days))
    db.session.commit()
    job.progress(done=deleted, message=f"{deleted} finished job(s) older than {days} days deleted")
    return {"deleted": deleted}


__all__ = ["JobFailed", "register_tasks"]
