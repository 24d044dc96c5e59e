"""The studio's blueprint and its Flask-Login manager (bound to this app by init_app)."""

from flask import Blueprint
from flask_login import LoginManager

bp = Blueprint("studio", __name__, url_prefix="/studio")
login_manager = LoginManager()
