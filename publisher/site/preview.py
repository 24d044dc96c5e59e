"""Private previews: a draft or scheduled article or episode, as readers will see it, for
whoever holds a signed link (see publisher/previews.py). Never indexed, never cached,
never counted (no download is recorded: the player is not offered)."""

from __future__ import annotations

from flask import Response, make_response, render_template, url_for

from publisher.exceptions import NotFound
from publisher.extensions import db
from publisher.media.storage import ObjectNotFound, StorageError, get_storage
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
            # The public cover address answers 404 until the article is published.
            cover_url=url_for("site.preview_cover", token=token) if item.cover_image_key else None,
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


@bp.get("/preview/<token>/cover.jpg")
def preview_cover(token: str):
    """The cover image of the article a preview link shows (bounded JPEG, read whole)."""
    kind, item_id = read_preview_token(token)
    article = db.session.get(Article, item_id) if kind == "article" else None
    if article is None or not article.cover_image_key:
        raise NotFound("This preview has no cover image.")
    try:
        with get_storage().open(article.cover_image_key) as stream:
            data = stream.read()
    except (ObjectNotFound, StorageError):
        raise NotFound("The cover image is missing from the media store.") from None
    response = Response(data, mimetype=article.cover_image_mime or "image/jpeg")
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "private, no-store"
    return response
