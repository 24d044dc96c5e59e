"""Daily download counts: one row per episode, UTC day, app and bot flag.

Made from the raw ``downloads`` rows by the daily rollup job (``publisher.analytics.rollup``);
stats read these for past days and raw rows only for days not rolled up yet (today).
``show_id`` is copied in so a show's stats read one index range, with no join.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from publisher.extensions import db
from publisher.models.base import UTCDateTime, utcnow


class DownloadDay(db.Model):
    __tablename__ = "download_days"
    __table_args__ = (Index("ix_download_days_show_id_day", "show_id", "day"),)

    episode_id: Mapped[int] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    app_name: Mapped[str] = mapped_column(String(100), primary_key=True)
    is_bot: Mapped[bool] = mapped_column(primary_key=True)
    show_id: Mapped[int] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"))
    downloads: Mapped[int] = mapped_column(Integer, default=0)


class RolledUpDay(db.Model):
    """A UTC day whose downloads are in ``download_days``: stats stop reading its raw rows."""

    __tablename__ = "rolled_up_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    rolled_up_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    downloads: Mapped[int] = mapped_column(Integer, default=0)
