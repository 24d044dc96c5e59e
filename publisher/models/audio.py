"""What listening to an episode's audio produced: its analysis, and the original file kept
as an alternate enclosure when a rendition took its place in the enclosure."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from publisher.extensions import db
from publisher.models.base import UTCDateTime, utcnow
from publisher.models.episode import Episode
from publisher.models.vocabulary import check_in


class AnalysisStatus(StrEnum):
    """``done``: measured; ``failed``: the audio could not be decoded (``error`` says why)."""

    DONE = "done"
    FAILED = "failed"


class RenditionKind(StrEnum):
    """What replaced the original in the enclosure: ``normalized`` (loudness brought to
    the target) or ``compatible`` (MP3/AAC for a format Apple does not play)."""

    NORMALIZED = "normalized"
    COMPATIBLE = "compatible"


class AudioAnalysis(db.Model):
    """The measurements, findings and waveform of one episode's current audio.

    ``storage_key`` is the audio that was measured: when the episode's audio changes,
    the row no longer matches and the analysis is pending again."""

    __tablename__ = "audio_analyses"
    __table_args__ = (check_in("status", AnalysisStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), unique=True
    )
    storage_key: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16))
    measurements: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text)
    # The audiowaveform JSON document, in the media store.
    waveform_key: Mapped[str | None] = mapped_column(String(500))
    analyzed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def is_current(self, episode: Episode) -> bool:
        return self.storage_key == episode.storage_key

    def __repr__(self) -> str:
        return f"<AudioAnalysis episode={self.episode_id} {self.status}>"


class AlternateEnclosure(db.Model):
    """The uploaded file, kept when a rendition became the episode's enclosure.

    Offered in the feed as ``podcast:alternateEnclosure`` (and served at
    ``/media/<guid>.<its extension>``) when its format differs from the enclosure's."""

    __tablename__ = "alternate_enclosures"
    __table_args__ = (check_in("replaced_by", RenditionKind),)

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), unique=True
    )
    storage_key: Mapped[str] = mapped_column(String(500))
    mime_type: Mapped[str] = mapped_column(String(50))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    duration_seconds: Mapped[float | None]
    bitrate: Mapped[int | None]
    sample_rate: Mapped[int | None]
    channels: Mapped[int | None]
    codec: Mapped[str | None] = mapped_column(String(50))
    container: Mapped[str | None] = mapped_column(String(50))
    sha256: Mapped[str | None] = mapped_column(String(64))
    audio_offset_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    # The rendition now in the enclosure, and its settings ({"codec", "bitrate", "target_lufs"}).
    replaced_by: Mapped[str] = mapped_column(String(16))
    rendition: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def extension(self) -> str:
        name = self.storage_key.rsplit("/", 1)[-1]
        return name.rsplit(".", 1)[-1].lower() if "." in name else "bin"

    def offered_with(self, episode: Episode) -> bool:
        """Listed in the feed and served at its own URL: its format differs from the
        enclosure's (a normalized file of the same format replaces it outright)."""
        return self.extension != episode.extension

    def __repr__(self) -> str:
        return f"<AlternateEnclosure episode={self.episode_id} {self.storage_key}>"


# On the episode (declared here so the episode's module need not know about audio); the
# rows go with the episode (ON DELETE CASCADE).
Episode.audio_analysis = relationship(
    AudioAnalysis, uselist=False, cascade="all, delete-orphan", passive_deletes=True
)
Episode.alternate_enclosure = relationship(
    AlternateEnclosure, uselist=False, cascade="all, delete-orphan", passive_deletes=True
)


def derived_audio_keys(episode: Episode) -> set[str]:
    """Stored objects made from or kept beside the episode's audio (waveform, original)."""
    keys: set[str] = set()
    analysis = episode.audio_analysis
    if analysis is not None and analysis.waveform_key:
        keys.add(analysis.waveform_key)
    alternate = episode.alternate_enclosure
    if alternate is not None:
        keys.add(alternate.storage_key)
    return keys
