"""Private previews: a draft or scheduled article or episode, as readers will see it, for
whoever holds a signed link (see publisher/previews.py). Never indexed, never cached,
never counted (no download is recorded: the player is not offered)."""

from __future__ import annotations

from flask import make_response, render_template

from publisher.exceptions import NotFound
from publisher.extensions import db
from publisher.models import Article, Episode, utcnow
from publisher.previews import read_preview_token
from publisher.site import queries
from publisher.site.blueprint import bp


@bp.get("/preview/<token>")
def preview(token: str):
    """A shared preview of an unpublished article or episode."""
    kind, item_id = read_preview_token(token)
    gone = NotFound("What this preview link showed has been deleted.")
    if kind == "article":
        item = db.session.get(Article, item_id)
        if item is None:
            raise gone
        body = render_template(
            "site/article.html",
            article=item,
            preview=True,
            episodes=queries.linked_episodes(item, utcnow()),
            read_also=[],
        )
    else:
        episode = db.session.get(Episode, item_id)
        if episode is None:
            raise gone
        body = render_template("site/episode.html", episode=episode, articles=[], preview=True)
    response = make_response(body)
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "private, no-store"
    return response
