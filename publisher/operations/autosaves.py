"""Autosaves of the article editor: what a producer typed, kept until they save."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from publisher.exceptions import ValidationError
from publisher.extensions import db
from publisher.models import Article, ArticleAutosave, User

AUTOSAVED_FIELDS = ("title", "summary", "body", "tags", "status", "publish_at")
MAX_AUTOSAVE_CHARS = 400_000


def autosave_article(article: Article, user: User, data: dict[str, Any], based_on: int) -> None:
    """Keep ``user``'s unsaved edits of ``article`` (one autosave per user and article)."""
    kept = {name: data[name] for name in AUTOSAVED_FIELDS if name in data}
    if any(not isinstance(value, str) for value in kept.values()):
        raise ValidationError("Autosaved fields are text.")
    if sum(len(value) for value in kept.values()) > MAX_AUTOSAVE_CHARS:
        raise ValidationError("This draft is too long to autosave; save it instead.")
    row = find_autosave(article, user)
    if row is None:
        row = ArticleAutosave(
            article_id=article.id, user_id=user.id, base_version=based_on, data={}
        )
        db.session.add(row)
    row.data = kept
    row.base_version = int(based_on)
    db.session.flush()


def find_autosave(article: Article, user: User) -> ArticleAutosave | None:
    return db.session.scalar(
        select(ArticleAutosave).where(
            ArticleAutosave.article_id == article.id, ArticleAutosave.user_id == user.id
        )
    )


def discard_autosave(article: Article, user: User) -> None:
    row = find_autosave(article, user)
    if row is not None:
        db.session.delete(row)
        db.session.flush()
