"""The producers' studio under /studio/: sign-in, shows, episodes, articles, stats, users.

Flask-Login is bound to this blueprint only (its user loader and ``current_user`` in
templates): nothing outside /studio/ reads the session, so public pages, feeds and media
never carry ``Vary: Cookie`` or ``Set-Cookie`` and stay cacheable by a CDN.
"""

from flask import Blueprint, Flask
from flask.sansio.blueprints import BlueprintSetupState

bp = Blueprint("studio", __name__, url_prefix="/studio")


@bp.record_once
def _bind(state: BlueprintSetupState) -> None:
    from publisher.studio.access import init_login

    init_login(state.app)


def init_studio(app: Flask) -> None:
    """Import the views (they register themselves on ``bp``) and register the blueprint."""
    from publisher.studio import (  # noqa: F401
        account,
        articles,
        dashboard,
        shows,
        templating,
        users,
    )

    app.register_blueprint(bp)
