"""The API's blueprint, which its view modules attach their routes to."""

from flask import Blueprint

from publisher.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Callers authenticate with bearer tokens, never cookies, so CSRF does not apply.
csrf.exempt(bp)
