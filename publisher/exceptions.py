"""Our exceptions: a message a person can act on and the HTTP status it maps to.

Flask-free, so every layer may raise them; ``publisher.errors`` renders them as JSON under
``/api/`` and as pages elsewhere.
"""

from __future__ import annotations

from typing import Any


class PublisherError(Exception):
    """An error with a message a person can act on, and the HTTP status it maps to."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(PublisherError):
    status_code = 404
    code = "not_found"


class ValidationError(PublisherError):
    status_code = 422
    code = "validation_error"


class Conflict(PublisherError):
    status_code = 409
    code = "conflict"
