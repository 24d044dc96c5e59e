"""Signed, expiring preview links: ``/preview/<token>`` shows a draft or scheduled article
or episode as readers will see it, to anyone holding the link, until it expires.

The token names the item (kind and id) and is signed with SECRET_KEY; it carries no
other right. The studio makes tokens, the site reads them.
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from publisher.exceptions import NotFound

KINDS = ("article", "episode")
SALT = "publisher-preview-link"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_preview_token(kind: str, item_id: int) -> str:
    if kind not in KINDS:
        raise ValueError(kind)
    return _serializer().dumps([kind, int(item_id)])


def read_preview_token(token: str) -> tuple[str, int]:
    """(kind, id) of a valid, unexpired token; 404 with a reason otherwise."""
    max_age = int(current_app.config["PREVIEW_LINK_HOURS"]) * 3600
    try:
        kind, item_id = _serializer().loads(token[:500], max_age=max_age)
    except SignatureExpired:
        raise NotFound("This preview link has expired. Ask for a new one.") from None
    except (BadSignature, ValueError, TypeError):
        raise NotFound("This preview link is not valid.") from None
    if kind not in KINDS or not isinstance(item_id, int):
        raise NotFound("This preview link is not valid.")
    return kind, item_id


def preview_hours() -> int:
    return int(current_app.config["PREVIEW_LINK_HOURS"])
