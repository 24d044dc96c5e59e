"""Filters for the studio's templates: sizes, and times in the producer's time zone."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

from flask_login import current_user

from publisher.studio.blueprint import bp


def user_zone() -> zoneinfo.ZoneInfo:
    name = getattr(current_user, "timezone", None) or "UTC"
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


@bp.app_template_filter("local_time")
def local_time(value: datetime | None) -> str:
    """``2026-05-01 09:30 Europe/Paris`` (the producer's zone), empty for None."""
    if value is None:
        return ""
    zone = user_zone()
    return f"{value.astimezone(zone):%Y-%m-%d %H:%M} {zone.key}"


@bp.app_template_filter("filesize")
def filesize(size: int | None) -> str:
    value = float(size or 0)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return ""
