"""JSON API v1 under /api/v1 (bearer tokens; see DESIGN.md "API v1 (contract)")."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from publisher.api import stats  # noqa: E402,F401
