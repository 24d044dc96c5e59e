"""Download numbers for producers: per UTC day, total and by app, for a show or episode.

Bots' downloads are left out. Days are UTC calendar days, both ends included.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.sql import ColumnElement

from publisher.exceptions import ValidationError
from publisher.extensions import db
from publisher.models import (
    Download,
    DownloadDay,
    Episode,
    RolledUpDay,
    Show,
    ShowDownloadDay,
    utcnow,
)

DEFAULT_DAYS = 30
MAX_DAYS = 731  # two years of days: a table and a chart people can still read
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Period:
    since: date
    until: date

    @property
    def days(self) -> list[date]:
        return [self.since + timedelta(days=n) for n in range((self.until - self.since).days + 1)]


@dataclass
class DownloadStats:
    """The numbers for one subject (a show or an episode) over a period."""

    subject: str  # what the numbers are about, for titles: 'show "Title"'
    period: Period
    days: list[tuple[date, int]]
    by_app: list[tuple[str, int]]
    bot_downloads: int
    extra: dict[str, Any] = field(default_factory=dict)
    # Over the per-network user-agent cap (not bots): stored, not counted.
    filtered_downloads: int = 0

    @property
    def total(self) -> int:
        return sum(count for _day, count in self.days)

    def as_json(self) -> dict[str, Any]:
        return {
            **self.extra,
            "since": self.period.since.isoformat(),
            "until": self.period.until.isoformat(),
            "total": self.total,
            "days": [{"date": d.isoformat(), "downloads": n} for d, n in self.days],
            "by_app": [{"app": app, "downloads": n} for app, n in self.by_app],
            "bot_downloads_excluded": self.bot_downloads,
            "filtered_downloads_excluded": self.filtered_downloads,
        }

    def as_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["date", "downloads"])
        writer.writerows((d.isoformat(), n) for d, n in self.days)
        return out.getvalue()


def parse_period(args: Mapping[str, str], today: date | None = None) -> Period:
    """``since``/``until`` as text (YYYY-MM-DD, UTC days, inclusive); see make_period."""
    details: list[dict[str, str]] = []
    until = _parse_date(args.get("until"), "until", details)
    since = _parse_date(args.get("since"), "since", details)
    if details:
        raise ValidationError("Dates must be written YYYY-MM-DD.", details=details)
    return make_period(since, until, today)


def make_period(since: date | None, until: date | None, today: date | None = None) -> Period:
    """The period asked for; by default the last 30 days. 422 when it is backwards or long."""
    until = until or today or utcnow().date()
    since = since or until - timedelta(days=DEFAULT_DAYS - 1)
    if since > until:
        raise ValidationError(
            f"'since' ({since}) is after 'until' ({until}).",
            details=[{"field": "since", "message": "Must be on or before until."}],
        )
    if (until - since).days + 1 > MAX_DAYS:
        raise ValidationError(
            f"Ask for at most {MAX_DAYS} days at a time "
            f"(this asks for {(until - since).days + 1}).",
            details=[{"field": "since", "message": f"At most {MAX_DAYS} days before until."}],
        )
    return Period(since, until)


def _parse_date(value: str | None, name: str, details: list[dict[str, str]]) -> date | None:
    if value is None or value == "":
        return None
    value = value.strip()
    try:
        if not _ISO_DATE.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        details.append({"field": name, "message": f"{value!r} is not a date like 2024-05-31."})
        return None


def show_stats(show: Show, period: Period) -> DownloadStats:
    episode_ids = select(Episode.id).where(Episode.show_id == show.id).scalar_subquery()
    stats = _stats(
        Download.episode_id.in_(episode_ids),
        (ShowDownloadDay, ShowDownloadDay.show_id == show.id),
        period,
        f'show "{show.title}"',
    )
    stats.extra = {"show": show.slug}
    return stats


def shows_stats(show_ids: list[int], period: Period, subject: str) -> DownloadStats:
    """The numbers of several shows together (the studio's dashboard)."""
    episode_ids = select(Episode.id).where(Episode.show_id.in_(show_ids)).scalar_subquery()
    return _stats(
        Download.episode_id.in_(episode_ids),
        (ShowDownloadDay, ShowDownloadDay.show_id.in_(show_ids)),
        period,
        subject,
    )


def episode_stats(episode: Episode, period: Period) -> DownloadStats:
    stats = _stats(
        Download.episode_id == episode.id,
        (DownloadDay, DownloadDay.episode_id == episode.id),
        period,
        f'episode "{episode.title}"',
    )
    stats.extra = {"episode": {"id": episode.id, "guid": episode.guid, "title": episode.title}}
    return stats


def _stats(
    raw: ColumnElement[bool],
    rollup: tuple[Any, ColumnElement[bool]],
    period: Period,
    subject: str,
) -> DownloadStats:
    """Counts per (day, app, bot flag): from the daily rollups for the days rolled up
    (see rollup.py), from raw rows for the others (today, or before the first rollup);
    then summed per day, per app and for bots here."""
    use_rollups = current_app.config.get("STATS_READ_ROLLUPS", True)
    rolled_days = (
        set()
        if not use_rollups
        else set(
            db.session.scalars(
                select(RolledUpDay.day).where(
                    RolledUpDay.day >= period.since, RolledUpDay.day <= period.until
                )
            )
        )
    )
    rows: list[tuple[date, str, bool, int]] = []
    filtered = 0
    if rolled_days:
        model, rolled = rollup
        rows += (
            db.session.execute(
                select(model.day, model.app_name, model.is_bot, func.sum(model.downloads))
                .where(rolled, model.day >= period.since, model.day <= period.until)
                .group_by(model.day, model.app_name, model.is_bot)
            )
            .tuples()
            .all()
        )
    raw_days = [day for day in period.days if day not in rolled_days]
    if raw_days:
        # Usually just today (and yesterday before the rollup ran): read only that range,
        # not the period's raw rows.
        first, last = raw_days[0], raw_days[-1]
        in_period = [raw, Download.day >= first, Download.day <= last]
        rolled_inside = sorted(day for day in rolled_days if first <= day <= last)
        if rolled_inside:
            in_period.append(Download.day.not_in(rolled_inside))
        rows += (
            db.session.execute(
                select(Download.day, Download.app_name, Download.is_bot, func.count())
                .where(*in_period, Download.is_filtered.is_(False))
                .group_by(Download.day, Download.app_name, Download.is_bot)
            )
            .tuples()
            .all()
        )
        # Over the per-network user-agent cap: stored, shown, not counted. Rollups leave
        # them out, so past rolled-up days report none.
        filtered = db.session.scalar(  # type: ignore[assignment]
            select(func.count())
            .select_from(Download)
            .where(*in_period, Download.is_bot.is_(False), Download.is_filtered.is_(True))
        )
    per_day: dict[date, int] = {}
    per_app: dict[str, int] = {}
    bots = 0
    for day, app, is_bot, count in rows:
        if is_bot:
            bots += int(count)
            continue
        per_day[day] = per_day.get(day, 0) + int(count)
        per_app[app] = per_app.get(app, 0) + int(count)
    return DownloadStats(
        subject=subject,
        period=period,
        days=[(day, per_day.get(day, 0)) for day in period.days],
        by_app=sorted(per_app.items(), key=lambda item: (-item[1], item[0])),
        bot_downloads=bots,
        filtered_downloads=int(filtered or 0),
    )
