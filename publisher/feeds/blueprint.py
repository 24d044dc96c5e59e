"""The feeds area's blueprint, which ``feeds.views`` attaches its routes to."""

from flask import Blueprint

bp = Blueprint("feeds", __name__)
