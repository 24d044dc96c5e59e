"""CORS for what web players and Podcast Index tools fetch from other origins: feeds,
enclosures, artwork, chapters and transcripts (``Access-Control-Allow-Origin: *``, and
OPTIONS preflights answered). Never on the API or any page that reads cookies: a view
opts in with ``@public_cors``; everything else gets no CORS header at all."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, Response, current_app, request

View = TypeVar("View", bound=Callable)
_MARK = "_publisher_public_cors"
EXPOSED = "Content-Length, Content-Range, Accept-Ranges, ETag"
ALLOWED_METHODS = "GET, HEAD, OPTIONS"
# What a player sends: ranges for audio, validators for feeds.
ALLOWED_HEADERS = "Range, If-Range, If-None-Match, If-Modified-Since"
PREFLIGHT_MAX_AGE = "86400"


def public_cors(view: View) -> View:
    """Mark a view as readable from any origin (apply below the route decorator)."""
    setattr(view, _MARK, True)
    return view


def is_public_cors(endpoint: str | None) -> bool:
    view = current_app.view_functions.get(endpoint or "")
    return bool(getattr(view, _MARK, False))


def add_cors_headers(response: Response) -> Response:
    if not is_public_cors(request.endpoint):
        return response
    headers = response.headers
    headers["Access-Control-Allow-Origin"] = "*"
    headers["Access-Control-Expose-Headers"] = EXPOSED
    if request.method == "OPTIONS":
        headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    return response


def init_cors(app: Flask) -> None:
    app.after_request(add_cors_headers)
