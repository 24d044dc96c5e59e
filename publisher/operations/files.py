"""Files producers attach to shows and episodes: artwork (show or episode), transcripts
(several per episode), chapters. Checked and stored through ``publisher.media``; flushed,
never committed (the edge commits once; the store follows the transaction)."""

from __future__ import annotations

import json
from typing import IO, Any

from publisher.exceptions import ValidationError
from publisher.extensions import db
from publisher.media import artwork as artwork_store
from publisher.media import transcripts as transcript_store
from publisher.models import Episode, EpisodeTranscript, Show, utcnow
from publisher.podcasting.chapters import validate_chapters

CHAPTERS_MAX_BYTES = 2 * 1024 * 1024


def set_artwork(owner: Show | Episode, stream: IO[bytes]) -> None:
    """Upload or replace artwork (JPEG/PNG, square, 1400-3000 px, RGB) with its copies."""
    artwork_store.set_artwork(owner, stream)
    db.session.flush()


def remove_artwork(owner: Show | Episode) -> None:
    artwork_store.remove_artwork(owner)
    db.session.flush()


def add_transcript(
    episode: Episode, stream: IO[bytes], *, language: str = "", declared_type: str = ""
) -> EpisodeTranscript:
    return transcript_store.add_transcript(
        episode, stream, language=language, declared_type=declared_type
    )


def get_transcript(episode: Episode, transcript_id: int) -> EpisodeTranscript:
    return transcript_store.get_transcript(episode, transcript_id)


def delete_transcript(episode: Episode, transcript: EpisodeTranscript) -> None:
    transcript_store.delete_transcript(episode, transcript)


def set_chapters(episode: Episode, document: Any) -> None:
    """Replace the chapters with a checked JSON chapters document (or its list)."""
    episode.chapters = validate_chapters(document, episode.duration_seconds)
    episode.updated_at = utcnow()
    db.session.flush()


def set_chapters_file(episode: Episode, stream: IO[bytes]) -> None:
    """Replace the chapters with an uploaded JSON chapters file."""
    raw = artwork_store.read_limited(stream, CHAPTERS_MAX_BYTES, "chapters file")
    try:
        document = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        message = f"The chapters file is not valid UTF-8 JSON ({exc})."
        raise ValidationError(message, details=[{"field": "file", "message": message}]) from None
    set_chapters(episode, document)


def clear_chapters(episode: Episode) -> None:
    episode.chapters = None
    episode.updated_at = utcnow()
    db.session.flush()
