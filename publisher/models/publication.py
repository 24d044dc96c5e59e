"""The one definition of "public": every public surface selects content through it.

A row is public when its status is ``published`` or ``scheduled`` and its ``publish_at``
has passed. ``scheduled`` is a promise of publication at ``publish_at``: the row becomes
public when the time comes, with no write. ``draft`` is never public.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_
from sqlalchemy.sql import ColumnElement

from publisher.models.base import utcnow
from publisher.models.vocabulary import Status

RELEASED_STATUSES = (Status.SCHEDULED, Status.PUBLISHED)


def public_filter(model: Any, now: datetime | None = None) -> ColumnElement[bool]:
    """SQL condition selecting the public rows of an Article or Episode (not the show's)."""
    now = now or utcnow()
    return and_(
        model.status.in_(RELEASED_STATUSES),
        model.publish_at.is_not(None),
        model.publish_at <= now,
    )


def scheduled_filter(model: Any, now: datetime | None = None) -> ColumnElement[bool]:
    """SQL condition: released rows whose time has not come (effective status scheduled)."""
    now = now or utcnow()
    return and_(
        model.status.in_(RELEASED_STATUSES),
        or_(model.publish_at.is_(None), model.publish_at > now),
    )


def is_public(status: str, publish_at: datetime | None, now: datetime | None = None) -> bool:
    """The same rule as public_filter, for a row already loaded."""
    now = now or utcnow()
    return status in RELEASED_STATUSES and publish_at is not None and publish_at <= now


def effective_status(status: str, publish_at: datetime | None, now: datetime | None = None) -> str:
    """What a producer sees: ``scheduled`` until publish_at passes, then ``published``."""
    if status == Status.DRAFT:
        return Status.DRAFT
    now = now or utcnow()
    if publish_at is None or publish_at > now:
        return Status.SCHEDULED
    return Status.PUBLISHED


class PublicationMixin:
    """Status, publish time and the public checks for Article and Episode."""

    @classmethod
    def public_filter(cls, now: datetime | None = None) -> ColumnElement[bool]:
        """SQL condition selecting this model's public rows."""
        return public_filter(cls, now)

    def is_public(self, now: datetime | None = None) -> bool:
        return is_public(self.status, self.publish_at, now)  # type: ignore[attr-defined]

    def effective_status(self, now: datetime | None = None) -> str:
        return effective_status(self.status, self.publish_at, now)  # type: ignore[attr-defined]
