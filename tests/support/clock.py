"""A clock a test controls, to inject where the code reads the time."""

from __future__ import annotations

from datetime import datetime, timedelta


class Clock:
    """Called like ``utcnow()``; says ``now`` until the test moves it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now
