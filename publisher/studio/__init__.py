"""The producers' studio under /studio/: sign-in, shows, episodes, articles, stats, users.

Importing this package has no effect: ``init_app`` (called by the app factory) imports the
views, which attach their routes to the blueprint, and registers it.

Flask-Login is bound to this blueprint only (its user loader and ``current_user`` in
templates): nothing outside /studio/ reads the session, so public pages, feeds and media
never carry ``Vary: Cookie`` or ``Set-Cookie`` and stay cacheable by a CDN.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the studio's routes and bind its login manager."""
    from publisher.studio import (  # noqa: F401  (attach the routes)
        account,
        articles,
        dashboard,
        episode_audio,
        episode_chapters,
        episode_files,
        episode_people,
        episodes,
        imports,
        jobs,
        show_checks,
        shows,
        stats,
        templating,
        uploads,
        users,
    )
    from publisher.studio.access import init_login
    from publisher.studio.blueprint import bp

    app.register_blueprint(bp)
    init_login(app)
