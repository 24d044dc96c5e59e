"""JSON API v1 under /api/v1 (bearer tokens; see DESIGN.md "API v1 (contract)", docs/api.md).

Importing this package has no effect: ``init_app`` (called by the app factory) imports the
view modules, which attach their routes to the blueprint, and registers it.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the API's routes, its rate limits and its error shape."""
    from publisher.api import (  # noqa: F401  (the views attach their routes)
        articles,
        artwork,
        audio,
        checks,
        docs,
        episode_files,
        episodes,
        imports,
        jobs,
        shows,
        stats,
        uploads,
    )
    from publisher.api.blueprint import bp
    from publisher.api.ratelimit import init_rate_limits

    app.register_blueprint(bp)
    init_rate_limits(app)
