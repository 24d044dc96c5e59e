"""Status and publication time, checked together for articles and episodes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.sql import ColumnElement

from publisher.exceptions import ValidationError
from publisher.models import Status, public_filter, scheduled_filter


def publication_fields(
    fields: dict[str, Any], current_status: str, current_publish_at: datetime | None, now: datetime
) -> dict[str, Any]:
    """Check status/publish_at together; ``published`` without a time means now."""
    status = fields.get("status", current_status)
    publish_at = fields.get("publish_at", current_publish_at)
    if status == Status.SCHEDULED and publish_at is None:
        raise ValidationError(
            "A scheduled item needs a publication time.",
            details=[{"field": "publish_at", "message": "Required when status is scheduled."}],
        )
    if status == Status.PUBLISHED and publish_at is None:
        fields = {**fields, "publish_at": now}
    return fields


def status_condition(model: Any, status: str, now: datetime) -> ColumnElement[bool]:
    """Rows whose *effective* status (see ``effective_status``) is ``status``."""
    if status == Status.DRAFT:
        return model.status == Status.DRAFT
    if status == Status.PUBLISHED:
        return public_filter(model, now)
    return scheduled_filter(model, now)
