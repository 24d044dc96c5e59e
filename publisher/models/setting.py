"""Site settings an admin changes from the studio (key → JSON value)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from publisher.extensions import db
from publisher.models.base import UTCDateTime, utcnow

# The settings that exist, with their value when no row says otherwise.
SETTING_DEFAULTS: dict[str, Any] = {"require_totp_for_admins": False}


class SiteSetting(db.Model):
    __tablename__ = "site_settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


def get_setting(key: str) -> Any:
    """The value of a setting (its default when never set)."""
    row = db.session.get(SiteSetting, key)
    return SETTING_DEFAULTS[key] if row is None else row.value
