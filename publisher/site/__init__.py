"""The public site: pages readers and listeners open."""

from flask import Blueprint

bp = Blueprint("site", __name__)

from publisher.site import media, views  # noqa: E402,F401
