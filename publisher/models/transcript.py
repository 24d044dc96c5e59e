"""An episode's transcript file (podcast:transcript); an episode may have several."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from publisher.extensions import db
from publisher.models.base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from publisher.models.episode import Episode


class EpisodeTranscript(db.Model):
    __tablename__ = "episode_transcripts"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), index=True
    )
    storage_key: Mapped[str] = mapped_column(String(500))
    # text/vtt, application/x-subrip, application/json or text/plain.
    mime_type: Mapped[str] = mapped_column(String(50))
    # BCP 47, e.g. "en" or "pt-BR"; empty: the show's language.
    language: Mapped[str] = mapped_column(String(35), default="")
    size_bytes: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    episode: Mapped[Episode] = relationship(back_populates="transcripts")

    def __repr__(self) -> str:
        return f"<EpisodeTranscript {self.id} {self.mime_type}>"
