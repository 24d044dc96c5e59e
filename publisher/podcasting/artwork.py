"""Podcast artwork: what Apple accepts, checked with Pillow, and the resized copies.

Apple Podcasts wants show artwork as JPEG or PNG, square, 1400 to 3000 pixels a side,
in the RGB colour space. Traps:
- a file's extension or declared type says nothing: Pillow reads the content;
- the pixel size is read from the header *before* decoding, so a 30,000 x 30,000
  "decompression bomb" is refused without allocating gigabytes;
- a PNG with transparency (RGBA), a greyscale (L) or CMYK JPEG, or a palette PNG is
  not RGB: Apple refuses or renders it badly, so the producer is told to convert it;
- a truncated file may open (header fine) and fail on decoding: ``load()`` is called.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from publisher.exceptions import ValidationError

MIN_SIDE = 1400
MAX_SIDE = 3000
FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png")}
# Copies made for the site, players and directories (the original serves the feed).
COPY_SIDES = (3000, 1400, 600, 300)
COPY_QUALITY = 85

# Magic numbers of what people upload by mistake, to say what the file is.
_AUDIO_SIGNATURES = (
    (b"ID3", "MP3 audio"),
    (b"fLaC", "FLAC audio"),
    (b"OggS", "Ogg audio"),
    (b"\xff\xfb", "MP3 audio"),
    (b"\xff\xf3", "MP3 audio"),
    (b"\xff\xf2", "MP3 audio"),
)


@dataclass(frozen=True)
class ArtworkImage:
    """A checked image: its format and pixel size."""

    mime_type: str
    extension: str
    width: int
    height: int


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, details=[{"field": "image", "message": message}])


def describe_non_image(data: bytes) -> str:
    """What a file that is not an image seems to be ("MP3 audio", "a PDF document"…)."""
    head = data[:16]
    for signature, name in _AUDIO_SIGNATURES:
        if head.startswith(signature):
            return name
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "WAV audio"
    if head[4:8] == b"ftyp":
        return "MP4/M4A audio or video"
    if head.startswith(b"%PDF"):
        return "a PDF document"
    return "not an image we can read"


def check_artwork(data: bytes) -> ArtworkImage:
    """The image's facts, or a ValidationError naming what Apple would refuse."""
    if not data:
        raise _refuse("The image file is empty.")
    try:
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError):
        found = describe_non_image(data)
        hint = " Upload it as the episode's audio instead." if "audio" in found else ""
        raise _refuse(
            f"This file is not a JPEG or PNG image (it looks like {found}).{hint}"
            if found != "not an image we can read"
            else "This file is not a JPEG or PNG image we can read."
        ) from None
    with image:
        if image.format not in FORMATS:
            raise _refuse(
                f"Artwork must be a JPEG or PNG image; this one is {image.format or 'unknown'}."
            )
        width, height = image.size
        if width != height:
            raise _refuse(
                f"Artwork must be square; this image is {width} x {height} pixels. "
                "Crop it to a square."
            )
        if not MIN_SIDE <= width <= MAX_SIDE:
            raise _refuse(
                f"Artwork must be {MIN_SIDE} to {MAX_SIDE} pixels a side (Apple Podcasts); "
                f"this image is {width} x {height}."
            )
        if image.mode != "RGB":
            raise _refuse(
                f"Artwork must use the RGB colour space; this image is {_mode_name(image.mode)}. "
                "Export it as RGB (without transparency)."
            )
        try:
            image.load()
        except (OSError, SyntaxError, ValueError):
            raise _refuse("This image is damaged or truncated; export it again.") from None
        mime_type, extension = FORMATS[image.format]
        return ArtworkImage(mime_type, extension, width, height)


def _mode_name(mode: str) -> str:
    return {
        "RGBA": "RGB with transparency (RGBA)",
        "LA": "greyscale with transparency",
        "L": "greyscale",
        "1": "black and white",
        "P": "a palette image",
        "CMYK": "CMYK",
        "I;16": "16-bit greyscale",
    }.get(mode, mode)


def copy_sides(width: int) -> tuple[int, ...]:
    """The sides of the resized copies an image of ``width`` pixels gets."""
    return tuple(side for side in COPY_SIDES if side <= width)


def resized_copies(data: bytes, width: int) -> dict[int, bytes]:
    """JPEG copies of a checked image, one per side in ``copy_sides(width)``."""
    copies: dict[int, bytes] = {}
    with Image.open(io.BytesIO(data)) as opened:
        image = opened.convert("RGB")
        for side in copy_sides(width):
            resized = (
                image if side == width else image.resize((side, side), Image.Resampling.LANCZOS)
            )
            out = io.BytesIO()
            resized.save(out, format="JPEG", quality=COPY_QUALITY, optimize=True, progressive=True)
            copies[side] = out.getvalue()
    return copies
