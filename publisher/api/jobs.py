"""Background jobs: ``GET /api/v1/jobs/<id>`` (status, progress, error, result).

A job is visible to the user who requested it and to admins; to anybody else it does
not exist (404), like a draft.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from publisher.api.blueprint import bp
from publisher.api.schemas import Output
from publisher.api.spec import api_route, current_user_or_none
from publisher.exceptions import NotFound
from publisher.extensions import db
from publisher.models import Job, Role
from publisher.urls import absolute


class JobProgress(Output):
    done: int = Field(description="Items done (e.g. episodes imported).")
    total: int | None = Field(description="Items in all, once known.")
    bytes: int = Field(description="Bytes transferred so far.")
    message: str = Field(description="What the job is doing, in words.")


class JobOut(Output):
    id: str
    url: str
    kind: str = Field(description="What the job does, e.g. `imports.run`, `uploads.complete`.")
    title: str
    status: Literal["queued", "running", "done", "failed"]  # JobStatus's values
    progress: JobProgress
    error: str | None = Field(description="Why it failed, in words people can act on.")
    result: dict[str, Any] | None = Field(description="What it made (when done).")
    attempts: int
    max_attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


def job_url(job: Job) -> str:
    return absolute(f"/api/v1/jobs/{job.id}")


def job_out(job: Job) -> JobOut:
    return JobOut(
        id=job.id,
        url=job_url(job),
        kind=job.kind,
        title=job.title,
        status=job.status,  # type: ignore[arg-type]
        progress=JobProgress(
            done=job.progress_done,
            total=job.progress_total,
            bytes=job.progress_bytes,
            message=job.message,
        ),
        error=job.error,
        result=job.result,
        attempts=job.attempts,
        max_attempts=job.max_attempts,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
    )


def visible_job(job_id: str) -> Job:
    user = current_user_or_none()
    job = db.session.get(Job, job_id) if len(job_id) <= 32 and job_id.isalnum() else None
    if job is None or user is None or (user.role != Role.ADMIN and job.user_id != user.id):
        raise NotFound(f"There is no job {job_id}.")
    return job


@api_route(bp, "/jobs/<job_id>", "GET", auth="editor", tag="jobs", response=JobOut)
def get_job(job_id: str) -> JobOut:
    """A background job's status: queued, running (with progress), done or failed."""
    return job_out(visible_job(job_id))
