"""Public page views: thin, they select public content and render."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from publisher.extensions import db
from publisher.models import Article, Episode, utcnow
from publisher.site import bp


@bp.get("/")
def home():
    """Home page: the latest public articles and episodes."""
    now = utcnow()
    articles = db.session.scalars(
        select(Article)
        .where(Article.public_filter(now))
        .order_by(Article.publish_at.desc())
        .limit(10)
    ).all()
    episodes = db.session.scalars(
        select(Episode)
        .where(Episode.public_filter(now))
        .options(selectinload(Episode.show))
        .order_by(Episode.publish_at.desc())
        .limit(10)
    ).all()
    return render_template("site/home.html", articles=articles, episodes=episodes)
