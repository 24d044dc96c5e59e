"""What every format reader shares: the result (``AudioInfo``), the error (``ProbeError``),
the limits, and helpers for sizes, cover pictures, years, chapters and tag text."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from publisher.errors import ValidationError

ACCEPTED = "MP3, M4A (AAC), Ogg Vorbis, Opus, FLAC or WAV"
# Tags (ID3 block, MP4 metadata, FLAC metadata blocks) larger than this are refused:
# they are almost always a huge embedded picture, and we would have to read all of it.
MAX_TAG_BYTES = 16 * 1024 * 1024
TAG_KEYS = ("title", "artist", "album", "comment", "year", "track", "genre")


class ProbeError(ValidationError):
    """The file is not audio we can serve; the message says why, for a person."""

    code = "unsupported_media"


@dataclass(frozen=True)
class AudioInfo:
    duration_seconds: float
    bitrate: int | None  # bits per second
    sample_rate: int | None
    channels: int | None
    codec: str
    container: str
    mime_type: str
    extension: str  # canonical: mp3, m4a, ogg, opus, flac, wav
    tags: dict[str, str | None] = field(default_factory=dict)
    cover_art: bytes | None = None
    cover_art_mime: str | None = None
    chapters: dict[str, Any] | None = None  # Podcasting 2.0 JSON chapters
    audio_offset_bytes: int = 0  # bytes before the first MP3 frame (the ID3 tag)

    def __repr__(self) -> str:  # keep cover bytes out of logs and test output
        art = f"{len(self.cover_art)} bytes" if self.cover_art else None
        return (
            f"AudioInfo({self.container}/{self.codec}, {self.duration_seconds:.3f}s, "
            f"{self.bitrate} bit/s, {self.sample_rate} Hz, {self.channels} ch, art={art})"
        )


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return megabytes(size)


def chapters_document(chapters: list[dict[str, Any]]) -> dict[str, Any] | None:
    return {"version": "1.2.0", "chapters": chapters} if chapters else None


def average_bitrate(size: int, duration: float) -> int | None:
    return round(size * 8 / duration) if duration > 0 else None


def cover_image(data: bytes) -> tuple[bytes | None, str | None]:
    """The picture and its real type, if it is a JPEG or PNG (what podcast apps show)."""
    if data.startswith(b"\xff\xd8\xff"):
        return data, "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return data, "image/png"
    return None, None


def tag_year(value: str | None) -> str | None:
    match = re.match(r"\s*(\d{4})", value or "")
    return match[1] if match else None


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def clean_text(value: str | None, *, multiline: bool = False, max_length: int = 1000) -> str | None:
    """Tag text made safe to store: no NUL or control characters, no bidi overrides,
    whitespace collapsed (newlines kept for comments), trimmed, bounded. It stays plain
    text: templates and feed writers escape it."""
    if value is None:
        return None
    value = unicodedata.normalize("NFC", str(value))
    value = _CONTROL.sub(" ", value.replace("\r\n", "\n"))
    if multiline:
        value = "\n".join(" ".join(line.split()) for line in value.split("\n")).strip()
    else:
        value = " ".join(value.split())
    return value[:max_length] or None
