"""Background jobs in the studio: a job's page and its JSON status (for polling).

A job is shown to the producer who requested it and to admins (``Job.visible_to``, the
API's rule); to anybody else it does not exist (404).
"""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from publisher.extensions import db
from publisher.models import Episode, Job, JobStatus, Show, can_edit_show
from publisher.operations.imports import IMPORT_TASK
from publisher.studio.blueprint import bp
from publisher.urls import job_url

ISO_UTC_SUFFIX = "+00:00"

# Globals (not a context processor) so that macros imported from _job.html see them too.
bp.add_app_template_global(JobStatus, "JobStatus")


def job_for_viewing(job_id: str) -> Job:
    """The job, if the current user may see it (404 otherwise, whatever the reason)."""
    job = Job.find(job_id[:64])
    if job is None or not job.visible_to(current_user):
        abort(404, "There is no such job, or it is not yours.")
    return job


def result_link(job: Job) -> tuple[str, str] | None:
    """(label, studio URL) of what a finished job made: the imported show, the episode."""
    result: dict[str, Any] = job.result or {}
    slug = result.get("show")
    if isinstance(slug, str) and slug:
        show = db.session.scalar(select(Show).where(Show.slug == slug[:100]))
        if show is not None and can_edit_show(current_user, show):
            return f"Open the show “{show.title}”", url_for("studio.show", slug=show.slug)
    episode_id = result.get("episode_id", (job.arguments or {}).get("episode_id"))
    if isinstance(episode_id, int) and 0 < episode_id < 2**31:
        episode = db.session.get(Episode, episode_id)
        if episode is not None and can_edit_show(current_user, episode.show):
            url = url_for("studio.edit_episode", slug=episode.show.slug, episode_id=episode.id)
            return f"Open the episode “{episode.title}”", url
    return None


def status_json(job: Job) -> dict[str, Any]:
    """The API's job shape (``GET /api/v1/jobs/<id>``), times in ISO 8601 UTC."""
    fields = {**job.status_fields(), "url": job_url(job.id)}
    for name in ("created_at", "started_at", "finished_at"):
        if fields[name] is not None:
            fields[name] = fields[name].isoformat().replace(ISO_UTC_SUFFIX, "Z")
    return fields


@bp.get("/jobs/<job_id>")
def job(job_id: str):
    """A job's kind, status, progress, messages, and its result or why it failed."""
    job = job_for_viewing(job_id)
    return render_template(
        "studio/job.html", job=job, result_link=result_link(job), is_import=job.kind == IMPORT_TASK
    )


@bp.get("/jobs/<job_id>.json")
def job_status(job_id: str):
    """The job's status as JSON, for the pages that follow its progress."""
    return jsonify(status_json(job_for_viewing(job_id)))
