"""State changes and look-ups behind the API's views. They flush; the request commits once.

Who sees what: anonymous callers get public content only, selected through the models'
public rule (``Episode.public_filter``, ``Article.public_filter``, a show's ``published``
status); a caller with a token sees everything. An item the caller may not see is
answered exactly like one that does not exist (404), so drafts never leak.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import ColumnElement

from publisher.api.schemas import MAX_ID, SLUG_RE
from publisher.content import render_markdown, sanitize_html, slugify, unique_slug
from publisher.errors import Conflict, NotFound, ValidationError
from publisher.extensions import db
from publisher.feeds.apple import validate_category
from publisher.media.ingest import delete_episode
from publisher.models import (
    DRAFT,
    PUBLISHED,
    SCHEDULED,
    Article,
    Episode,
    Show,
    Tag,
    User,
    public_filter,
    scheduled_filter,
)
from publisher.models.races import insert_missing, lock_for_update, savepoint
from publisher.models.show import podcast_guid_for
from publisher.urls import feed_url

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------------------- visibility


def shows_query(user: User | None, status: str | None = None) -> Select:
    statement = select(Show).order_by(Show.title, Show.id)
    if user is None:
        statement = statement.where(Show.public_filter())
    if status is not None:
        statement = statement.where(Show.status == status)
    return statement


def get_show(slug: str, user: User | None) -> Show:
    show = None
    if SLUG_RE.fullmatch(slug) and len(slug) <= 100:
        show = db.session.scalar(select(Show).where(Show.slug == slug))
    if show is None or (user is None and not show.is_public):
        raise NotFound(f"There is no show '{slug}'.")
    return show


def episode_counts(shows: Sequence[Show], user: User | None, now: datetime) -> dict[int, int]:
    """Episodes per show that the caller can see, in one query."""
    if not shows:
        return {}
    statement = (
        select(Episode.show_id, func.count(Episode.id))
        .where(Episode.show_id.in_([show.id for show in shows]))
        .group_by(Episode.show_id)
    )
    if user is None:
        statement = statement.where(Episode.public_filter(now))
    return dict(db.session.execute(statement).tuples().all())


def status_condition(model: Any, status: str, now: datetime) -> ColumnElement[bool]:
    """Rows whose *effective* status (see ``effective_status``) is ``status``."""
    if status == DRAFT:
        return model.status == DRAFT
    if status == PUBLISHED:
        return public_filter(model, now)
    return scheduled_filter(model, now)


def episodes_query(show: Show, user: User | None, status: str | None, now: datetime) -> Select:
    statement = select(Episode).where(Episode.show_id == show.id)
    if user is None:
        statement = statement.where(Episode.public_filter(now))
    if status is not None:
        statement = statement.where(status_condition(Episode, status, now))
    return statement.order_by(Episode.publish_at.desc().nulls_first(), Episode.id.desc())


def get_episode(episode_id: int, user: User | None, now: datetime) -> Episode:
    episode = db.session.get(Episode, episode_id) if 0 < episode_id <= MAX_ID else None
    if episode is None or (user is None and not episode.is_public(now)):
        raise NotFound(f"There is no episode {episode_id}.")
    return episode


def articles_query(user: User | None, status: str | None, now: datetime) -> Select:
    statement = select(Article)
    if user is None:
        statement = statement.where(Article.public_filter(now))
    if status is not None:
        statement = statement.where(status_condition(Article, status, now))
    return statement.order_by(Article.publish_at.desc().nulls_first(), Article.id.desc())


def get_article(article_id: int, user: User | None, now: datetime) -> Article:
    article = db.session.get(Article, article_id) if 0 < article_id <= MAX_ID else None
    if article is None or (user is None and not article.is_public(now)):
        raise NotFound(f"There is no article {article_id}.")
    return article


# ---------------------------------------------------------------------------- publication


def publication_fields(
    fields: dict[str, Any], current_status: str, current_publish_at: datetime | None, now: datetime
) -> dict[str, Any]:
    """Check status/publish_at together; ``published`` without a time means now."""
    status = fields.get("status", current_status)
    publish_at = fields.get("publish_at", current_publish_at)
    if status == SCHEDULED and publish_at is None:
        raise ValidationError(
            "A scheduled item needs a publication time.",
            details=[{"field": "publish_at", "message": "Required when status is scheduled."}],
        )
    if status == PUBLISHED and publish_at is None:
        fields = {**fields, "publish_at": now}
    return fields


# ---------------------------------------------------------------------------- shows


def create_show(fields: dict[str, Any]) -> Show:
    """A new show; the slug comes from the title unless given (409 if taken)."""
    chosen = fields.pop("slug", None)
    if chosen is not None and _show_slug_taken(chosen):
        raise _show_slug_conflict(chosen)
    for _attempt in range(SLUG_ATTEMPTS):
        slug = chosen or unique_slug(fields["title"], _show_slug_taken)
        show = Show(slug=slug)
        # Podcasting 2.0: the guid derives from the first feed URL and never changes after.
        show.podcast_guid = podcast_guid_for(feed_url(show))
        try:
            with savepoint():  # another request may take the slug meanwhile
                db.session.add(show)
                update_show(show, dict(fields))
            return show
        except IntegrityError:
            if not _show_slug_taken(slug):
                raise
            if chosen is not None:
                raise _show_slug_conflict(chosen) from None
    raise _show_slug_conflict(slug)


# Generated slugs are retried with the next free suffix when a concurrent request takes
# the one just picked; a slug the client chose is a 409.
SLUG_ATTEMPTS = 5


def _show_slug_conflict(slug: str) -> Conflict:
    return Conflict(f"The slug '{slug}' is already used by another show.")


def _show_slug_taken(slug: str) -> bool:
    return db.session.scalar(select(Show.id).where(Show.slug == slug)) is not None


def update_show(show: Show, fields: dict[str, Any]) -> None:
    if "category" in fields or "subcategory" in fields:
        fields = {**fields, **_checked_category(show, fields)}
    for name, value in fields.items():
        setattr(show, name, sanitize_html(value) if name == "description" else value)
    db.session.flush()


def _checked_category(show: Show, fields: dict[str, Any]) -> dict[str, str]:
    """Apple's category pair, canonically spelled; an empty category clears both."""
    category = fields.get("category", show.category or "")
    subcategory = fields.get("subcategory", show.subcategory or "")
    if not category:
        if subcategory:
            raise ValidationError(
                "A subcategory needs a category.",
                details=[{"field": "subcategory", "message": "Set the category first."}],
            )
        return {"category": "", "subcategory": ""}
    try:
        category, subcategory = validate_category(category, subcategory)
    except ValidationError as exc:
        field = (
            exc.details.get("field", "category") if isinstance(exc.details, dict) else "category"
        )
        raise ValidationError(
            exc.message, details=[{"field": field, "message": exc.message}]
        ) from None
    return {"category": category, "subcategory": subcategory}


def delete_show(show: Show) -> None:
    """Delete a show with its episodes (their media goes after the commit)."""
    for episode in list(show.episodes):
        delete_episode(episode)
    db.session.expire(show, ["episodes"])  # they are gone: do not cascade to them again
    db.session.delete(show)
    db.session.flush()


# ---------------------------------------------------------------------------- episodes


def episode_slug_taken(show: Show, slug: str, except_id: int | None = None) -> bool:
    statement = select(Episode.id).where(Episode.show_id == show.id, Episode.slug == slug)
    if except_id is not None:
        statement = statement.where(Episode.id != except_id)
    return db.session.scalar(statement) is not None


def check_episode_slug(show: Show, fields: dict[str, Any], except_id: int | None = None) -> None:
    slug = fields.get("slug")
    if slug is not None and episode_slug_taken(show, slug, except_id):
        raise Conflict(f"The slug '{slug}' is already used by another episode of this show.")


def update_episode(episode: Episode, fields: dict[str, Any], now: datetime) -> None:
    """Change an episode's fields (not its audio: see media.ingest)."""
    check_episode_slug(episode.show, fields, except_id=episode.id)
    fields = publication_fields(fields, episode.status, episode.publish_at, now)
    show = episode.show
    try:
        with savepoint():  # a concurrent request may take the new slug meanwhile
            for name, value in fields.items():
                setattr(episode, name, sanitize_html(value) if name == "description" else value)
    except IntegrityError:
        check_episode_slug(show, fields, except_id=episode.id)
        raise


# ---------------------------------------------------------------------------- articles


def create_article(fields: dict[str, Any], author: User | None, now: datetime) -> Article:
    """A new article, its tags created on the fly, its episodes linked in order."""
    chosen = fields.pop("slug", None)
    if chosen is not None and _article_slug_taken(chosen):
        raise _article_slug_conflict(chosen)
    for _attempt in range(SLUG_ATTEMPTS):
        slug = chosen or unique_slug(fields["title"], _article_slug_taken)
        article = Article(slug=slug, status=DRAFT, author=author)
        if author is not None and "author_name" not in fields:
            article.author_name = author.name
        try:
            with savepoint():  # another request may take the slug meanwhile
                db.session.add(article)
                _apply_article_fields(article, dict(fields), now)
            return article
        except IntegrityError:
            if not _article_slug_taken(slug):
                raise
            if chosen is not None:
                raise _article_slug_conflict(chosen) from None
    raise _article_slug_conflict(slug)


def _article_slug_conflict(slug: str) -> Conflict:
    return Conflict(f"The slug '{slug}' is already used by another article.")


def _article_slug_taken(slug: str, except_id: int | None = None) -> bool:
    statement = select(Article.id).where(Article.slug == slug)
    if except_id is not None:
        statement = statement.where(Article.id != except_id)
    return db.session.scalar(statement) is not None


def update_article(article: Article, fields: dict[str, Any], now: datetime) -> None:
    if "slug" in fields and _article_slug_taken(fields["slug"], except_id=article.id):
        raise _article_slug_conflict(fields["slug"])
    if "tags" in fields or "episodes" in fields:
        # Replacing links: wait for a concurrent editor of this article, then read the
        # links it committed (never delete link rows that are already gone).
        lock_for_update(Article, article.id)
        db.session.expire(article, ["tags", "episode_links"])
    try:
        with savepoint():  # a concurrent request may take the new slug meanwhile
            _apply_article_fields(article, fields, now)
    except IntegrityError:
        if "slug" in fields and _article_slug_taken(fields["slug"], except_id=article.id):
            raise _article_slug_conflict(fields["slug"]) from None
        raise


def _apply_article_fields(article: Article, fields: dict[str, Any], now: datetime) -> None:
    fields = publication_fields(fields, article.status, article.publish_at, now)
    # The new row is incomplete until every field is set: no autoflush in between.
    with db.session.no_autoflush:
        for name, value in fields.items():
            if name == "body":
                article.body_markdown = value
                article.body_html = render_markdown(value)
            elif name == "tags":
                article.tags = tags_named(value)
            elif name == "episodes":
                article.set_episodes(episodes_by_id(value))
            else:
                setattr(article, name, value)


def tags_named(names: list[str]) -> list[Tag]:
    """The tags with these names (by slug), created when new; duplicates collapse. A tag
    another request creates at the same moment is reused, not inserted twice."""
    by_slug: dict[str, str] = {}
    for name in names:
        by_slug.setdefault(slugify(name, max_length=100), name)
    insert_missing(Tag, ({"slug": slug, "name": name} for slug, name in by_slug.items()), "slug")
    found = {tag.slug: tag for tag in db.session.scalars(select(Tag).where(Tag.slug.in_(by_slug)))}
    return [found[slug] for slug in by_slug]


def episodes_by_id(ids: list[int]) -> list[Episode]:
    """The episodes with these ids, in this order; 422 naming each unknown or repeated id."""
    found = {e.id: e for e in db.session.scalars(select(Episode).where(Episode.id.in_(ids)))}
    details, seen = [], set()
    for index, episode_id in enumerate(ids):
        if episode_id not in found:
            details.append({"field": f"episodes.{index}", "message": f"No episode {episode_id}."})
        elif episode_id in seen:
            details.append({"field": f"episodes.{index}", "message": "Listed twice."})
        seen.add(episode_id)
    if details:
        raise ValidationError("Some linked episodes cannot be used.", details=details)
    return [found[episode_id] for episode_id in ids]
