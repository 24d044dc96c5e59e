"""What the public pages read from the database: public content only, in a bounded
number of queries whatever the content (relationships are loaded with selectinload or
joinedload, never lazily one row at a time).

Every function selects through ``Article.public_filter`` / ``Episode.public_filter``;
anything not public is "not found", exactly like something that does not exist.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Integer, and_, cast, func, literal, null, select, union_all
from sqlalchemy.orm import aliased, joinedload, selectinload

from publisher.exceptions import NotFound
from publisher.extensions import db
from publisher.models import (
    Article,
    ArticleEpisode,
    ArticleRelated,
    Episode,
    Show,
    Tag,
    article_tags,
    episode_tags,
)

ARTICLES_PER_PAGE = 20
EPISODES_PER_PAGE = 20
READ_ALSO_LIMIT = 5


@dataclass(frozen=True)
class Chapter:
    start: float
    title: str
    url: str | None = None


@dataclass
class ArticlePage:
    article: Article
    episodes: list[Episode]
    read_also: list[Article]


@dataclass
class EpisodePage:
    episode: Episode
    articles: list[Article]


@dataclass
class ShowSummary:
    show: Show
    episode_count: int
    latest_at: datetime | None


def latest_articles(now: datetime, limit: int = 10) -> list[Article]:
    return list(
        db.session.scalars(
            select(Article)
            .where(Article.public_filter(now))
            .options(selectinload(Article.tags))
            .order_by(Article.publish_at.desc(), Article.id.desc())
            .limit(limit)
        )
    )


def latest_episodes(now: datetime, limit: int = 10) -> list[Episode]:
    return list(
        db.session.scalars(
            select(Episode)
            .where(Episode.public_filter(now))
            .options(joinedload(Episode.show))
            .order_by(Episode.publish_at.desc(), Episode.id.desc())
            .limit(limit)
        )
    )


def public_article(slug: str, now: datetime) -> Article:
    """The public article with this slug, its tags loaded; NotFound otherwise."""
    article = db.session.scalar(
        select(Article)
        .where(Article.slug == slug, Article.public_filter(now))
        .options(selectinload(Article.tags))
    )
    if article is None:
        raise NotFound("We could not find that article. It may have moved or not be out yet.")
    return article


def linked_episodes(article: Article, now: datetime) -> list[Episode]:
    """The article's public episodes, in the article's order, shows loaded."""
    return list(
        db.session.scalars(
            select(Episode)
            .join(ArticleEpisode, ArticleEpisode.episode_id == Episode.id)
            .where(ArticleEpisode.article_id == article.id, Episode.public_filter(now))
            .options(joinedload(Episode.show))
            .order_by(ArticleEpisode.position, Episode.id)
        )
    )


def read_also(article: Article, now: datetime, limit: int = READ_ALSO_LIMIT) -> list[Article]:
    """Public articles linked explicitly (first, in the editor's order) or sharing tags
    (more shared tags first, then newest); never the article itself.

    Candidates are gathered from this article's own tags and links, so the cost follows
    how many articles share its tags, not how many articles exist.
    """
    mine, theirs = aliased(article_tags), aliased(article_tags)
    by_tags = (
        select(
            theirs.c.article_id.label("id"),
            func.count().label("shared"),
            cast(null(), Integer).label("position"),
        )
        .select_from(mine)
        .join(theirs, theirs.c.tag_id == mine.c.tag_id)
        .where(mine.c.article_id == article.id, theirs.c.article_id != article.id)
        .group_by(theirs.c.article_id)
    )
    explicit = select(
        ArticleRelated.related_id.label("id"),
        literal(0).label("shared"),
        ArticleRelated.position.label("position"),
    ).where(ArticleRelated.article_id == article.id, ArticleRelated.related_id != article.id)
    candidates = union_all(by_tags, explicit).subquery()
    ranked = (
        select(
            candidates.c.id,
            func.max(candidates.c.shared).label("shared"),
            func.min(candidates.c.position).label("position"),
        )
        .group_by(candidates.c.id)
        .subquery()
    )
    return list(
        db.session.scalars(
            select(Article)
            .join(ranked, ranked.c.id == Article.id)
            .where(Article.public_filter(now))
            .order_by(
                ranked.c.position.is_(None),  # explicit links first
                ranked.c.position,
                ranked.c.shared.desc(),
                Article.publish_at.desc(),
                Article.id.desc(),
            )
            .limit(limit)
        )
    )


def article_page(slug: str, now: datetime) -> ArticlePage:
    """Everything the article page shows, in four queries whatever the article holds."""
    article = public_article(slug, now)
    return ArticlePage(article, linked_episodes(article, now), read_also(article, now))


def tag_page(slug: str, page: int, now: datetime) -> tuple[Tag, Pagination, list[Episode]]:
    """The tag, a page of its public articles, and (on the first page) its public episodes."""
    tag = db.session.scalar(select(Tag).where(Tag.slug == slug))
    if tag is None:
        raise NotFound("There is no such tag.")
    articles = db.paginate(
        select(Article)
        .join(article_tags, article_tags.c.article_id == Article.id)
        .where(article_tags.c.tag_id == tag.id, Article.public_filter(now))
        .options(selectinload(Article.tags))
        .order_by(Article.publish_at.desc(), Article.id.desc()),
        page=page,
        per_page=ARTICLES_PER_PAGE,
        error_out=False,
    )
    if page > 1 and not articles.items:
        raise NotFound(f"There is no page {page} for this tag.")
    episodes: list[Episode] = []
    if page == 1:
        episodes = list(
            db.session.scalars(
                select(Episode)
                .join(episode_tags, episode_tags.c.episode_id == Episode.id)
                .where(episode_tags.c.tag_id == tag.id, Episode.public_filter(now))
                .options(joinedload(Episode.show))
                .order_by(Episode.publish_at.desc(), Episode.id.desc())
                .limit(10)
            )
        )
    if not articles.total and not episodes:
        # A tag nobody public carries is as good as absent.
        raise NotFound("There is nothing published under this tag.")
    return tag, articles, episodes


def public_shows(now: datetime) -> list[ShowSummary]:
    """Published shows with their public episode count and latest release, in one query."""
    public_episode = and_(Episode.show_id == Show.id, Episode.public_filter(now))
    count = select(func.count(Episode.id)).where(public_episode).scalar_subquery()
    latest = select(func.max(Episode.publish_at)).where(public_episode).scalar_subquery()
    rows = db.session.execute(
        select(Show, count, latest).where(Show.public_filter()).order_by(Show.title, Show.id)
    ).all()
    return [
        ShowSummary(show, episodes or 0, _aware(latest_at)) for show, episodes, latest_at in rows
    ]


def public_show(slug: str) -> Show:
    show = db.session.scalar(select(Show).where(Show.slug == slug, Show.public_filter()))
    if show is None:
        raise NotFound("We could not find that show.")
    return show


def show_episodes(show: Show, page: int, now: datetime) -> Pagination:
    """A page of the show's public episodes, newest first (serial shows: oldest first)."""
    order = Episode.publish_at.asc() if show.show_type == "serial" else Episode.publish_at.desc()
    episodes = db.paginate(
        select(Episode)
        .where(Episode.show_id == show.id, Episode.public_filter(now))
        .order_by(order, Episode.id.desc()),
        page=page,
        per_page=EPISODES_PER_PAGE,
        error_out=False,
    )
    if page > 1 and not episodes.items:
        raise NotFound(f"There is no page {page} of this show's episodes.")
    # episode.show needs no query: the many-to-one load finds the show in the identity map.
    return episodes


def episode_page(show_slug: str, episode_slug: str, now: datetime) -> EpisodePage:
    """The public episode and the public articles that link to it."""
    episode = db.session.scalar(
        select(Episode)
        .join(Episode.show)
        .where(Show.slug == show_slug, Episode.slug == episode_slug, Episode.public_filter(now))
        .options(joinedload(Episode.show), selectinload(Episode.tags))
    )
    if episode is None:
        raise NotFound("We could not find that episode. It may have moved or not be out yet.")
    return EpisodePage(episode, articles_linking(episode, now))


def articles_linking(episode: Episode, now: datetime) -> list[Article]:
    return list(
        db.session.scalars(
            select(Article)
            .join(ArticleEpisode, ArticleEpisode.article_id == Article.id)
            .where(ArticleEpisode.episode_id == episode.id, Article.public_filter(now))
            .order_by(Article.publish_at.desc(), Article.id.desc())
            .limit(20)
        )
    )


def embeddable_episode(guid: str, now: datetime) -> Episode:
    episode = db.session.scalar(
        select(Episode)
        .where(Episode.guid == guid, Episode.public_filter(now))
        .options(joinedload(Episode.show))
    )
    if episode is None:
        raise NotFound("We could not find that episode.")
    return episode


def chapters_of(episode: Episode) -> list[Chapter]:
    """The episode's chapters (Podcasting 2.0 JSON) that a listener can jump to, in order.

    Entries without a usable start time or title, and those marked ``toc: false``, are
    left out rather than failing the page.
    """
    data: Any = episode.chapters or {}
    entries = data.get("chapters", []) if isinstance(data, dict) else []
    chapters = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or entry.get("toc") is False:
            continue
        start, title = entry.get("startTime"), entry.get("title")
        if not isinstance(start, int | float) or isinstance(start, bool) or not title:
            continue
        if not math.isfinite(start) or start < 0:
            continue
        url = entry.get("url")
        safe_url = url if isinstance(url, str) and url.startswith(("https://", "http://")) else None
        chapters.append(Chapter(float(start), str(title), safe_url))
    return sorted(chapters, key=lambda chapter: chapter.start)


def _aware(value: datetime | None) -> datetime | None:
    # Aggregates skip the column type, so SQLite hands back a naive UTC datetime or text.
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
