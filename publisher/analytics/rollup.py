"""The daily rollup: a day's raw download rows become per-episode, per-app counts.

``roll_up()`` rolls up every UTC day before today that is not rolled up yet, and always
yesterday and the day before again (a request that started before midnight can be
recorded after it). Each day is one transaction that replaces that day's counts
(DELETE then INSERT … SELECT … GROUP BY) and marks the day in ``rolled_up_days``: run it
twice, or kill it halfway, and the counts are still exact.

Then raw rows older than DOWNLOAD_RETENTION_DAYS are deleted, only for days already
rolled up. Stats (``stats.py``) read the rollups for rolled-up days and raw rows for the
others (today).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, insert, literal, select

from publisher.extensions import db
from publisher.models import (
    Download,
    DownloadDay,
    Episode,
    RolledUpDay,
    ShowDownloadDay,
    utcnow,
)

logger = logging.getLogger(__name__)

RE_ROLLED_DAYS = 2  # yesterday and the day before are rolled up again each run


def days_to_roll_up(today: date) -> list[date]:
    """Every day from the first not yet rolled up (or the day before yesterday) to
    yesterday; on a first run, from the oldest raw row."""
    last = db.session.scalar(select(func.max(RolledUpDay.day)))
    if last is None:
        first = db.session.scalar(select(func.min(Download.day)))
        if first is None:
            return []
    else:
        first = min(last + timedelta(days=1), today - timedelta(days=RE_ROLLED_DAYS))
    return [first + timedelta(days=n) for n in range((today - first).days)]


def retention_cutoff(today: date) -> date:
    return today - timedelta(days=int(current_app.config["DOWNLOAD_RETENTION_DAYS"]))


def roll_up_day(day: date) -> int:
    """Replace ``day``'s counts with those of its raw rows, in the caller's transaction.
    Returns the day's downloads (bots included)."""
    db.session.execute(delete(DownloadDay).where(DownloadDay.day == day))
    db.session.execute(delete(ShowDownloadDay).where(ShowDownloadDay.day == day))
    counted = func.count().label("downloads")
    source = (
        select(
            Download.episode_id,
            literal(day).label("day"),
            Download.app_name,
            Download.is_bot,
            Episode.show_id,
            counted,
        )
        .join(Episode, Episode.id == Download.episode_id)
        # Downloads over the per-network user-agent cap are not counted (docs/delivery.md).
        .where(Download.day == day, Download.is_filtered.is_(False))
        .group_by(Download.episode_id, Download.app_name, Download.is_bot, Episode.show_id)
    )
    db.session.execute(
        insert(DownloadDay).from_select(
            ["episode_id", "day", "app_name", "is_bot", "show_id", "downloads"], source
        )
    )
    per_show = (
        select(
            DownloadDay.show_id,
            DownloadDay.day,
            DownloadDay.app_name,
            DownloadDay.is_bot,
            func.sum(DownloadDay.downloads),
        )
        .where(DownloadDay.day == day)
        .group_by(DownloadDay.show_id, DownloadDay.day, DownloadDay.app_name, DownloadDay.is_bot)
    )
    db.session.execute(
        insert(ShowDownloadDay).from_select(
            ["show_id", "day", "app_name", "is_bot", "downloads"], per_show
        )
    )
    total = (
        db.session.scalar(
            select(func.coalesce(func.sum(ShowDownloadDay.downloads), 0)).where(
                ShowDownloadDay.day == day
            )
        )
        or 0
    )
    marker = db.session.get(RolledUpDay, day)
    if marker is None:
        db.session.add(RolledUpDay(day=day, downloads=total, rolled_up_at=utcnow()))
    else:
        marker.downloads, marker.rolled_up_at = total, utcnow()
    db.session.flush()
    return int(total)


def delete_expired_rows(today: date) -> int:
    """Delete raw rows older than the retention whose day is rolled up."""
    cutoff = retention_cutoff(today)
    rolled = select(RolledUpDay.day).where(RolledUpDay.day < cutoff)
    result = db.session.execute(
        delete(Download).where(Download.day < cutoff, Download.day.in_(rolled))
    )
    return getattr(result, "rowcount", 0) or 0


def roll_up(
    days: Iterable[date] | None = None,
    today: date | None = None,
    progress: Callable[[int, int], Any] | None = None,
) -> dict[str, Any]:
    """Roll up ``days`` (default: see ``days_to_roll_up``), committing each day, then
    apply the retention. Returns a report."""
    today = today or utcnow().date()
    wanted = sorted(set(days)) if days is not None else days_to_roll_up(today)
    cutoff = retention_cutoff(today)
    rolled = set(db.session.scalars(select(RolledUpDay.day).where(RolledUpDay.day < cutoff)))
    # Today is not over; a rolled-up day past the retention has lost its raw rows, and
    # rolling it up again would erase its counts.
    skipped = [day for day in wanted if day >= today or day in rolled]
    wanted = [day for day in wanted if day < today and day not in rolled]
    totals = {}
    for index, day in enumerate(wanted):
        totals[day.isoformat()] = roll_up_day(day)
        db.session.commit()
        if progress:
            progress(index + 1, len(wanted))
    removed = delete_expired_rows(today)
    db.session.commit()
    if wanted or removed:
        logger.info("Rolled up %s day(s); deleted %s raw rows past retention", len(wanted), removed)
    return {
        "days": totals,
        "skipped": [day.isoformat() for day in skipped],
        "deleted_raw_rows": removed,
    }
