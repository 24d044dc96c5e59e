"""An episode of a show, with the probed metadata of its stored audio."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    and_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import ColumnElement

from publisher.extensions import db
from publisher.models.base import UTCDateTime, utcnow
from publisher.models.publication import PublicationMixin, public_filter
from publisher.models.show import Show
from publisher.models.tag import Tag, episode_tags
from publisher.models.vocabulary import EpisodeType, Status, check_in

if TYPE_CHECKING:
    from publisher.models.article import ArticleEpisode
    from publisher.models.transcript import EpisodeTranscript


def new_guid() -> str:
    return str(uuid.uuid4())


class Episode(PublicationMixin, db.Model):
    __tablename__ = "episodes"
    __table_args__ = (
        UniqueConstraint("show_id", "slug", name="uq_episodes_show_id_slug"),
        check_in("status", Status),
        check_in("episode_type", EpisodeType),
        Index("ix_episodes_show_id_publish_at", "show_id", "publish_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    show_id: Mapped[int] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"))
    # Set once at creation and never changed, not even when the audio is replaced.
    guid: Mapped[str] = mapped_column(String(64), unique=True, default=new_guid)
    slug: Mapped[str] = mapped_column(String(150))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")  # sanitized HTML
    status: Mapped[str] = mapped_column(String(16), default=Status.DRAFT.value)
    publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    season: Mapped[int | None]
    number: Mapped[int | None]
    episode_type: Mapped[str] = mapped_column(String(16), default=EpisodeType.FULL.value)
    explicit: Mapped[bool] = mapped_column(default=False)

    # The stored audio and what the probe read from it.
    storage_key: Mapped[str | None] = mapped_column(String(500))
    mime_type: Mapped[str | None] = mapped_column(String(50))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    duration_seconds: Mapped[float | None]
    bitrate: Mapped[int | None]
    sample_rate: Mapped[int | None]
    channels: Mapped[int | None]
    codec: Mapped[str | None] = mapped_column(String(50))
    container: Mapped[str | None] = mapped_column(String(50))
    sha256: Mapped[str | None] = mapped_column(String(64))
    original_filename: Mapped[str | None] = mapped_column(String(500))
    # Bytes before the first audio frame (ID3 tag, MP4 boxes…): download counting needs it.
    audio_offset_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    media_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    artwork_key: Mapped[str | None] = mapped_column(String(500))
    artwork_mime: Mapped[str | None] = mapped_column(String(50))
    transcript_key: Mapped[str | None] = mapped_column(String(500))
    transcript_type: Mapped[str | None] = mapped_column(String(50))
    # Podcasting 2.0 JSON chapters: {"version": "1.2.0", "chapters": [{"startTime", "title"}]}
    chapters: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # [{"name", "role", "href", "img"}], podcast:person for guests.
    persons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # [{"start_time", "duration", "title"}], podcast:soundbite.
    soundbites: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # itunes:title: the title without show name or numbering (Apple shows it in lists).
    itunes_title: Mapped[str] = mapped_column(String(300), default="")
    # itunes:block on the item: keep this episode out of Apple Podcasts.
    block: Mapped[bool] = mapped_column(default=False)
    # Set when the artwork was uploaded (validated, with resized copies); NULL otherwise.
    artwork_width: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    show: Mapped[Show] = relationship(back_populates="episodes")
    tags: Mapped[list[Tag]] = relationship(secondary=episode_tags, order_by=Tag.name)
    article_links: Mapped[list[ArticleEpisode]] = relationship(
        back_populates="episode", cascade="all, delete-orphan", passive_deletes=True
    )
    transcripts: Mapped[list[EpisodeTranscript]] = relationship(
        back_populates="episode",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="EpisodeTranscript.id",
    )

    @classmethod
    def public_filter(cls, now: datetime | None = None) -> ColumnElement[bool]:
        """Public episodes: released, publish_at passed, and in a published show."""
        return and_(public_filter(cls, now), cls.show.has(Show.public_filter()))

    def is_public(self, now: datetime | None = None) -> bool:
        return super().is_public(now) and self.show.is_public

    @property
    def extension(self) -> str:
        """The canonical file extension of the stored audio, used in enclosure URLs."""
        if self.storage_key and "." in self.storage_key.rsplit("/", 1)[-1]:
            return self.storage_key.rsplit(".", 1)[-1].lower()
        return "mp3"

    def __repr__(self) -> str:
        return f"<Episode {self.id} {self.slug}>"
