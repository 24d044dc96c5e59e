"""The one place that maps errors (ours, in ``publisher.exceptions``, and HTTP ones) to answers.

Pages get templates (templates/errors/); anything under /api/ gets
``{"error": {"code": "...", "message": "..."}}`` with the same status.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Flask, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from publisher.exceptions import Conflict, NotFound, PublisherError, ValidationError
from publisher.extensions import db

logger = logging.getLogger(__name__)

# Re-exported for the modules that still import them from here (storage, probe).
__all__ = [
    "Conflict",
    "NotFound",
    "PublisherError",
    "ValidationError",
    "error_response",
    "init_error_handlers",
]


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, code: str, message: str, details: Any = None):
    """The error answer for the current request: JSON under /api/, a page elsewhere."""
    if wants_json():
        body: dict[str, Any] = {"code": code, "message": message}
        if details is not None:
            body["details"] = details
        response = jsonify(error=body)
    else:
        known = status in (403, 404, 413, 500)
        template = f"errors/{status}.html" if known else "errors/generic.html"
        response = make_response(render_template(template, status=status, message=message))
    response.status_code = status
    return response


def _code_for(exc: HTTPException) -> str:
    return re.sub(r"[^a-z0-9]+", "_", (exc.name or "error").lower()).strip("_")


def init_error_handlers(app: Flask) -> None:
    @app.errorhandler(PublisherError)
    def handle_publisher_error(exc: PublisherError):
        if exc.status_code >= 500:
            db.session.rollback()
            logger.warning("%s: %s", type(exc).__name__, exc.message)
        return error_response(exc.status_code, exc.code, exc.message, exc.details)

    @app.errorhandler(HTTPException)
    def handle_http_error(exc: HTTPException):
        if isinstance(exc, InternalServerError):
            return handle_server_error(exc)
        response = error_response(exc.code or 500, _code_for(exc), exc.description or "")
        # Keep what the exception says in headers (Allow, WWW-Authenticate, Retry-After…).
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def handle_server_error(exc: Exception):
        original = getattr(exc, "original_exception", None) or exc
        db.session.rollback()
        logger.error("Unhandled error on %s %s", request.method, request.path, exc_info=original)
        return error_response(
            500, "internal_error", "Something went wrong on our side. Please try again later."
        )
