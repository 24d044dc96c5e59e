"""Feeds: the podcast RSS feeds, the articles Atom feed, the sitemap and robots.txt,
with the chapters, transcript and artwork files that feeds link to."""

from flask import Blueprint

bp = Blueprint("feeds", __name__)


@bp.record_once
def _configure(state) -> None:
    from publisher.feeds.cache import init_invalidation
    from publisher.feeds.cli import feeds_cli
    from publisher.feeds.websub import init_websub

    state.app.cli.add_command(feeds_cli)
    init_websub(state.app)
    init_invalidation()


from publisher.feeds import files, models, redirects, views  # noqa: E402,F401
