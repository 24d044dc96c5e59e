"""Fingerprint material for the site-wide documents (articles feed, sitemap): one query
of aggregates over articles, episodes, shows, tags and their links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select

from publisher.extensions import db
from publisher.models import (
    Article,
    ArticleEpisode,
    Episode,
    Show,
    Tag,
    article_tags,
    public_filter,
    scheduled_filter,
)


@dataclass(frozen=True)
class SiteState:
    fingerprint_parts: tuple[Any, ...]
    next_publish_at: datetime | None
    last_change: datetime | None


def _aggregates(model: Any, now: datetime) -> list[Any]:
    """count, max(updated_at), sum(id), public count, next pending publish_at."""
    pending = scheduled_filter(model, now)
    return [
        select(func.count(model.id)).scalar_subquery(),
        select(func.max(model.updated_at)).scalar_subquery(),
        select(func.coalesce(func.sum(model.id), 0)).scalar_subquery(),
        select(func.count(case((public_filter(model, now), model.id)))).scalar_subquery(),
        select(func.min(case((pending, model.publish_at)))).scalar_subquery(),
        select(func.max(case((public_filter(model, now), model.publish_at)))).scalar_subquery(),
    ]


def site_state(now: datetime) -> SiteState:
    """Everything a site-wide document depends on, in one round trip."""
    columns = [
        *_aggregates(Article, now),
        *_aggregates(Episode, now),
        select(func.count(Show.id)).scalar_subquery(),
        select(func.max(Show.updated_at)).scalar_subquery(),
        select(func.coalesce(func.sum(Show.id), 0)).scalar_subquery(),
        # Links and tags do not touch the article's updated_at: count them too.
        select(func.count()).select_from(ArticleEpisode).scalar_subquery(),
        select(
            func.coalesce(func.sum(ArticleEpisode.episode_id * 31 + ArticleEpisode.position), 0)
        ).scalar_subquery(),
        select(func.count()).select_from(article_tags).scalar_subquery(),
        select(
            func.coalesce(func.sum(article_tags.c.tag_id * 7 + article_tags.c.article_id), 0)
        ).scalar_subquery(),
        select(func.count(Tag.id)).scalar_subquery(),
        select(
            func.coalesce(func.sum(func.length(Tag.name) + func.length(Tag.slug) * 3 + Tag.id), 0)
        ).scalar_subquery(),
    ]
    row = tuple(db.session.execute(select(*columns)).one())
    article_next, episode_next = row[4], row[10]
    pending = [d for d in (article_next, episode_next) if d is not None]
    changes = [d for d in (row[1], row[5], row[7], row[11], row[13]) if d is not None]
    return SiteState(
        fingerprint_parts=row,
        next_publish_at=min(pending) if pending else None,
        last_change=max(changes) if changes else None,
    )
