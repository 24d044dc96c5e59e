"""What templates need beyond the rows: dates in the site's time zone, share links,
JSON-LD documents, and URLs for things other areas serve (artwork, transcripts)."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, current_app
from markupsafe import Markup

from publisher import urls
from publisher.content import strip_tags
from publisher.media.covers import cover_size
from publisher.models import Article, Episode, Show
from publisher.podcasting.artwork import copy_sides
from publisher.site.queries import chapters_of

logger = logging.getLogger(__name__)


def site_timezone() -> ZoneInfo:
    name = current_app.config["SITE_TIMEZONE"]
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        logger.warning("SITE_TIMEZONE %r is not a known time zone; using UTC", name)
        return ZoneInfo("UTC")


def local_datetime(value: datetime | None, fmt: str = "%-d %b %Y, %H:%M") -> str:
    """A datetime as readers see it, in SITE_TIMEZONE (UTC unless configured)."""
    if value is None:
        return ""
    return value.astimezone(site_timezone()).strftime(fmt)


def iso_datetime(value: datetime | None) -> str:
    """The machine-readable form for <time datetime> and metadata."""
    return value.astimezone(site_timezone()).isoformat(timespec="seconds") if value else ""


def file_size(size: int | None) -> str:
    """Bytes as people read them: "820 KB", "14.2 MB"."""
    if not size:
        return ""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    if size < 1024**3:
        return f"{size / 1024**2:.1f} MB"
    return f"{size / 1024**3:.2f} GB"


def json_ld(document: dict[str, Any]) -> Markup:
    """JSON for a <script type="application/ld+json"> block. "<", ">" and "&" are written
    as \\u escapes, so no value can close the element or open a comment."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))  # noqa: S704  # nosec B704


def share_links(url: str, title: str) -> list[dict[str, str]]:
    """Plain links to share a page: no third-party script runs on our pages."""
    return [
        {
            "name": "facebook",
            "label": "Facebook",
            "href": "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
        },
        {
            "name": "x",
            "label": "X",
            "href": "https://x.com/intent/post?" + urlencode({"url": url, "text": title}),
        },
        {
            "name": "telegram",
            "label": "Telegram",
            "href": "https://t.me/share/url?" + urlencode({"url": url, "text": title}),
        },
        {
            "name": "vk",
            "label": "VK",
            "href": "https://vk.com/share.php?" + urlencode({"url": url, "title": title}),
        },
        {
            "name": "mail",
            "label": "Email",
            "href": f"mailto:?subject={quote(title)}&body={quote(url)}",
        },
    ]


def artwork_url(show: Show | None, episode: Episode | None = None) -> str | None:
    """The episode's own artwork if it has one, else the show's; None when neither."""
    if show is None:
        return None
    if episode is not None and episode.artwork_key:
        return urls.episode_artwork_url(episode, show)
    return urls.show_artwork_url(show)


def artwork_image_url(show: Show | None, side: int = 600) -> str | None:
    """For an <img>: the resized JPEG copy of uploaded artwork (lighter), else the
    original."""
    if show is not None and show.artwork_key and side in copy_sides(show.artwork_width or 0):
        return urls.artwork_copy_url(show, side)
    return artwork_url(show)


def transcript_url(episode: Episode) -> str | None:
    """The transcript's URL (served by the feeds area) when the episode has one."""
    return urls.transcript_url(episode, episode.show)


def article_json_ld(article: Article, episodes: list[Episode]) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.summary or "",
        "url": urls.article_url(article),
        "mainEntityOfPage": urls.article_url(article),
        "datePublished": iso_datetime(article.publish_at),
        "dateModified": iso_datetime(
            max(article.updated_at, article.publish_at or article.updated_at)
        ),
        "keywords": [tag.name for tag in article.tags],
        "publisher": {"@type": "Organization", "name": current_app.config["SITE_NAME"]},
    }
    if article.author_name:
        document["author"] = {"@type": "Person", "name": article.author_name}
    if episodes:
        document["associatedMedia"] = [
            {"@type": "AudioObject", "contentUrl": urls.enclosure_url(e), "name": e.title}
            for e in episodes
        ]
    return document


def episode_json_ld(episode: Episode) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "PodcastEpisode",
        "name": episode.title,
        "url": urls.episode_url(episode),
        "datePublished": iso_datetime(episode.publish_at),
        "description": strip_tags(episode.description)[:500],
        "partOfSeries": {
            "@type": "PodcastSeries",
            "name": episode.show.title,
            "url": urls.show_url(episode.show),
        },
        "associatedMedia": {
            "@type": "MediaObject",
            "contentUrl": urls.enclosure_url(episode),
            "encodingFormat": episode.mime_type or "audio/mpeg",
        },
    }
    if episode.duration_seconds:
        document["timeRequired"] = f"PT{round(episode.duration_seconds)}S"
    if episode.number is not None:
        document["episodeNumber"] = episode.number
    return document


def init_presenters(app: Flask) -> None:
    app.add_template_filter(local_datetime, "local_datetime")
    app.add_template_filter(iso_datetime, "iso_datetime")
    app.add_template_filter(json_ld, "json_ld")
    app.add_template_filter(file_size, "file_size")
    app.add_template_filter(strip_tags, "strip_tags")
    app.jinja_env.globals["urls"] = urls  # a module, not a function
    app.add_template_global(share_links)
    app.add_template_global(artwork_url)
    app.add_template_global(artwork_image_url)
    app.add_template_global(cover_size)
    app.add_template_global(transcript_url)
    app.add_template_global(article_json_ld)
    app.add_template_global(episode_json_ld)
    app.add_template_global(chapters_of)
