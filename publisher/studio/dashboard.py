"""The studio's home: recent and scheduled items, storage in use, downloads this week."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from publisher.studio import queries
from publisher.studio.blueprint import bp


@bp.get("/")
def dashboard():
    """What needs the producer's attention, newest first."""
    return render_template("studio/dashboard.html", **queries.dashboard(current_user))
