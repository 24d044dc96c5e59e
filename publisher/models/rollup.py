"""Daily download counts: one row per episode (and one per show), UTC day, app and bot flag.

Made from the raw ``downloads`` rows by the daily rollup job (``publisher.analytics.rollup``);
stats read these for past days and raw rows only for days not rolled up yet (today).
Shows' stats read ``show_download_days``; episodes' read ``download_days``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from publisher.extensions import db
from publisher.models.base import UTCDateTime, utcnow


class DownloadDay(db.Model):
    __tablename__ = "download_days"
    __table_args__ = (Index("ix_download_days_day", "day"),)  # replaced a day at a time

    episode_id: Mapped[int] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    app_name: Mapped[str] = mapped_column(String(100), primary_key=True)
    is_bot: Mapped[bool] = mapped_column(primary_key=True)
    show_id: Mapped[int] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"))
    downloads: Mapped[int] = mapped_column(Integer, default=0)


class ShowDownloadDay(db.Model):
    """The same counts per show (summed over its episodes): a show's stats for a year
    read a few thousand rows, whatever its number of episodes."""

    __tablename__ = "show_download_days"

    show_id: Mapped[int] = mapped_column(
        ForeignKey("shows.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True, index=True)
    app_name: Mapped[str] = mapped_column(String(100), primary_key=True)
    is_bot: Mapped[bool] = mapped_column(primary_key=True)
    downloads: Mapped[int] = mapped_column(Integer, default=0)


class RolledUpDay(db.Model):
    """A UTC day whose downloads are in ``download_days``: stats stop reading its raw rows."""

    __tablename__ = "rolled_up_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    rolled_up_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    downloads: Mapped[int] = mapped_column(Integer, default=0)
