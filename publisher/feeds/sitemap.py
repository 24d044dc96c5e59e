"""sitemap.xml (sitemaps.org protocol) and robots.txt.

The sitemap lists the public pages with their last change: home, the shows index, each
published show, each public episode and article, and each tag that carries public
content. Above 50,000 URLs (the protocol's limit per file) /sitemap.xml becomes a
sitemap index of /sitemap.xml?page=N files.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from publisher import urls
from publisher.extensions import db
from publisher.feeds.state import SiteState, site_state
from publisher.models import Article, Episode, Show, Tag, article_tags, episode_tags
from publisher.podcasting.xmltext import rfc3339, text

CONTENT_TYPE = "application/xml; charset=utf-8"
URLS_PER_FILE = 50_000
NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"


@dataclass(frozen=True)
class SitemapState(SiteState):
    url_count: int

    @property
    def page_count(self) -> int:
        return max(1, math.ceil(self.url_count / URLS_PER_FILE))


def sitemap_state(now: datetime) -> SitemapState:
    base = site_state(now)
    # Cheap upper bound used only to decide between one file and an index.
    row = db.session.execute(
        select(
            select(func.count(Show.id)).where(Show.public_filter()).scalar_subquery(),
            select(func.count(Episode.id)).where(Episode.public_filter(now)).scalar_subquery(),
            select(func.count(Article.id)).where(Article.public_filter(now)).scalar_subquery(),
            select(func.count(Tag.id)).scalar_subquery(),
        )
    ).one()
    return SitemapState(
        fingerprint_parts=base.fingerprint_parts,
        next_publish_at=base.next_publish_at,
        last_change=base.last_change,
        url_count=2 + sum(row),
    )


def _later(*moments: datetime | None) -> datetime | None:
    present = [m for m in moments if m is not None]
    return max(present) if present else None


def entries(now: datetime) -> list[tuple[str, datetime | None]]:
    """(absolute URL, last modification) of every public page."""
    result: list[tuple[str, datetime | None]] = []
    episodes = db.session.execute(
        select(Show.slug, Episode.slug, Episode.updated_at, Episode.publish_at)
        .join(Show, Episode.show_id == Show.id)
        .where(Episode.public_filter(now))
        .order_by(Show.slug, Episode.publish_at.desc())
    ).all()
    shows = db.session.execute(
        select(Show.slug, Show.updated_at).where(Show.public_filter()).order_by(Show.slug)
    ).all()
    latest_in_show: dict[str, datetime | None] = {}
    for show_slug, _, updated, published in episodes:
        latest_in_show[show_slug] = _later(latest_in_show.get(show_slug), updated, published)
    articles = db.session.execute(
        select(Article.slug, Article.updated_at, Article.publish_at)
        .where(Article.public_filter(now))
        .order_by(Article.publish_at.desc())
    ).all()
    tag_dates: dict[str, datetime | None] = {}
    for slug, moment in db.session.execute(
        select(Tag.slug, func.max(Article.publish_at))
        .join(article_tags, article_tags.c.tag_id == Tag.id)
        .join(Article, article_tags.c.article_id == Article.id)
        .where(Article.public_filter(now))
        .group_by(Tag.slug)
    ):
        tag_dates[slug] = moment
    for slug, moment in db.session.execute(
        select(Tag.slug, func.max(Episode.publish_at))
        .join(episode_tags, episode_tags.c.tag_id == Tag.id)
        .join(Episode, episode_tags.c.episode_id == Episode.id)
        .where(Episode.public_filter(now))
        .group_by(Tag.slug)
    ):
        tag_dates[slug] = _later(tag_dates.get(slug), moment)

    everything = [
        *(a[1] for a in articles),
        *(a[2] for a in articles),
        *latest_in_show.values(),
        *(s[1] for s in shows),
    ]
    result.append((urls.absolute("/"), _later(*everything)))
    result.append(
        (urls.absolute("/shows/"), _later(*(s[1] for s in shows), *latest_in_show.values()))
    )
    for slug, updated in shows:
        result.append((urls.show_url(_stand_in(slug)), _later(updated, latest_in_show.get(slug))))
    for show_slug, episode_slug, updated, published in episodes:
        result.append(
            (
                urls.episode_url(_stand_in(episode_slug), _stand_in(show_slug)),
                _later(updated, published),
            )
        )
    for slug, updated, published in articles:
        result.append((urls.article_url(_stand_in(slug)), _later(updated, published)))
    for slug in sorted(tag_dates):
        result.append((urls.tag_url(_stand_in(slug)), tag_dates[slug]))
    return result


class _Slug:
    """Just enough of a row for the URL builders."""

    __slots__ = ("slug",)

    def __init__(self, slug: str) -> None:
        self.slug = slug


def _stand_in(slug: str) -> Any:
    """A _Slug where the URL builders expect a row (they read only ``.slug``)."""
    return _Slug(slug)


def render_sitemap(state: SitemapState, now: datetime, page: int | None) -> bytes:
    if page is None and state.page_count > 1:
        return _index(state)
    found = entries(now)
    if page is not None:
        found = found[(page - 1) * URLS_PER_FILE : page * URLS_PER_FILE]
    out = [f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{NAMESPACE}">\n']
    for loc, lastmod in found:
        modified = f"<lastmod>{rfc3339(lastmod)}</lastmod>" if lastmod else ""
        out.append(f"<url><loc>{text(loc)}</loc>{modified}</url>\n")
    out.append("</urlset>\n")
    return "".join(out).encode("utf-8")


def _index(state: SitemapState) -> bytes:
    out = [f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{NAMESPACE}">\n']
    lastmod = f"<lastmod>{rfc3339(state.last_change)}</lastmod>" if state.last_change else ""
    for page in range(1, state.page_count + 1):
        loc = urls.absolute(f"/sitemap.xml?page={page}")
        out.append(f"<sitemap><loc>{text(loc)}</loc>{lastmod}</sitemap>\n")
    out.append("</sitemapindex>\n")
    return "".join(out).encode("utf-8")


def robots_txt() -> str:
    """Crawl the public site; keep out of the studio, the API and the media downloads
    (a crawler fetching audio would only inflate download counts)."""
    return (
        "User-agent: *\n"
        "Allow: /\n"
        "Disallow: /studio/\n"
        "Disallow: /api/\n"
        "Disallow: /media/\n"
        f"Sitemap: {urls.absolute('/sitemap.xml')}\n"
    )
