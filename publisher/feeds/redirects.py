"""Feed addresses people and apps type or remember: ``feed.xml/``, ``/feed``, ``/rss``,
and a slug in another case all answer 301 to the canonical feed URL."""

from __future__ import annotations

from flask import redirect
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from publisher.cors import public_cors
from publisher.exceptions import NotFound
from publisher.extensions import db
from publisher.feeds.blueprint import bp
from publisher.models import Show
from publisher.urls import show_feed_url


def canonical_feed_url(slug: str) -> str | None:
    """The feed URL of the public show ``slug`` names in any case; None when there is
    none, or when ``slug`` is already exact (nothing to redirect to)."""
    if len(slug) > 100:
        return None
    found = db.session.scalar(
        select(Show.slug)
        .where(func.lower(Show.slug) == slug.lower(), Show.public_filter())
        .limit(1)
    )
    if found is None or found == slug:
        return None
    return show_feed_url(found)


@bp.get("/shows/<show>/feed.xml/")
@bp.get("/shows/<show>/feed")
@bp.get("/shows/<show>/rss")
@bp.get("/shows/<show>/rss.xml")
@public_cors
def feed_alias(show: str) -> Response:
    """Other spellings of a feed's address: 301 to the canonical one."""
    found = db.session.scalar(
        select(Show.slug)
        .where(func.lower(Show.slug) == show.lower(), Show.public_filter())
        .limit(1)
    ) if len(show) <= 100 else None  # fmt: skip
    if found is None:
        raise NotFound("There is no podcast at this address.")
    return redirect(show_feed_url(found), code=301)
