"""Absolute public URLs, built from PUBLIC_URL so feeds and enclosures never depend on
the request's host. The paths follow DESIGN.md's URL map; they are stable."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING
from urllib.parse import quote

from flask import current_app

if TYPE_CHECKING:
    from publisher.models import Article, Episode, Show, Tag


def absolute(path: str) -> str:
    """PUBLIC_URL + path (path starts with a slash)."""
    return current_app.config["PUBLIC_URL"] + path


def show_url(show: Show) -> str:
    return absolute(f"/shows/{quote(show.slug)}")


def feed_url(show: Show) -> str:
    return show_feed_url(show.slug)


def show_feed_url(slug: str) -> str:
    """A show's podcast feed, from its slug alone (for code holding only slugs)."""
    return absolute(f"/shows/{quote(slug)}/feed.xml")


def articles_feed_url() -> str:
    return absolute("/feed.xml")


def episode_url(episode: Episode, show: Show | None = None) -> str:
    show = show or episode.show
    return absolute(f"/shows/{quote(show.slug)}/{quote(episode.slug)}")


def enclosure_url(episode: Episode) -> str:
    """The stable enclosure URL: it counts the download, then serves or redirects."""
    return absolute(f"/media/{episode.guid}.{episode.extension}")


def chapters_url(episode: Episode, show: Show | None = None) -> str:
    return episode_url(episode, show) + "/chapters.json"


def article_url(article: Article) -> str:
    return absolute(f"/articles/{quote(article.slug)}")


def tag_url(tag: Tag) -> str:
    return absolute(f"/tags/{quote(tag.slug)}")


def embed_url(episode: Episode) -> str:
    return absolute(f"/embed/{episode.guid}")


ARTWORK_EXTENSIONS = {"image/jpeg": "jpg", "image/jpg": "jpg", "image/png": "png"}


def artwork_version(key: str) -> str:
    """A short fingerprint of a storage key: every upload has a new key, so a new URL."""
    return hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:10]


def _artwork_base(owner: Show | Episode, show: Show | None) -> str:
    if hasattr(owner, "guid"):
        return episode_url(owner, show)  # type: ignore[arg-type]
    return show_url(owner)  # type: ignore[arg-type]


def artwork_url(owner: Show | Episode, show: Show | None = None) -> str | None:
    """The original artwork of a show or an episode (``?v=`` changes with the file)."""
    if not owner.artwork_key:
        return None
    extension = ARTWORK_EXTENSIONS.get((owner.artwork_mime or "").lower(), "jpg")
    return (
        f"{_artwork_base(owner, show)}/artwork.{extension}?v={artwork_version(owner.artwork_key)}"
    )


def artwork_copy_url(owner: Show | Episode, side: int, show: Show | None = None) -> str:
    """A resized JPEG copy (see media/artwork.py)."""
    return (
        f"{_artwork_base(owner, show)}/artwork-{side}.jpg"
        f"?v={artwork_version(owner.artwork_key or '')}"
    )


def transcript_url(episode: Episode, transcript_id: int, extension: str) -> str:
    return f"{episode_url(episode)}/transcripts/{transcript_id}.{extension}"
