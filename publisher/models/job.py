"""Background jobs as producers see them: one row per job, whatever the queue backend.

The queue (Huey, see ``publisher.jobs``) only carries a job's id; this row carries what
it is, who asked, its status and progress, and why it failed. A job is requested with
``Job.request(...)`` inside the transaction that needs it and reaches the queue after
that transaction commits, so a consumer never sees a job whose row does not exist and a
rolled-back request leaves no job behind.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from publisher.extensions import db
from publisher.models.base import UTCDateTime, utcnow
from publisher.models.vocabulary import check_in

# Ids of jobs requested in the current transaction, sent to the queue after its commit.
PENDING_JOBS = "publisher.jobs.pending"


class JobStatus(StrEnum):
    """Where a job stands: waiting, being run (with progress), finished either way."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


def new_job_id() -> str:
    return uuid.uuid4().hex


class Job(db.Model):
    __tablename__ = "jobs"
    __table_args__ = (
        check_in("status", JobStatus),
        Index("ix_jobs_status_heartbeat_at", "status", "heartbeat_at"),
        Index("ix_jobs_created_at", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_job_id)
    # The registered task's name, e.g. "imports.run" (see publisher/jobs/tasks.py).
    kind: Mapped[str] = mapped_column(String(100))
    # What the job is about, for people: "Import of https://example.com/feed.xml".
    title: Mapped[str] = mapped_column(String(500), default="")
    arguments: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.QUEUED)
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int | None]
    progress_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    message: Mapped[str] = mapped_column(String(500), default="")
    # A reason people understand; never a traceback (those go to the consumer's log).
    error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(default=0)
    # 0 until the first run: then the task's own limit, else JOBS_MAX_ATTEMPTS.
    max_attempts: Mapped[int] = mapped_column(default=0)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Written by the running consumer every few seconds: a running job whose heartbeat
    # stops (its consumer was killed) is put back in the queue (see jobs.runner).
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @classmethod
    def request(
        cls,
        kind: str,
        arguments: dict[str, Any] | None = None,
        *,
        title: str = "",
        user_id: int | None = None,
        max_attempts: int | None = None,
    ) -> Job:
        """A queued job, added to the session; it reaches the queue once this commits."""
        job = cls(
            id=new_job_id(),
            kind=kind,
            title=title[:500],
            arguments=arguments or {},
            status=JobStatus.QUEUED,
            user_id=user_id,
            max_attempts=max_attempts or 0,
            created_at=utcnow(),
        )
        db.session.add(job)
        db.session.info.setdefault(PENDING_JOBS, []).append(job.id)
        return job

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.status}>"
