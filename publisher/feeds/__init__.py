"""Feeds: the podcast RSS feeds, the articles Atom feed, the sitemap and robots.txt,
with the chapters, transcript and artwork files that feeds link to."""

from flask import Blueprint

bp = Blueprint("feeds", __name__)

# Settings this area reads, with their defaults (instance config or PUBLISHER_* override).
DEFAULTS = {
    "FEED_PAGE_SIZE": 100,  # episodes per RFC 5005 page (?page=N)
    "FEED_MAX_AGE": 300,  # Cache-Control max-age of feeds, in seconds
    "ARTICLES_FEED_LIMIT": 50,  # newest articles in /feed.xml
    "FEED_RECHECK_SECONDS": 1.0,  # a process re-checks the database at most this often
    "WEBSUB_HUB": None,  # a WebSub hub URL: advertised in feeds and pinged on publish
}


@bp.record_once
def _configure(state) -> None:
    for key, value in DEFAULTS.items():
        state.app.config.setdefault(key, value)
    from publisher.feeds.cache import init_invalidation
    from publisher.feeds.cli import feeds_cli
    from publisher.feeds.websub import init_websub

    state.app.cli.add_command(feeds_cli)
    init_websub(state.app)
    init_invalidation()


from publisher.feeds import models, views  # noqa: E402,F401
