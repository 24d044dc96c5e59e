"""Articles: their input type, creation, changes, deletion, and who may see which."""

from __future__ import annotations

from datetime import datetime
from typing import IO, Any

from pydantic import Field
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

from publisher.content import render_markdown, unique_slug
from publisher.exceptions import Conflict, NotFound, ValidationError
from publisher.extensions import db
from publisher.media import covers
from publisher.models import Article, ArticleRelated, Episode, Status, User, utcnow
from publisher.models.races import insert_missing, insert_with_slug, lock_for_update, savepoint
from publisher.operations.fields import (
    MAX_ID,
    UNSET,
    Id,
    Input,
    Markdown,
    Slug,
    StatusName,
    Summary,
    TagName,
    Text200,
    Timestamp,
    Title,
    validated,
)
from publisher.operations.publication import publication_fields, status_condition
from publisher.operations.tags import tags_named


class ArticleFields(Input):
    title: Title = UNSET
    slug: Slug = Field(UNSET, description="Made from the title when omitted.")
    summary: Summary = UNSET
    body: Markdown = Field(UNSET, description="Markdown; rendered and sanitized.")
    author_name: Text200 = UNSET
    tags: list[TagName] = Field(
        UNSET,
        max_length=50,
        description="Tag names; unknown tags are created.",
    )
    episodes: list[Id] = Field(
        UNSET,
        max_length=100,
        description="Episode ids, in order.",
    )
    status: StatusName = UNSET
    publish_at: Timestamp | None = Field(
        UNSET, description="Required for `scheduled`; defaults to now for `published`."
    )


class ArticleCreate(ArticleFields):
    title: Title


class ArticleUpdate(ArticleFields):
    pass


# ---------------------------------------------------------------------------- look-ups


def articles_query(user: User | None, status: str | None, now: datetime) -> Select:
    statement = select(Article)
    if user is None:
        statement = statement.where(Article.public_filter(now))
    if status is not None:
        statement = statement.where(status_condition(Article, status, now))
    return statement.order_by(Article.publish_at.desc().nulls_first(), Article.id.desc())


def get_article(article_id: int, user: User | None, now: datetime) -> Article:
    """The article with this id; 404 when there is none or the caller may not see it."""
    article = db.session.get(Article, article_id) if 0 < article_id <= MAX_ID else None
    if article is None or (user is None and not article.is_public(now)):
        raise NotFound(f"There is no article {article_id}.")
    return article


# ---------------------------------------------------------------------------- writes


def create_article(
    data: ArticleCreate | dict[str, Any], author: User | None, now: datetime | None = None
) -> Article:
    """A new article, its tags created on the fly, its episodes linked in order; a taken
    slug is a 409, even when a concurrent request took it a moment before."""
    fields = validated(ArticleCreate, data).model_dump(exclude_unset=True)
    now = now or utcnow()

    def make(slug: str) -> Article:
        article = Article(slug=slug, status=Status.DRAFT, author=author)
        if author is not None and "author_name" not in fields:
            article.author_name = author.name
        db.session.add(article)
        _apply(article, dict(fields), now)
        return article

    return insert_with_slug(
        make,
        chosen=fields.pop("slug", None),
        generate=lambda: unique_slug(fields["title"], _article_slug_taken),
        taken=_article_slug_taken,
        conflict=_slug_conflict,
    )


def update_article(
    article: Article, data: ArticleUpdate | dict[str, Any], now: datetime | None = None
) -> None:
    """Change the fields sent (PATCH semantics); ``tags``/``episodes`` replace the lists.

    Replacing a list first takes the article's row lock, so a concurrent editor of the
    same article waits, then reads the links the first one committed (the last writer's
    list wins whole; no link row is deleted twice)."""
    fields = validated(ArticleUpdate, data).model_dump(exclude_unset=True)
    if "tags" in fields or "episodes" in fields:
        lock_for_update(Article, article.id)
        db.session.expire(article, ["tags", "episode_links"])
    try:
        with savepoint():  # a concurrent request may take the new slug meanwhile
            _apply(article, fields, now or utcnow())
    except IntegrityError:
        if "slug" in fields and _article_slug_taken(fields["slug"], except_id=article.id):
            raise _slug_conflict(fields["slug"]) from None
        raise


def delete_article(article: Article) -> None:
    covers.remove_cover_image(article)  # its stored object goes after the commit
    db.session.delete(article)
    db.session.flush()


def set_cover_image(article: Article, stream: IO[bytes]) -> None:
    """Upload or replace the cover (JPEG, PNG or WebP, at least 600 px wide), stored
    re-encoded as one JPEG; 422 says what to change, 413 when the file is too large."""
    covers.set_cover_image(article, stream)
    db.session.flush()


def remove_cover_image(article: Article) -> None:
    covers.remove_cover_image(article)
    db.session.flush()


def relate(article: Article, related: Article) -> None:
    """An explicit "Read also" link from ``article`` to ``related`` (already there, or
    added by a concurrent request: nothing to do)."""
    if article.id == related.id:
        raise ValidationError('An article cannot be its own "Read also".')
    insert_missing(
        ArticleRelated,
        [{"article_id": article.id, "related_id": related.id}],
        ("article_id", "related_id"),
    )
    db.session.expire(article, ["related_links"])


def _slug_conflict(slug: str) -> Conflict:
    return Conflict(f"The slug '{slug}' is already used by another article.")


def _article_slug_taken(slug: str, except_id: int | None = None) -> bool:
    statement = select(Article.id).where(Article.slug == slug)
    if except_id is not None:
        statement = statement.where(Article.id != except_id)
    return db.session.scalar(statement) is not None


def _apply(article: Article, fields: dict[str, Any], now: datetime) -> None:
    fields = publication_fields(fields, article.status, article.publish_at, now)
    if "slug" in fields and _article_slug_taken(fields["slug"], except_id=article.id):
        raise _slug_conflict(fields["slug"])
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
    db.session.flush()


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
