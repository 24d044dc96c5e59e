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


class TemporarySpaceError(PublisherError):
    """The server could not keep an upload in its temporary folder (a full disk, a quota,
    an I/O error): nothing was saved, and retrying later may work."""

    status_code = 503
    code = "temporary_storage_unavailable"

    @classmethod
    def from_os_error(cls, exc: OSError) -> TemporarySpaceError:
        import errno

        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            cause = "it has run out of space for temporary files"
        else:
            cause = f"it could not write its temporary files ({exc.strerror or exc})"
        return cls(
            f"The server could not receive this upload: {cause}. Nothing was saved. "
            "Please try again later; if it keeps happening, tell the site's administrator "
            "(the folder is UPLOAD_TEMP_DIR, or the system's temporary folder)."
        )
