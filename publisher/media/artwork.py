"""Uploaded show and episode artwork: checked, stored with resized copies, replaced and
removed with the transaction (see media/cleanup.py).

Keys: ``<folder>/artwork/<random>/original.<jpg|png>`` and ``…/<side>.jpg`` per copy.
Every upload gets a new random folder, so URLs (versioned from the key) change and
caches refresh; the old objects go once the commit is safe.
"""

from __future__ import annotations

import io
import logging
import secrets
from typing import IO

from flask import current_app

from publisher.exceptions import PublisherError
from publisher.media.cleanup import delete_after_commit, delete_on_rollback
from publisher.media.storage import get_storage
from publisher.models import Episode, Show, utcnow
from publisher.podcasting.artwork import check_artwork, copy_sides, resized_copies

logger = logging.getLogger(__name__)

IMMUTABLE = "public, max-age=31536000, immutable"


class ArtworkTooLarge(PublisherError):
    status_code = 413
    code = "payload_too_large"


def read_limited(stream: IO[bytes], limit_bytes: int, what: str) -> bytes:
    """Read at most ``limit_bytes`` (413 beyond: the rest is never read into memory)."""
    data = stream.read(limit_bytes + 1)
    if len(data) > limit_bytes:
        raise ArtworkTooLarge(
            f"The {what} is larger than {limit_bytes // (1024 * 1024)} MB. "
            "Export it smaller and upload again."
        )
    return data


def artwork_keys(owner: Show | Episode) -> list[str]:
    """Every stored object of the owner's artwork (the original and its copies)."""
    if not owner.artwork_key:
        return []
    keys = [owner.artwork_key]
    if owner.artwork_width:
        folder = owner.artwork_key.rsplit("/", 1)[0]
        keys += [f"{folder}/{side}.jpg" for side in copy_sides(owner.artwork_width)]
    return keys


def copy_key(owner: Show | Episode, side: int) -> str | None:
    """The key of the ``side``-pixel copy, when the artwork has one."""
    if (
        not owner.artwork_key
        or not owner.artwork_width
        or side not in copy_sides(owner.artwork_width)
    ):
        return None
    return f"{owner.artwork_key.rsplit('/', 1)[0]}/{side}.jpg"


def _folder(owner: Show | Episode) -> str:
    if isinstance(owner, Show):
        return f"shows/{owner.id}/artwork"
    return f"shows/{owner.show_id}/{owner.guid}/artwork"


def set_artwork(owner: Show | Episode, stream: IO[bytes]) -> None:
    """Check the image, store it and its copies, and point ``owner`` at them. The
    previous artwork is removed after the commit; on any failure nothing new stays."""
    limit = int(current_app.config["ARTWORK_MAX_MB"]) * 1024 * 1024
    data = read_limited(stream, limit, "image")
    image = check_artwork(data)
    copies = resized_copies(data, image.width)
    storage = get_storage()
    folder = f"{_folder(owner)}/{secrets.token_hex(8)}"
    original = f"{folder}/original.{image.extension}"
    objects = [(original, data, image.mime_type)]
    objects += [(f"{folder}/{side}.jpg", copy, "image/jpeg") for side, copy in copies.items()]
    for key, body, content_type in objects:
        # Registered before writing: a write that fails halfway is cleaned up too.
        delete_on_rollback(key, storage)
        storage.save(key, io.BytesIO(body), content_type=content_type, cache_control=IMMUTABLE)
    for key in artwork_keys(owner):
        delete_after_commit(key, storage)
    owner.artwork_key, owner.artwork_mime, owner.artwork_width = (
        original,
        image.mime_type,
        image.width,
    )
    _touch(owner)
    logger.info("Artwork of %r stored at %s (%d px)", owner, original, image.width)


def remove_artwork(owner: Show | Episode) -> None:
    """Forget the owner's artwork; its objects go after the commit."""
    storage = get_storage()
    for key in artwork_keys(owner):
        delete_after_commit(key, storage)
    owner.artwork_key = owner.artwork_mime = owner.artwork_width = None
    _touch(owner)


def _touch(owner: Show | Episode) -> None:
    """Mark the row changed, so feed fingerprints (updated_at) move."""
    owner.updated_at = utcnow()
