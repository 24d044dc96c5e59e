"""The articles feed: Atom (RFC 4287), newest public articles with their full sanitized
content, and each article's public linked episodes as enclosures."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select

from publisher import urls
from publisher.extensions import db
from publisher.feeds.podcast import GENERATOR
from publisher.feeds.state import SiteState, site_state
from publisher.models import Article, ArticleEpisode, Episode, Tag, article_tags, utcnow
from publisher.podcasting.apple import enclosure_type
from publisher.podcasting.xmltext import attr, rfc3339, text

CONTENT_TYPE = "application/atom+xml; charset=utf-8"

articles_feed_state = site_state


def entry_id(article: Article) -> str:
    """A permanent id (RFC 4151 tag URI): it survives a change of slug."""
    host = urlsplit(current_app.config["PUBLIC_URL"]).hostname or "localhost"
    return f"tag:{host},{article.created_at.year}:article:{article.id}"


def render_articles_feed(state: SiteState, now: datetime) -> bytes:
    config = current_app.config
    limit = int(config["ARTICLES_FEED_LIMIT"])
    articles = db.session.scalars(
        select(Article)
        .where(Article.public_filter(now))
        .order_by(Article.publish_at.desc(), Article.id.desc())
        .limit(limit)
    ).all()
    ids = [a.id for a in articles]
    enclosures: dict[int, list[Episode]] = defaultdict(list)
    tags: dict[int, list[Tag]] = defaultdict(list)
    if ids:
        for article_id, episode in db.session.execute(
            select(ArticleEpisode.article_id, Episode)
            .join(Episode, ArticleEpisode.episode_id == Episode.id)
            .where(
                ArticleEpisode.article_id.in_(ids),
                Episode.public_filter(now),
                Episode.storage_key.is_not(None),
                Episode.size_bytes.is_not(None),
            )
            .order_by(ArticleEpisode.article_id, ArticleEpisode.position)
        ):
            enclosures[article_id].append(episode)
        for article_id, tag in db.session.execute(
            select(article_tags.c.article_id, Tag)
            .join(Tag, article_tags.c.tag_id == Tag.id)
            .where(article_tags.c.article_id.in_(ids))
            .order_by(Tag.name)
        ):
            tags[article_id].append(tag)

    site_name = config.get("SITE_NAME") or "Publisher"
    updated = max(
        [a.updated_at for a in articles] + [a.publish_at for a in articles if a.publish_at],
        default=state.last_change or utcnow(),
    )
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n',
        f"<id>{text(urls.absolute('/'))}</id>\n",
        f"<title>{text(site_name)}</title>\n",
        f"<subtitle>{text(config.get('SITE_DESCRIPTION') or '')}</subtitle>\n",
        f'<link rel="self" type="application/atom+xml" href="{attr(urls.articles_feed_url())}"/>\n',
        f'<link rel="alternate" type="text/html" href="{attr(urls.absolute("/"))}"/>\n',
    ]
    if config.get("WEBSUB_HUB"):
        out.append(f'<link rel="hub" href="{attr(config["WEBSUB_HUB"])}"/>\n')
    out.append(f"<updated>{rfc3339(updated)}</updated>\n")
    out.append(f"<author><name>{text(site_name)}</name></author>\n")
    out.append(f"<generator>{GENERATOR}</generator>\n")
    for article in articles:
        link = urls.article_url(article)
        out.append("<entry>\n")
        out.append(f"<id>{text(entry_id(article))}</id>\n")
        out.append(f'<title type="text">{text(article.title)}</title>\n')
        out.append(f'<link rel="alternate" type="text/html" href="{attr(link)}"/>\n')
        published = article.publish_at or article.updated_at  # set on every public article
        out.append(f"<published>{rfc3339(published)}</published>\n")
        out.append(f"<updated>{rfc3339(max(article.updated_at, published))}</updated>\n")
        out.append(f"<author><name>{text(article.author_name or site_name)}</name></author>\n")
        for tag in tags[article.id]:
            out.append(
                f'<category term="{attr(tag.slug)}" label="{attr(tag.name)}" '
                f'scheme="{attr(urls.absolute("/tags/"))}"/>\n'
            )
        if article.summary:
            out.append(f'<summary type="text">{text(article.summary)}</summary>\n')
        out.append(f'<content type="html">{text(article.body_html)}</content>\n')
        for episode in enclosures[article.id]:
            out.append(
                f'<link rel="enclosure" href="{attr(urls.enclosure_url(episode))}" '
                f'length="{int(episode.size_bytes or 0)}" '
                f'type="{attr(enclosure_type(episode.mime_type))}" '
                f'title="{attr(episode.title)}"/>\n'
            )
        out.append("</entry>\n")
    out.append("</feed>\n")
    return "".join(out).encode("utf-8")
