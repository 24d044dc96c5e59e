"""Feeds: the podcast RSS feeds, the articles Atom feed, the sitemap and robots.txt,
with the chapters, transcript and artwork files that feeds link to.

Importing this package has no effect: ``init_app`` (called by the app factory) imports
the views and registers the blueprint; the feed memo and WebSub react to commits through
``publisher.session_hooks``; the ``feeds`` commands are added by ``publisher.cli``.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the feed routes."""
    from publisher.feeds import files, redirects, views  # noqa: F401  (attach the routes)
    from publisher.feeds.blueprint import bp
    from publisher.feeds.checks import show_findings

    # The feed checklist, for other surfaces (the API's /checks) without importing feeds.
    app.extensions["publisher.feed_checks"] = show_findings

    app.register_blueprint(bp)
