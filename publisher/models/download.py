"""Counted downloads of episodes (one row per counted listen, IAB-style), and the byte
coverage that decides when a client's requests add up to a download.

The rules live in ``publisher.analytics.counting``; these are only the rows.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from publisher.extensions import db
from publisher.models.base import UTCDateTime, utcnow


class Download(db.Model):
    __tablename__ = "downloads"
    __table_args__ = (
        Index("ix_downloads_episode_id_created_at", "episode_id", "created_at"),
        Index("ix_downloads_episode_id_day", "episode_id", "day"),
        Index("ix_downloads_episode_id_day_network_hash", "episode_id", "day", "network_hash"),
        # Rows arrive in time order: a BRIN index finds a day's rows (the daily rollup,
        # retention) for a few kB on PostgreSQL; elsewhere it is an ordinary index.
        Index("ix_downloads_day", "day", postgresql_using="brin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The UTC calendar day of created_at: the counting window and the stats' unit, kept
    # as a column so grouping by day is the same on SQLite and PostgreSQL (no time zone
    # arithmetic in SQL) and can use an index.
    day: Mapped[date] = mapped_column(Date)
    # sha256 of (daily salt, IP or its /64, user agent): never the raw address. With the
    # user agent and the network hash, kept only for the day (the counting window) and
    # nulled after it by ``analytics.privacy.forget_past_days``; what stays is derived.
    client_hash: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(500))
    # sha256 of (daily salt, the /24 or /64 network): the unit of the user-agent cap.
    network_hash: Mapped[str | None] = mapped_column(String(64))
    app_name: Mapped[str] = mapped_column(String(100), default="Unknown")
    device: Mapped[str | None] = mapped_column(String(40))
    os: Mapped[str | None] = mapped_column(String(40))
    is_bot: Mapped[bool] = mapped_column(default=False)
    # Over the cap of distinct user agents per network, episode and day: stored, shown
    # in the stats as filtered, never counted (docs/delivery.md).
    is_filtered: Mapped[bool] = mapped_column(default=False, server_default=false())
    country: Mapped[str | None] = mapped_column(String(2))


class DownloadProgress(db.Model):
    """The bytes one client has requested of one episode on one UTC day.

    A client becomes a download when ``covered_bytes`` reaches the episode's threshold
    (audio offset plus one minute of audio, or the whole file when shorter); ``counted``
    then stays true for the rest of the day, so the client is counted once. Rows of past
    days are useless and are deleted by ``flask --app wsgi stats prune``.
    """

    __tablename__ = "download_progress"
    __table_args__ = (
        UniqueConstraint("episode_id", "day", "client_hash", name="uq_download_progress_key"),
        Index("ix_download_progress_day", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    client_hash: Mapped[str] = mapped_column(String(64))
    # Merged, sorted [start, stop) byte intervals requested so far; the distinct bytes
    # count, so an app that asks for the same range twice does not double its progress.
    spans: Mapped[list[Any]] = mapped_column(JSON, default=list)
    covered_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    counted: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class DailySalt(db.Model):
    """The random salt of one UTC day's client hashes, shared by every app process.

    Random (``secrets``), never derived from SECRET_KEY: once the row is deleted after its
    day, nobody can recompute that day's hashes, whatever else they hold.
    """

    __tablename__ = "daily_salts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
