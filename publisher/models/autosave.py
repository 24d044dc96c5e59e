"""Server-side autosaves of the studio's editors: what a producer typed, not yet saved."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from publisher.extensions import db
from publisher.models.base import UTCDateTime, utcnow


class ArticleAutosave(db.Model):
    """One producer's unsaved edits of one article, and the version they started from."""

    __tablename__ = "article_autosaves"
    __table_args__ = (UniqueConstraint("article_id", "user_id", name="uq_article_autosaves_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    base_version: Mapped[int]
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
