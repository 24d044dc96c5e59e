"""An article's cover image: checked with Pillow, re-encoded, stored as one object,
replaced and removed with the transaction (see media/cleanup.py).

The upload (JPEG, PNG or WebP, at most ``ARTWORK_MAX_MB``) is never stored as sent: it is
decoded and saved again as an RGB JPEG at most ``COVER_MAX_WIDTH`` pixels wide, which
drops EXIF (location, camera) and anything hidden after the image. The pixel size is read
from the header before decoding, so a decompression bomb is refused without decoding it.

Key: ``articles/<id>/cover/<random>-<width>x<height>.jpg`` (the size, for the page's
``<img>``, without a column); every upload gets a new random name, so the public URL
(versioned from the key) changes and caches never serve the old image.
"""

from __future__ import annotations

import io
import logging
import re
import secrets
import warnings
from typing import IO

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

from publisher.exceptions import ValidationError
from publisher.extensions import db
from publisher.media import ledger
from publisher.media.artwork import IMMUTABLE, read_limited
from publisher.media.cleanup import delete_after_commit, delete_on_rollback
from publisher.media.storage import get_storage
from publisher.models import Article, utcnow
from publisher.podcasting.artwork import describe_non_image

logger = logging.getLogger(__name__)

COVER_FORMATS = {"JPEG", "PNG", "WEBP"}
COVER_MIN_WIDTH = 600
COVER_MAX_WIDTH = 1600
COVER_MAX_PIXELS = 40_000_000
COVER_QUALITY = 85
COVER_MIME = "image/jpeg"
_SIZE = re.compile(r"-(\d{1,5})x(\d{1,5})\.jpg$")


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, details=[{"field": "file", "message": message}])


def encode_cover(data: bytes) -> tuple[bytes, int, int]:
    """The re-encoded JPEG and its size, or a ValidationError saying what to change."""
    if not data:
        raise _refuse("The image file is empty.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(_too_many_pixels()) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        found = describe_non_image(data)
        if found == "not an image we can read":
            raise _refuse("This file is not a JPEG, PNG or WebP image we can read.") from None
        raise _refuse(
            f"This file is not a JPEG, PNG or WebP image (it looks like {found})."
        ) from None
    with image:
        if image.format not in COVER_FORMATS:
            raise _refuse(
                "A cover image must be a JPEG, PNG or WebP image; "
                f"this one is {image.format or 'unknown'}."
            )
        width, height = image.size
        if width * height > COVER_MAX_PIXELS:
            raise _refuse(f"{_too_many_pixels()} This one is {width} x {height} pixels.")
        if width < COVER_MIN_WIDTH:
            raise _refuse(
                f"A cover image must be at least {COVER_MIN_WIDTH} pixels wide; "
                f"this one is {width} x {height}. Choose a larger image."
            )
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                image.load()
                upright = ImageOps.exif_transpose(image)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _refuse(_too_many_pixels()) from None
        except (OSError, SyntaxError, ValueError):
            raise _refuse("This image is damaged or truncated; export it again.") from None
        rgb = _flatten(upright)
        if rgb.width > COVER_MAX_WIDTH:
            height = max(1, round(rgb.height * COVER_MAX_WIDTH / rgb.width))
            rgb = rgb.resize((COVER_MAX_WIDTH, height), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        rgb.save(out, format="JPEG", quality=COVER_QUALITY, optimize=True, progressive=True)
        return out.getvalue(), rgb.width, rgb.height


def _too_many_pixels() -> str:
    return (
        f"A cover image may have at most {COVER_MAX_PIXELS // 1_000_000} million pixels; "
        "export it smaller."
    )


def _flatten(image: Image.Image) -> Image.Image:
    """RGB, transparency laid on white (a JPEG has no alpha)."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def set_cover_image(article: Article, stream: IO[bytes]) -> None:
    """Check, re-encode and store the cover; the previous one goes after the commit, and
    on any failure nothing new stays in the store."""
    limit = int(current_app.config["ARTWORK_MAX_MB"]) * 1024 * 1024
    body, width, height = encode_cover(read_limited(stream, limit, "image"))
    storage = get_storage()
    key = f"articles/{article.id}/cover/{secrets.token_hex(8)}-{width}x{height}.jpg"
    # Recorded before writing: a crash leaves a ledger entry for the janitor, and a
    # write that fails halfway or a rolled-back transaction is cleaned up too.
    ledger.record(key)
    delete_on_rollback(key, storage)
    storage.save(key, io.BytesIO(body), content_type=COVER_MIME, cache_control=IMMUTABLE)
    if article.cover_image_key:
        delete_after_commit(article.cover_image_key, storage)
    article.cover_image_key, article.cover_image_mime = key, COVER_MIME
    article.updated_at = utcnow()
    db.session.flush()
    ledger.settle()  # the row and the end of its key's ledger entry commit together
    logger.info("Cover of %r stored at %s (%d x %d)", article, key, width, height)


def cover_size(key: str | None) -> tuple[int, int] | None:
    """The stored cover's pixel size, read from its key (None when unknown)."""
    match = _SIZE.search(key or "")
    return (int(match[1]), int(match[2])) if match else None


def remove_cover_image(article: Article) -> None:
    """Forget the article's cover; its object goes after the commit."""
    if article.cover_image_key:
        delete_after_commit(article.cover_image_key, get_storage())
    article.cover_image_key = article.cover_image_mime = None
    article.updated_at = utcnow()
