"""From an uploaded stream to a stored object and an episode row, all or nothing.

``ingest_episode`` streams the upload to a temporary file in chunks (hashing and counting
as it goes, refusing anything past MAX_UPLOAD_MB), probes it, stores it under a key of
ours, and flushes the row. It never commits: the caller commits once. Whatever was stored
is removed if anything fails afterwards, here or at the commit (see media/cleanup.py).
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from publisher.content import sanitize_html, slugify, unique_slug
from publisher.errors import Conflict, PublisherError, ValidationError
from publisher.extensions import db
from publisher.media import ledger
from publisher.media.cleanup import (
    delete_after_commit,
    delete_on_rollback,
    forget_written,
    remove_quietly,
)
from publisher.media.probe import AudioInfo, clean_text, probe
from publisher.media.storage import Storage, get_storage
from publisher.models import EPISODE_TYPES, STATUSES, Episode, Show, utcnow
from publisher.models.episode import new_guid
from publisher.models.races import savepoint

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1024 * 1024
# Keys never change content (a replacement gets a new key), so caches may keep them.
MEDIA_CACHE_CONTROL = "public, max-age=31536000, immutable"
EPISODE_FIELDS = frozenset(
    {
        "title",
        "description",
        "status",
        "publish_at",
        "season",
        "number",
        "episode_type",
        "explicit",
        "slug",
    }
)


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
    directory = current_app.config.get("UPLOAD_TEMP_DIR") or None
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


def ingest_episode(show: Show, stream: BinaryIO, filename: str, fields: dict[str, Any]) -> Episode:
    """A new episode of ``show`` with the uploaded audio; flushed, not committed.

    ``fields`` (all optional): title, description (HTML or text, sanitized), status,
    publish_at (aware datetime), season, number, episode_type, explicit, slug.
    The title defaults to the file's title tag, else a readable form of the file name.
    """
    values = checked_fields(fields)
    check_slug_free(show, values)
    with spool_upload(stream) as upload:
        with open(upload.path, "rb") as handle:
            info = probe(handle, filename)
        episode = new_episode(show, values, info, filename)
        storage = get_storage()

        def put_audio(key: str) -> None:
            storage.save_file(
                key, upload.path, content_type=info.mime_type, cache_control=MEDIA_CACHE_CONTROL
            )

        upload.hash_in_background()
        written = store_media(storage, episode, show.id, info, filename, put_audio)
        try:
            episode.size_bytes, episode.sha256 = upload.size, upload.sha256
        except BaseException:
            _remove_now(storage, written)
            raise
        flush_or_remove(storage, written, episode, chosen_slug=values.get("slug"))
    logger.info("Ingested %s as episode %s (%s)", episode.storage_key, episode.id, info)
    return episode


def replace_episode_audio(episode: Episode, stream: BinaryIO, filename: str) -> Episode:
    """Give ``episode`` new audio; its guid stays. The new object gets a new key, and the
    old one is removed only after the commit (a rollback leaves the episode as it was)."""
    old_keys = [episode.storage_key, episode.artwork_key]
    with spool_upload(stream) as upload:
        with open(upload.path, "rb") as handle:
            info = probe(handle, filename)
        storage = get_storage()

        def put_audio(key: str) -> None:
            storage.save_file(
                key, upload.path, content_type=info.mime_type, cache_control=MEDIA_CACHE_CONTROL
            )

        upload.hash_in_background()
        written = store_media(
            storage, episode, episode.show_id, info, filename, put_audio, avoid=old_keys
        )
        try:
            episode.size_bytes, episode.sha256 = upload.size, upload.sha256
        except BaseException:
            _remove_now(storage, written)
            raise
        flush_or_remove(storage, written)
    current = {episode.storage_key, episode.artwork_key}
    for key in old_keys:
        if key and key not in current:
            delete_after_commit(key, storage)
    return episode


def delete_episode(episode: Episode) -> None:
    """Delete the row; its stored objects go after the commit (failures are logged and
    left for ``storage orphans``)."""
    storage = get_storage()
    for key in {episode.storage_key, episode.artwork_key, episode.transcript_key}:
        if key:
            delete_after_commit(key, storage)
    db.session.delete(episode)
    db.session.flush()


# -- helpers ---------------------------------------------------------------------------------


def new_episode(show: Show, values: dict[str, Any], info: AudioInfo, filename: str) -> Episode:
    """An unsaved episode row with its guid, title (the field, else the title tag, else
    the file name), a slug unique in the show, and the checked fields."""
    values = dict(values)
    episode = Episode(show_id=show.id, guid=new_guid())
    title = values.pop("title", None) or info.tags.get("title") or title_from(filename)
    episode.title = title[:300]
    slug = values.pop("slug", None)
    episode.slug = slug or unique_slug(episode.title, lambda s: slug_taken(show, s))
    for name, value in values.items():
        setattr(episode, name, value)
    return episode


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
        # Tracked before the write: a crash leaves a ledger entry, and a store failing
        # after the bytes landed (at the read-back) still has the key removed.
        ledger.record(key)
        written.append(key)
        delete_on_rollback(key, storage)
        put_audio(key)
        if info.cover_art and info.cover_art_mime:
            extension = "png" if info.cover_art_mime == "image/png" else "jpg"
            art_key = _fresh_key(folder, "cover", extension, avoid)
            ledger.record(art_key)
            written.append(art_key)
            delete_on_rollback(art_key, storage)
            storage.save(
                art_key,
                io.BytesIO(info.cover_art),
                content_type=info.cover_art_mime,
                cache_control=MEDIA_CACHE_CONTROL,
            )
            episode.artwork_key, episode.artwork_mime = art_key, info.cover_art_mime
    except BaseException:
        _remove_now(storage, written)
        raise
    apply_audio_info(episode, info)
    episode.storage_key = key
    episode.original_filename = original_name(filename)
    return written


def flush_or_remove(
    storage: Storage,
    written: list[str],
    new_row: Episode | None = None,
    chosen_slug: str | None = None,
) -> None:
    """Flush; if the database refuses, remove what was just stored before re-raising.

    A new episode is inserted in a savepoint: when a concurrent upload took its slug
    first, a generated slug moves on to the next free suffix, and a slug the client
    chose is a 409 (``Conflict``) with the stored objects removed."""
    if new_row is None:
        try:
            db.session.flush()
            ledger.settle()
        except BaseException:
            _remove_now(storage, written)
            raise
        return
    chosen = chosen_slug or None
    try:
        for _attempt in range(SLUG_ATTEMPTS):
            try:
                with savepoint():
                    db.session.add(new_row)
                ledger.settle()  # the row and the end of the ledger entries commit together
                return
            except IntegrityError:
                if not slug_taken_id(new_row.show_id, new_row.slug):
                    raise
                if chosen is not None:
                    raise _slug_conflict(chosen) from None
                new_row.slug = unique_slug(
                    new_row.title, lambda s: slug_taken_id(new_row.show_id, s)
                )
        raise _slug_conflict(new_row.slug)
    except BaseException:
        _remove_now(storage, written)
        raise


SLUG_ATTEMPTS = 5


def _slug_conflict(slug: str) -> Conflict:
    return Conflict(f"The slug '{slug}' is already used by another episode.")


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


def slug_taken(show: Show, slug: str) -> bool:
    return slug_taken_id(show.id, slug)


def slug_taken_id(show_id: int, slug: str) -> bool:
    statement = select(Episode.id).where(Episode.show_id == show_id, Episode.slug == slug)
    return db.session.scalar(statement) is not None


def original_name(filename: str) -> str | None:
    """The uploader's file name as data only: the last path part, cleaned, bounded."""
    name = re.split(r"[\\/]", filename or "")[-1]
    return clean_text(name, max_length=500)


def title_from(filename: str) -> str:
    """A readable title from a file name: 'my_show-ep_12.mp3' → 'My show ep 12'."""
    stem = (original_name(filename) or "").rsplit(".", 1)[0]
    words = " ".join(re.sub(r"[_\-.]+", " ", stem).split())
    return (words[:1].upper() + words[1:]) if words else "Untitled episode"


def check_slug_free(show: Show, values: dict[str, Any]) -> None:
    if values.get("slug") and slug_taken(show, values["slug"]):
        raise _slug_conflict(values["slug"])


def checked_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Validate the optional episode fields; a ValidationError names each bad one."""
    unknown = sorted(set(fields) - EPISODE_FIELDS)
    problems: list[dict[str, str]] = [
        {"field": name, "message": "Not an episode field."} for name in unknown
    ]
    values: dict[str, Any] = {}
    for name, value in fields.items():
        if name in unknown or value is None:
            continue
        try:
            values[name] = _FIELD_CHECKS[name](value)
        except (TypeError, ValueError) as exc:
            problems.append({"field": name, "message": str(exc)})
    if problems:
        names = ", ".join(p["field"] for p in problems)
        raise ValidationError(f"Some episode fields are not valid: {names}.", details=problems)
    return values


def _title(value: Any) -> str:
    text = clean_text(str(value), max_length=300)
    if not text:
        raise ValueError("The title cannot be empty.")
    return text


def _choice(options: tuple[str, ...]):
    def check(value: Any) -> str:
        if value not in options:
            raise ValueError(f"Must be one of: {', '.join(options)}.")
        return value

    return check


def _publish_at(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if not isinstance(value, datetime):
        raise TypeError("Must be a date and time (ISO 8601).")
    if value.tzinfo is None:
        raise ValueError("Must include a time zone (e.g. 2025-01-31T09:00:00Z).")
    return value


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError("Must be a whole number.")
    number = int(value)
    if not 0 <= number <= 1_000_000:
        raise ValueError("Must be between 0 and 1000000.")
    return number


def _explicit(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("1", "true", "yes", "on"):
        return True
    if str(value).lower() in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("Must be true or false.")


def _slug(value: Any) -> str:
    slug = slugify(str(value), max_length=150)
    if slug != str(value):
        raise ValueError(f"Use lowercase letters, digits and hyphens (e.g. '{slug}').")
    return slug


_FIELD_CHECKS = {
    "title": _title,
    "description": lambda value: sanitize_html(str(value)),
    "status": _choice(STATUSES),
    "publish_at": _publish_at,
    "season": _count,
    "number": _count,
    "episode_type": _choice(EPISODE_TYPES),
    "explicit": _explicit,
    "slug": _slug,
}
