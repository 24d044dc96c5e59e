"""From an uploaded stream to stored objects and an episode's media columns, all or nothing.

``spool_upload`` streams the upload to a temporary file in chunks (hashing and counting as
it goes, refusing anything past MAX_UPLOAD_MB), ``probe_upload`` reads it, ``store_upload``
stores it (and its cover art) under keys of ours and fills the row's media columns, and
``flush_or_remove`` flushes. Nothing here commits or decides an episode's other fields:
``publisher.operations.episodes`` does, and its caller commits once. Whatever was stored is
removed if anything fails afterwards, here or at the commit (see media/cleanup.py).
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import stat
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from flask import current_app

from publisher.exceptions import PublisherError
from publisher.extensions import db
from publisher.media.artwork import artwork_keys
from publisher.media.cleanup import (
    delete_after_commit,
    delete_on_rollback,
    forget_written,
    remove_quietly,
)
from publisher.media.probe import AudioInfo, clean_text, probe
from publisher.media.storage import Storage, get_storage
from publisher.models import Episode, utcnow

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1024 * 1024
# The Cache-Control stored with each media object, sent by the store (S3, a CDN) itself.
# Keys never change content (a replacement gets a new key), so caches may keep them.
STORED_MEDIA_CACHE_CONTROL = "public, max-age=31536000, immutable"


class UploadTooLarge(PublisherError):
    """The upload is larger than MAX_UPLOAD_MB."""

    status_code = 413
    code = "payload_too_large"


def max_upload_bytes() -> int:
    return int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024


def too_large(size: int | None = None) -> UploadTooLarge:
    limit = int(current_app.config["MAX_UPLOAD_MB"])
    actual = f" (this one is {size / (1024 * 1024):.0f} MB)" if size else ""
    return UploadTooLarge(
        f"The file is larger than the {limit} MB upload limit{actual}. Export it at a "
        "lower bitrate or split it, then upload again.",
        details={"limit_mb": limit},
    )


class Spooled:
    """The upload as a file on disk, with its size and (once known) its sha256."""

    def __init__(self, path: Path, size: int, sha256: str | None = None) -> None:
        self.path = path
        self.size = size
        self._sha256 = sha256
        self._hashing: threading.Thread | None = None
        self._hash_error: BaseException | None = None

    def hash_in_background(self) -> None:
        """Hash the file in a thread, overlapping the store's upload (hashlib and file
        reads release the GIL): the sha256 costs no extra wall time."""
        if self._sha256 is not None or self._hashing is not None:
            return

        def run() -> None:
            try:
                digest = hashlib.sha256()
                with open(self.path, "rb") as handle:
                    while chunk := handle.read(CHUNK_SIZE):
                        digest.update(chunk)
                self._sha256 = digest.hexdigest()
            except BaseException as exc:  # reported by .sha256
                self._hash_error = exc

        self._hashing = threading.Thread(target=run, name="publisher-sha256", daemon=True)
        self._hashing.start()

    @property
    def sha256(self) -> str:
        self.hash_in_background()
        if self._hashing is not None:
            self._hashing.join()
        if self._hash_error is not None:
            raise self._hash_error
        assert self._sha256 is not None
        return self._sha256


def _regular_file_path(stream: BinaryIO) -> Path | None:
    """A path that reopens the stream's file, when the stream is a regular file read from
    its start (a file opened by a script, or Werkzeug's temporary file for a large
    request body). Such an upload is already on disk: copying it again is wasted time."""
    try:
        fd = stream.fileno()
        if stream.tell() != 0 or not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None
    name = getattr(stream, "name", None)
    if (
        isinstance(name, str)
        and os.path.isfile(name)
        and os.path.samestat(os.stat(name), os.fstat(fd))
    ):
        return Path(name)
    proc = Path(f"/proc/self/fd/{fd}")  # Linux: reopens even an unlinked temporary file
    return proc if proc.exists() else None


@contextmanager
def spool_upload(stream: BinaryIO) -> Iterator[Spooled]:
    """The upload as a file: the stream's own file when it is one, else a temporary copy
    made in chunks (hashing and counting as it goes, never the whole file in memory),
    removed on exit. Past MAX_UPLOAD_MB: UploadTooLarge (413), nothing kept."""
    limit = max_upload_bytes()
    existing = _regular_file_path(stream)
    if existing is not None:
        size = os.fstat(stream.fileno()).st_size
        if size > limit:
            raise too_large(size)
        yield Spooled(existing, size)
        return
    directory = current_app.config["UPLOAD_TEMP_DIR"] or None
    if directory:
        os.makedirs(directory, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="publisher-upload-", suffix=".part", dir=directory)
    path = Path(name)
    try:
        digest, size = hashlib.sha256(), 0
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK_SIZE):
                size += len(chunk)
                if size > limit:
                    raise too_large()
                digest.update(chunk)
                out.write(chunk)
        yield Spooled(path, size, digest.hexdigest())
    finally:
        path.unlink(missing_ok=True)


def probe_upload(upload: Spooled, filename: str) -> AudioInfo:
    """What the probe reads from the spooled file (ProbeError, 422, when it is not audio
    we can serve)."""
    with open(upload.path, "rb") as handle:
        return probe(handle, filename)


def store_upload(
    storage: Storage,
    episode: Episode,
    upload: Spooled,
    info: AudioInfo,
    filename: str,
    avoid: list[str | None] | tuple = (),
) -> list[str]:
    """Store the spooled audio (and its cover art) for ``episode`` under fresh keys and
    fill the media columns, size and sha256 included (hashed while the store uploads).
    Returns the keys written, each removed if the transaction does not commit."""

    def put_audio(key: str) -> None:
        storage.save_file(
            key, upload.path, content_type=info.mime_type, cache_control=STORED_MEDIA_CACHE_CONTROL
        )

    upload.hash_in_background()
    written = store_media(storage, episode, episode.show_id, info, filename, put_audio, avoid)
    try:
        episode.size_bytes, episode.sha256 = upload.size, upload.sha256
    except BaseException:
        _remove_now(storage, written)
        raise
    return written


def media_keys(episode: Episode) -> set[str]:
    """Every stored object the episode's row points at."""
    keys = {episode.storage_key, episode.transcript_key, *artwork_keys(episode)}
    keys |= {transcript.storage_key for transcript in episode.transcripts}
    return {key for key in keys if key}


def remove_after_commit(keys: Iterable[str | None]) -> None:
    """Schedule these objects for removal once the transaction commits (never before: a
    rollback must find them); failures are logged and left for ``storage orphans``."""
    storage = get_storage()
    for key in keys:
        if key:
            delete_after_commit(key, storage)


def store_media(
    storage: Storage,
    episode: Episode,
    show_id: int,
    info: AudioInfo,
    filename: str,
    put_audio: Callable[[str], None],
    avoid: list[str | None] | tuple = (),
) -> list[str]:
    """Store the audio (``put_audio(key)`` writes it) and the embedded cover art under
    fresh keys, and fill the media columns. Returns the keys written, each registered
    for removal on rollback; on failure removes them at once."""
    folder = f"shows/{show_id}/{episode.guid}"
    written: list[str] = []
    try:
        key = _fresh_key(folder, episode.slug, info.extension, avoid)
        put_audio(key)
        written.append(key)
        delete_on_rollback(key, storage)
        # Uploaded artwork (artwork_width set) wins over the file's embedded cover.
        if info.cover_art and info.cover_art_mime and episode.artwork_width is None:
            extension = "png" if info.cover_art_mime == "image/png" else "jpg"
            art_key = _fresh_key(folder, "cover", extension, avoid)
            storage.save(
                art_key,
                io.BytesIO(info.cover_art),
                content_type=info.cover_art_mime,
                cache_control=STORED_MEDIA_CACHE_CONTROL,
            )
            written.append(art_key)
            delete_on_rollback(art_key, storage)
            episode.artwork_key, episode.artwork_mime = art_key, info.cover_art_mime
    except BaseException:
        _remove_now(storage, written)
        raise
    apply_audio_info(episode, info)
    episode.storage_key = key
    episode.original_filename = original_name(filename)
    return written


def flush_or_remove(storage: Storage, written: list[str], new_row: Episode | None = None) -> None:
    """Flush; if the database refuses, remove what was just stored before re-raising."""
    try:
        if new_row is not None:
            db.session.add(new_row)
        db.session.flush()
    except BaseException:
        _remove_now(storage, written)
        raise


def apply_audio_info(episode: Episode, info: AudioInfo) -> None:
    """Copy what the probe found onto the row (media columns, chapters)."""
    episode.mime_type = info.mime_type
    episode.duration_seconds = round(info.duration_seconds, 3)
    episode.bitrate = info.bitrate
    episode.sample_rate = info.sample_rate
    episode.channels = info.channels
    episode.codec = info.codec
    episode.container = info.container
    episode.audio_offset_bytes = info.audio_offset_bytes
    episode.media_updated_at = utcnow()
    if info.chapters:
        episode.chapters = info.chapters


def _remove_now(storage: Storage, keys: list[str]) -> None:
    for key in keys:
        if remove_quietly(storage, key, "ingest failed"):
            forget_written(key)


def _fresh_key(folder: str, stem: str, extension: str, avoid) -> str:
    """``folder/stem.ext``, or ``stem-2.ext``… when that is a key we must not overwrite
    (the current audio while it is being replaced)."""
    taken = {k for k in avoid if k}
    key, counter = f"{folder}/{stem}.{extension}", 2
    while key in taken:
        key = f"{folder}/{stem}-{counter}.{extension}"
        counter += 1
    return key


def original_name(filename: str) -> str | None:
    """The uploader's file name as data only: the last path part, cleaned, bounded."""
    name = re.split(r"[\\/]", filename or "")[-1]
    return clean_text(name, max_length=500)


def title_from(filename: str) -> str:
    """A readable title from a file name: 'my_show-ep_12.mp3' → 'My show ep 12'."""
    stem = (original_name(filename) or "").rsplit(".", 1)[0]
    words = " ".join(re.sub(r"[_\-.]+", " ", stem).split())
    return (words[:1].upper() + words[1:]) if words else "Untitled episode"
