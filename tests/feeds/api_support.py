"""Helpers for tests that drive feed elements through the API: images made with Pillow,
multipart file bodies, and the API fixtures imported from tests/api."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart


def image_bytes(
    width: int = 1400,
    height: int | None = None,
    fmt: str = "PNG",
    mode: str = "RGB",
    colour: Any = (200, 60, 40),
) -> bytes:
    """A real image made with Pillow."""
    if mode in ("L", "1"):
        colour = 128
    elif mode == "CMYK":
        colour = (0, 120, 200, 0)
    elif mode == "RGBA":
        colour = (200, 60, 40, 128)
    image = Image.new(mode, (width, height or width), colour)
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def file_body(field: str, data: bytes, filename: str, **fields: Any) -> dict[str, Any]:
    """Request arguments for a multipart body with one file part."""
    values: dict[str, Any] = {name: str(value) for name, value in fields.items()}
    values[field] = FileStorage(io.BytesIO(data), filename=filename)
    boundary, body = encode_multipart(values)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


VTT = (
    b"WEBVTT\n\n00:00:00.000 --> 00:00:04.000\n<v Ada>Hello and welcome.\n\n"
    b"00:00:04.000 --> 00:00:08.000\n<v Grace>Thanks for having me.\n"
)
SRT = (
    b"1\n00:00:00,000 --> 00:00:04,000\nHello and welcome.\n\n"
    b"2\n00:00:04,000 --> 00:00:08,000\nThanks.\n"
)
