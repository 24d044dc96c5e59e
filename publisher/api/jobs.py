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
from publisher.models import Job
from publisher.urls import job_url


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


def job_out(job: Job) -> JobOut:
    return JobOut.model_validate({**job.status_fields(), "url": job_url(job.id)})


def visible_job(job_id: str) -> Job:
    job = Job.find(job_id)
    if job is None or not job.visible_to(current_user_or_none()):
        raise NotFound(f"There is no job {job_id}.")
    return job


@api_route(bp, "/jobs/<job_id>", "GET", auth="editor", tag="jobs", response=JobOut)
def get_job(job_id: str) -> JobOut:
    """A background job's status: queued, running (with progress), done or failed."""
    return job_out(visible_job(job_id))
