"""Rendered feeds kept in the database, so every app process reuses one rendering."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from publisher.extensions import db
from publisher.models.base import UTCDateTime, utcnow


class FeedRendering(db.Model):
    """One rendered document (a show's feed or one of its pages, the articles feed, the
    sitemap) with its gzip form, valid while the data's fingerprint is unchanged."""

    __tablename__ = "feed_renderings"

    # "show:<id>", "show:<id>:page:<n>", "articles", "sitemap", "sitemap:<n>"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    # A show's renderings go when the show goes.
    show_id: Mapped[int | None] = mapped_column(
        ForeignKey("shows.id", ondelete="CASCADE"), index=True
    )
    fingerprint: Mapped[str] = mapped_column(String(64))
    etag: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(100))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    body_gzip: Mapped[bytes] = mapped_column(LargeBinary)
    last_modified: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<FeedRendering {self.key} {self.etag}>"
