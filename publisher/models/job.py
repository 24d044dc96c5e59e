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
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, delete
from sqlalchemy.orm import Mapped, mapped_column

from publisher.extensions import db
from publisher.models.base import UTCDateTime, utcnow
from publisher.models.episode import Episode
from publisher.models.membership import can_edit_show
from publisher.models.vocabulary import Role, check_in

if TYPE_CHECKING:
    from publisher.models.user import User

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

    @classmethod
    def find(cls, job_id: str) -> Job | None:
        """The job with this id; None for no such job or an id that cannot be one."""
        if not (0 < len(job_id) <= 32 and job_id.isascii() and job_id.isalnum()):
            return None
        return db.session.get(cls, job_id)

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @classmethod
    def forget_finished(cls, before: datetime) -> int:
        """Delete the jobs that finished (done or failed) before ``before``; queued and
        running ones stay whatever their age. Returns how many went."""
        result = db.session.execute(
            delete(cls).where(
                cls.status.in_([JobStatus.DONE, JobStatus.FAILED]), cls.finished_at < before
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)

    @property
    def percent(self) -> int:
        """Progress in whole percent: 100 once done; 0 while the total is unknown."""
        if self.status == JobStatus.DONE:
            return 100
        if not self.progress_total:
            return 0
        return max(0, min(100, self.progress_done * 100 // self.progress_total))

    def visible_to(self, user: User | None) -> bool:
        """A job is the business of the user who requested it and of admins, and a job on
        an episode's audio (analysis, renditions: queued after an upload, with no requester)
        also of those who work on its show; to anybody else it does not exist (the API and
        the studio answer 404, like for a draft)."""
        if user is None or not getattr(user, "is_authenticated", True):
            return False
        if user.role == Role.ADMIN or (self.user_id is not None and self.user_id == user.id):
            return True
        return self._on_an_episode_of_a_show_of(user)

    def _on_an_episode_of_a_show_of(self, user: User) -> bool:
        episode_id = (self.arguments or {}).get("episode_id")
        if type(episode_id) is not int:
            return False
        episode = db.session.get(Episode, episode_id)
        return episode is not None and can_edit_show(user, episode.show)

    def status_fields(self) -> dict[str, Any]:
        """What a producer may know of the job (the API's job shape, less its ``url``)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "status": self.status,
            "progress": {
                "done": self.progress_done,
                "total": self.progress_total,
                "bytes": self.progress_bytes,
                "message": self.message,
            },
            "error": self.error,
            "result": self.result,
            "attempts": self.attempts,
            "max_attempts": self.max_attempts,
            "created_at": self.created_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
        }

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.status}>"
