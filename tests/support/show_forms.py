"""Helpers for the studio's show form tests: the form's fields as a browser would submit
them, real images made with Pillow, and what the store holds."""

from __future__ import annotations

import io
from typing import Any

import lxml.html
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from publisher.media.storage import get_storage


def form_fields(page: str, form_index: int = -1) -> dict[str, str]:
    """What submitting the page's form unchanged sends (disabled fields are left out, an
    unchecked box sends nothing, like a browser)."""
    document = lxml.html.fromstring(page)
    forms = [f for f in document.forms if f.method.upper() == "POST" and f.get("enctype")]
    form = forms[form_index] if forms else document.forms[form_index]
    return {name: value for name, value in form.form_values()}


def image(width: int = 1400, height: int | None = None, fmt: str = "PNG", mode: str = "RGB",
          name: str = "cover.png") -> FileStorage:  # fmt: skip
    """A real image as an uploaded file."""
    colour: Any = {"L": 128, "RGBA": (200, 60, 40, 128)}.get(mode, (200, 60, 40))
    out = io.BytesIO()
    Image.new(mode, (width, height or width), colour).save(out, format=fmt)
    out.seek(0)
    return FileStorage(out, filename=name)


def image_file(path, width: int = 1400, fmt: str = "PNG"):
    """A real image written to ``path`` (for a browser's file input)."""
    Image.new("RGB", (width, width), (30, 90, 160)).save(path, format=fmt)
    return path


def upload(data: bytes, name: str = "cover.png") -> FileStorage:
    return FileStorage(io.BytesIO(data), filename=name)


def post_multipart(client, path: str, data: dict[str, Any]):
    """A multipart POST built in memory (the test client would spool a large body to an
    unclosed temporary file)."""
    boundary, body = encode_multipart(data)
    return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def stored_keys(app, prefix: str = "shows/") -> set[str]:
    with app.app_context():
        return set(get_storage().list_keys(prefix))
