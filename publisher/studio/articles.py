"""Articles in the studio: every editor works on every article."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select

from publisher.extensions import db
from publisher.models import Article
from publisher.studio.blueprint import bp


@bp.get("/articles/")
def articles():
    """Every article, the most recently changed first."""
    items = db.session.scalars(select(Article).order_by(Article.updated_at.desc())).all()
    return render_template("studio/articles.html", articles=items)
