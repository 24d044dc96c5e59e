"""What a job can be: task kinds and periodic tasks, by name (filled by tasks.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from huey import crontab

__all__ = ["JobFailed", "Periodic", "Registry", "TaskKind", "crontab"]


class JobFailed(Exception):
    """A job that cannot succeed by trying again; ``message`` is shown to people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class TaskKind:
    name: str
    handler: Callable[..., dict[str, Any] | None]
    # How many times the job runs before it is "failed" (None: JOBS_MAX_ATTEMPTS).
    max_attempts: int | None = None
    retry_delay: float | None = None  # first retry after this many seconds (then doubles)


@dataclass(frozen=True)
class Periodic:
    """A task kind the queue requests on a schedule (``crontab(minute=..., hour=...)``)."""

    name: str
    schedule: Callable[[Any], bool]
    arguments: dict[str, Any] = field(default_factory=dict)


class Registry:
    def __init__(self) -> None:
        self.kinds: dict[str, TaskKind] = {}
        self.periodic: list[Periodic] = []

    def task(
        self,
        name: str,
        handler: Callable[..., dict[str, Any] | None],
        *,
        max_attempts: int | None = None,
        retry_delay: float | None = None,
    ) -> None:
        """Register ``handler(job_context, **arguments)`` under ``name``."""
        if name in self.kinds:
            raise ValueError(f"the task {name!r} is registered twice")
        self.kinds[name] = TaskKind(name, handler, max_attempts, retry_delay)

    def every(self, schedule: Callable[[Any], bool], name: str, **arguments: Any) -> None:
        """Request a job of kind ``name`` whenever ``schedule`` (a huey crontab) matches."""
        if name not in self.kinds:
            raise ValueError(f"register the task {name!r} before scheduling it")
        self.periodic.append(Periodic(name, schedule, arguments))
