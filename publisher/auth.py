"""Bearer-token authentication for the API (and any JSON endpoint for producers).

``g.api_user`` / ``g.api_token`` are set when a valid token came with the request.
``require_token()`` guards a view: 401 with ``WWW-Authenticate`` when the token is
missing, unknown or revoked; 403 when its user lacks the role.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from flask import g, request
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Forbidden, Unauthorized

from publisher.extensions import db
from publisher.models import ApiToken, User, utcnow

ROLE_RANK = {"editor": 1, "admin": 2}
# last_used_at is written at most this often per token, so reads stay cheap.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _unauthorized(message: str, error: str = "invalid_token") -> Unauthorized:
    challenge = WWWAuthenticate("Bearer", {"realm": "publisher", "error": error})
    return Unauthorized(message, www_authenticate=challenge)


def bearer_token() -> str | None:
    """The token in ``Authorization: Bearer …``, or None when there is no such header."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def authenticate() -> User | None:
    """Resolve the request's token to a user (or None if no token was sent).

    A token that was sent but is unknown or revoked raises 401: a caller who tried to
    authenticate must learn that it failed, not silently get anonymous answers.
    """
    if "api_user" in g:
        return g.api_user
    g.api_user, g.api_token = None, None
    if "Authorization" not in request.headers:
        return None
    plain = bearer_token()
    if plain is None:
        raise _unauthorized("Use 'Authorization: Bearer <token>'.", "invalid_request")
    token = ApiToken.find_active(plain)
    if token is None:
        raise _unauthorized("This token is unknown or has been revoked.")
    _note_use(token)
    g.api_user, g.api_token = token.user, token
    return token.user


def _note_use(token: ApiToken) -> None:
    """Record when the token was last used (at most once a minute), in its own short
    autonomous write: the request's own transaction is the view's to commit or roll back."""
    now = utcnow()
    if token.last_used_at is not None and now - token.last_used_at <= LAST_USED_RESOLUTION:
        return
    with db.engine.begin() as connection:
        connection.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
    set_committed_value(token, "last_used_at", now)  # what the row holds; not a change


def require_token(role: str = "editor") -> Callable:
    """Decorator: the view needs a valid token whose user has at least ``role``."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            user = authenticate()
            if user is None:
                raise _unauthorized("This endpoint needs an API token.", "invalid_request")
            if ROLE_RANK.get(user.role, 0) < ROLE_RANK[role]:
                raise Forbidden(f"This needs the {role} role; your token's user is {user.role}.")
            return view(*args, **kwargs)

        wrapper.required_role = role  # type: ignore[attr-defined]  # read by the OpenAPI doc
        return wrapper

    return decorator
