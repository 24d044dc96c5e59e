"""Ogg Vorbis and Opus."""

from __future__ import annotations

from typing import Any, BinaryIO

from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from publisher.media.probe.base import AudioInfo, average_bitrate
from publisher.media.probe.vorbiscomment import from_vorbis_comments


def probe_vorbis(fileobj: BinaryIO, size: int) -> AudioInfo:
    return _probe_ogg(OggVorbis, fileobj, size, codec="vorbis", mime_type="audio/ogg")


def probe_opus(fileobj: BinaryIO, size: int) -> AudioInfo:
    return _probe_ogg(OggOpus, fileobj, size, codec="opus", mime_type="audio/opus")


def _probe_ogg(kind: Any, fileobj: BinaryIO, size: int, *, codec: str, mime_type: str) -> AudioInfo:
    fileobj.seek(0)
    ogg = kind(fileobj)
    tags, cover, cover_mime, chapters = from_vorbis_comments(ogg.tags)
    info = ogg.info
    return AudioInfo(
        duration_seconds=info.length,
        bitrate=average_bitrate(size, info.length) or getattr(info, "bitrate", None) or None,
        # Opus always decodes at 48 kHz, and mutagen's OggOpusInfo has no sample_rate.
        sample_rate=getattr(info, "sample_rate", 48000),
        channels=info.channels,
        codec=codec,
        container="ogg",
        mime_type=mime_type,
        extension="opus" if codec == "opus" else "ogg",
        tags=tags,
        cover_art=cover,
        cover_art_mime=cover_mime,
        chapters=chapters,
    )
