"""Transcript files of an episode (podcast:transcript): checked, stored, removed with
the transaction. The content decides the type (see podcasting/transcripts.py)."""

from __future__ import annotations

import io
import secrets
from typing import IO

from publisher.exceptions import NotFound, ValidationError
from publisher.extensions import db
from publisher.media.artwork import read_limited
from publisher.media.cleanup import delete_after_commit, delete_on_rollback
from publisher.media.storage import get_storage
from publisher.models import Episode, EpisodeTranscript, utcnow
from publisher.podcasting import transcripts as formats

TRANSCRIPTS_MAX = 10  # per episode: languages and formats


def add_transcript(
    episode: Episode, stream: IO[bytes], *, language: str = "", declared_type: str = ""
) -> EpisodeTranscript:
    """Store a transcript file and attach it to ``episode`` (flushed, not committed)."""
    if len(episode.transcripts) >= TRANSCRIPTS_MAX:
        raise ValidationError(
            f"An episode can have at most {TRANSCRIPTS_MAX} transcripts; delete one first."
        )
    language = formats.validate_language(language)
    data = read_limited(stream, formats.MAX_BYTES, "transcript")
    mime_type = formats.recognise(data, declared_type)
    extension = formats.TYPES[mime_type]
    key = f"shows/{episode.show_id}/{episode.guid}/transcripts/{secrets.token_hex(8)}.{extension}"
    storage = get_storage()
    delete_on_rollback(key, storage)
    storage.save(
        key,
        io.BytesIO(data),
        content_type=f"{mime_type}; charset=utf-8",
        cache_control="public, max-age=31536000, immutable",
    )
    transcript = EpisodeTranscript(
        storage_key=key, mime_type=mime_type, language=language, size_bytes=len(data)
    )
    episode.transcripts.append(transcript)
    episode.updated_at = utcnow()
    db.session.flush()
    return transcript


def get_transcript(episode: Episode, transcript_id: int) -> EpisodeTranscript:
    for transcript in episode.transcripts:
        if transcript.id == transcript_id:
            return transcript
    raise NotFound(f"Episode {episode.id} has no transcript {transcript_id}.")


def delete_transcript(episode: Episode, transcript: EpisodeTranscript) -> None:
    delete_after_commit(transcript.storage_key, get_storage())
    episode.transcripts.remove(transcript)
    episode.updated_at = utcnow()
    db.session.flush()
