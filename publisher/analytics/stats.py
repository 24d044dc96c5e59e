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

from sqlalchemy import func, select
from sqlalchemy.sql import ColumnElement

from publisher.exceptions import ValidationError
from publisher.extensions import db
from publisher.models import Download, Episode, Show, utcnow

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
    stats = _stats(Download.episode_id.in_(episode_ids), period, f'show "{show.title}"')
    stats.extra = {"show": show.slug}
    return stats


def episode_stats(episode: Episode, period: Period) -> DownloadStats:
    stats = _stats(Download.episode_id == episode.id, period, f'episode "{episode.title}"')
    stats.extra = {"episode": {"id": episode.id, "guid": episode.guid, "title": episode.title}}
    return stats


def _stats(which: ColumnElement[bool], period: Period, subject: str) -> DownloadStats:
    in_period = (which, Download.day >= period.since, Download.day <= period.until)
    per_day = dict(
        db.session.execute(
            select(Download.day, func.count())
            .where(*in_period, Download.is_bot.is_(False))
            .group_by(Download.day)
        )
        .tuples()
        .all()
    )
    by_app = db.session.execute(
        select(Download.app_name, func.count().label("n"))
        .where(*in_period, Download.is_bot.is_(False))
        .group_by(Download.app_name)
        .order_by(func.count().desc(), Download.app_name)
    ).all()
    bots = db.session.scalar(
        select(func.count()).select_from(Download).where(*in_period, Download.is_bot.is_(True))
    )
    return DownloadStats(
        subject=subject,
        period=period,
        days=[(day, int(per_day.get(day, 0))) for day in period.days],
        by_app=[(app, int(n)) for app, n in by_app],
        bot_downloads=int(bots or 0),
    )
