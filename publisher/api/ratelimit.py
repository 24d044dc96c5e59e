"""Per-client rate limits on the API (Flask-Limiter).

The client is the token (its sha256, never the token itself) when one is sent, else the
caller's IP address. Limits come from ``API_RATE_LIMIT`` (token holders) and
``API_ANONYMOUS_RATE_LIMIT`` (everyone else), in Flask-Limiter's notation
(``"300 per minute"``); counters live in ``RATELIMIT_STORAGE_URI`` (in memory by default —
use ``redis://…`` when more than one process serves the app). ``RATELIMIT_ENABLED = False``
turns limiting off. A refused request gets 429, the JSON error shape and ``Retry-After``.
"""

from __future__ import annotations

import time

from flask import Flask, current_app
from flask.wrappers import Response
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from publisher.api.blueprint import bp
from publisher.auth import bearer_token
from publisher.models import hash_token

EXTENSION_KEY = "publisher_api_limiter"


def client_key() -> str:
    token = bearer_token()
    if token is not None:
        return "token:" + hash_token(token)
    return "ip:" + get_remote_address()


def current_limit() -> str:
    if bearer_token() is not None:
        return current_app.config["API_RATE_LIMIT"]
    return current_app.config["API_ANONYMOUS_RATE_LIMIT"]


def _error_message() -> str:
    limit = current_limit()
    return f"Too many requests: the limit is {limit}. Wait the seconds in the Retry-After header."


def init_rate_limits(app: Flask) -> None:
    """One Limiter per app (its storage and switch are per app), limiting only the API."""
    if not app.config["RATELIMIT_ENABLED"]:
        return  # no limiter at all: its in-memory storage would start a timer thread
    limiter = Limiter(key_func=client_key, app=app)
    limiter.limit(current_limit, key_func=client_key, error_message=_error_message)(bp)
    app.extensions[EXTENSION_KEY] = limiter


@bp.after_request
def _retry_after(response: Response) -> Response:
    """A 429 says when to come back (Flask-Limiter only adds it with all its headers on)."""
    if response.status_code == 429 and "Retry-After" not in response.headers:
        limiter: Limiter | None = current_app.extensions.get(EXTENSION_KEY)
        limit = limiter.current_limit if limiter is not None else None
        seconds = max(1, int(limit.reset_at - time.time())) if limit is not None else 60
        response.headers["Retry-After"] = str(seconds)
    return response
