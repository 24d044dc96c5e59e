"""The public site's blueprint, which its view modules attach their routes to."""

from flask import Blueprint

bp = Blueprint("site", __name__)
