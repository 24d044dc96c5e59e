"""Calling the API in tests: a client that sends a bearer token, multipart bodies, and
the field errors of a 422."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart


class ApiClient:
    """The test client with an optional bearer token on every request."""

    def __init__(self, client, token: str | None = None) -> None:
        self.client = client
        self.token = token

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = dict(extra or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def open(self, method: str, path: str, **kwargs: Any):
        kwargs["headers"] = self.headers(kwargs.get("headers"))
        return self.client.open(path, method=method, **kwargs)

    def get(self, path: str, **kwargs: Any):
        return self.open("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any):
        return self.open("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any):
        return self.open("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any):
        return self.open("DELETE", path, **kwargs)


def error_fields(response) -> dict[str, str]:
    """{field: message} from a 422 answer."""
    return {d["field"]: d["message"] for d in response.get_json()["error"]["details"]}


def multipart(path: Path | None, **fields) -> dict:
    """A multipart body built in memory (the test client would spool a big one to a
    temporary file it never closes)."""
    values: dict = {name: str(value) for name, value in fields.items()}
    if path is not None:
        values["audio"] = FileStorage(BytesIO(path.read_bytes()), filename=path.name)
    boundary, body = encode_multipart(values)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def upload(api, show_slug: str, path: Path | None, **fields):
    return api.post(f"/api/v1/shows/{show_slug}/episodes", **multipart(path, **fields))
