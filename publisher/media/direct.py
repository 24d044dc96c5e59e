"""Direct uploads: the client sends the audio straight to the S3 store.

1. ``create_direct_upload`` starts a multipart upload under a staging key the server
   chooses (``uploads/<show id>/<token>/audio``) and returns one presigned PUT URL per part.
2. The client PUTs each part to its URL and keeps the ETag header of each answer.
3. ``finish_direct_upload`` completes the upload, ``probe_staged`` probes the object in
   place through ranged reads (a few hundred KB, not the file), ``store_staged`` copies it
   server-side to the episode's key (``shows/<show id>/<guid>/<slug>.<ext>``, with the
   right Content-Type) and removes the staging object with the transaction; a refused
   file is deleted (``remove_staged``). Staging objects nobody completes are found by
   ``storage orphans``.

``publisher.operations.episodes`` builds the episode around these steps; the API exposes
them as HTTP routes, which commit once.
"""

from __future__ import annotations

import io
import logging
import math
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import quote, unquote

from flask import current_app

from publisher.exceptions import Conflict, NotFound, ValidationError
from publisher.media.cleanup import delete_after_commit, delete_on_rollback, remove_quietly
from publisher.media.ingest import (
    STORED_MEDIA_CACHE_CONTROL,
    max_upload_bytes,
    store_media,
    too_large,
)
from publisher.media.probe import AudioInfo, ProbeError, probe
from publisher.media.storage import MultipartStore, ObjectNotFound, get_storage
from publisher.models import Episode, Show, utcnow

logger = logging.getLogger(__name__)

MIN_PART_SIZE = 8 * 1024 * 1024  # S3's minimum is 5 MiB (except the last part)
MAX_PARTS = 10_000  # S3's limit


class DirectUploadUnavailable(Conflict):
    """Direct uploads need the S3 store."""

    code = "direct_upload_unavailable"


def _multipart_store() -> MultipartStore:
    """The store, if it takes multipart uploads from clients; else a clear 409."""
    storage = get_storage()
    if not isinstance(storage, MultipartStore):
        raise DirectUploadUnavailable(
            "Direct uploads need the S3 media store (STORAGE=s3); this server keeps media "
            "in a local folder. Upload the file in the request instead (multipart form "
            "field 'audio')."
        )
    return storage


def staging_prefix(show: Show) -> str:
    return f"uploads/{show.id}/"


def part_size_for(size: int) -> int:
    """Parts of at least 8 MiB, whole MiB, few enough for S3's 10,000-part limit."""
    mib = 1024 * 1024
    return max(MIN_PART_SIZE, math.ceil(math.ceil(size / MAX_PARTS) / mib) * mib)


def create_direct_upload(
    show: Show, filename: str, size: int, content_type: str | None
) -> dict[str, Any]:
    """Start a presigned multipart upload for an episode's audio.

    Returns {"upload_id", "key", "part_size", "parts": [{"part_number", "url"}],
    "expires_at"}. ``content_type`` is informative only: the content decides the type.
    """
    storage = _multipart_store()
    if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
        raise ValidationError(
            "The file size must be a positive number of bytes.",
            details=[{"field": "size", "message": "Must be a whole number above 0."}],
        )
    if size > max_upload_bytes():
        raise too_large(size)
    key = f"{staging_prefix(show)}{secrets.token_hex(16)}/audio"
    upload_id = storage.create_multipart_upload(
        key,
        "application/octet-stream",
        metadata={"original-filename": quote((filename or "")[-500:], safe="")},
    )
    part_size = part_size_for(size)
    expires = int(current_app.config["S3_PRESIGN_EXPIRES"])
    parts = [
        {"part_number": n, "url": storage.presigned_upload_part(key, upload_id, n, expires)}
        for n in range(1, math.ceil(size / part_size) + 1)
    ]
    logger.info("Direct upload %s started for show %s (%s bytes)", key, show.id, size)
    return {
        "upload_id": upload_id,
        "key": key,
        "part_size": part_size,
        "parts": parts,
        "expires_at": (utcnow() + timedelta(seconds=expires)).isoformat(),
    }


def finish_direct_upload(show: Show, upload_id: str, key: str, parts: list[dict]) -> str:
    """Complete the multipart upload of ``key`` (one of ``show``'s staging keys) and return
    the key. ``parts``: [{"part_number", "etag"}] as the client received them (may be
    empty: the parts S3 holds are used). The caller stores it (``store_staged``) or
    removes it."""
    storage = _multipart_store()
    if not isinstance(key, str) or not key.startswith(staging_prefix(show)) or ".." in key:
        raise ValidationError("This upload key does not belong to this show's uploads.")
    try:
        uploaded = storage.list_parts(key, upload_id)
    except ObjectNotFound:
        raise NotFound(
            "This upload does not exist: it was already completed, cancelled or has expired."
        ) from None
    chosen = _match_parts(uploaded, parts)
    total = sum(part["size"] for part in chosen)
    if total > max_upload_bytes():
        storage.abort_multipart_upload(key, upload_id)
        raise too_large(total)
    if total == 0:
        storage.abort_multipart_upload(key, upload_id)
        raise ProbeError("The file is empty (0 bytes). Please choose the audio file again.")
    storage.complete_multipart_upload(key, upload_id, chosen)
    return key


def probe_staged(key: str) -> tuple[AudioInfo, int, str]:
    """Probe the staged object in place (ranged reads): (info, size, original file name)."""
    storage = _multipart_store()
    metadata = storage.stat_metadata(key)
    filename = unquote(metadata.get("original-filename", "")) or "upload"
    with storage.open_seekable(key) as handle:
        try:
            info = probe(handle, filename)
        except ProbeError as exc:
            message = f"{exc.message} The uploaded file was deleted."
            raise ProbeError(message, details=exc.details) from exc
        size = handle.seek(0, io.SEEK_END)  # known from the first ranged read: no request
    return info, size, filename


def store_staged(
    episode: Episode, key: str, info: AudioInfo, filename: str, size: int
) -> list[str]:
    """Copy the staged object (server-side) to the episode's key and fill its media
    columns; the staging copy goes with the transaction either way (a failed delete is
    logged and left for ``storage orphans``). Returns the keys written."""
    storage = _multipart_store()

    def put_audio(target: str) -> None:
        storage.copy(
            key, target, content_type=info.mime_type, cache_control=STORED_MEDIA_CACHE_CONTROL
        )

    written = store_media(storage, episode, episode.show_id, info, filename, put_audio)
    episode.size_bytes = size
    episode.sha256 = None  # the bytes never passed through us; S3 keeps its own checksums
    delete_on_rollback(key, storage)
    delete_after_commit(key, storage)
    return written


def remove_staged(key: str) -> None:
    """Remove a staged upload that was refused."""
    remove_quietly(_multipart_store(), key, "direct upload refused")


def _match_parts(uploaded: list[dict], claimed: list[dict]) -> list[dict]:
    """The parts to complete with: the client's list checked against what S3 holds."""
    if not uploaded:
        raise ValidationError("No part of this upload has arrived yet; upload the parts first.")
    if not claimed:
        return uploaded
    held = {part["part_number"]: part for part in uploaded}
    chosen = []
    for item in claimed:
        try:
            number = int(item["part_number"])
            etag = str(item.get("etag") or "").strip('"')
        except (KeyError, TypeError, ValueError):
            raise ValidationError(
                "Each part needs its part_number (and the etag the store answered)."
            ) from None
        if number not in held:
            raise ValidationError(f"Part {number} has not been uploaded.")
        if etag and etag != held[number]["etag"]:
            raise ValidationError(f"Part {number} does not match what the store received.")
        chosen.append(held[number])
    return sorted(chosen, key=lambda part: part["part_number"])
