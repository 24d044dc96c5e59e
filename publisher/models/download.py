"""Counted downloads of episodes (one row per counted listen, IAB-style)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from publisher.extensions import db
from publisher.models.base import UTCDateTime, utcnow


class Download(db.Model):
    __tablename__ = "downloads"
    __table_args__ = (Index("ix_downloads_episode_id_created_at", "episode_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # sha256 of (daily salt, IP cut to /24 or /64, user agent): never the raw address.
    client_hash: Mapped[str] = mapped_column(String(64))
    user_agent: Mapped[str] = mapped_column(String(500), default="")
    app_name: Mapped[str] = mapped_column(String(100), default="Unknown")
    is_bot: Mapped[bool] = mapped_column(default=False)
    country: Mapped[str | None] = mapped_column(String(2))
