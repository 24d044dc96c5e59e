"""JSON API v1 under /api/v1 (bearer tokens; see DESIGN.md "API v1 (contract)", docs/api.md)."""

from flask import Blueprint

from publisher.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Callers authenticate with bearer tokens, never cookies, so CSRF does not apply.
csrf.exempt(bp)

from publisher.api import (  # noqa: E402  (the views register themselves on bp)
    articles,
    docs,
    episodes,
    imports,
    jobs,
    ratelimit,
    shows,
    stats,
    uploads,
)

__all__ = [
    "articles",
    "bp",
    "docs",
    "episodes",
    "imports",
    "jobs",
    "ratelimit",
    "shows",
    "stats",
    "uploads",
]
