"""The public site: pages readers and listeners open, and media delivery (``delivery``).

Importing this package has no effect: ``init_app`` (called by the app factory) imports
the views, registers the blueprint and the template helpers.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the site's routes and template helpers."""
    from publisher.site import delivery, preview, views, waveforms  # noqa: F401  (attach the routes)
    from publisher.site.blueprint import bp
    from publisher.site.presenters import init_presenters

    app.register_blueprint(bp)
    init_presenters(app)
    waveforms.init_waveforms(app)
