"""API tokens: issued once (only their sha256 is stored), revoked, never deleted."""

from __future__ import annotations

from publisher.exceptions import NotFound, ValidationError
from publisher.extensions import db
from publisher.models import ApiToken, User


def issue_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user`` (flushed) and its plain value, which is never stored."""
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationError(
            "The token's name must be 1 to 100 characters.",
            details=[{"field": "name", "message": "Must be 1 to 100 characters."}],
        )
    token, plain = ApiToken.issue(user, name)
    db.session.flush()
    return token, plain


def revoke_token(token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"No token with id {token_id}.")
    token.revoke()
    db.session.flush()
    return token
