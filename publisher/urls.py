"""Absolute public URLs, built from PUBLIC_URL so feeds and enclosures never depend on
the request's host. The paths follow DESIGN.md's URL map; they are stable."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from flask import current_app

if TYPE_CHECKING:
    from publisher.models import Article, Episode, Show, Tag


def absolute(path: str) -> str:
    """PUBLIC_URL + path (path starts with a slash)."""
    return current_app.config["PUBLIC_URL"] + path


def job_url(job_id: str) -> str:
    """A background job's status in the API (``GET /api/v1/jobs/<id>``)."""
    return absolute(f"/api/v1/jobs/{job_id}")


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


# Our own guids (UUIDs) appear as they are in media URLs; an imported guid can be any
# text (often a URL), so it appears base64url-encoded behind a prefix instead.
_PLAIN_GUID = re.compile(r"(?!b64-)[A-Za-z0-9_-]{1,100}")
_ENCODED_PREFIX = "b64-"


def media_token(guid: str) -> str:
    """The guid as it appears in /media/ and /embed/ paths (reversible, no dot or slash)."""
    if _PLAIN_GUID.fullmatch(guid):
        return guid
    return _ENCODED_PREFIX + base64.urlsafe_b64encode(guid.encode()).decode().rstrip("=")


def guid_from_media_token(token: str) -> str:
    """The guid a media_token stands for (an undecodable token gives itself: no match)."""
    if not token.startswith(_ENCODED_PREFIX):
        return token
    encoded = token[len(_ENCODED_PREFIX) :]
    try:
        return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return token


def enclosure_url(episode: Episode) -> str:
    """The stable enclosure URL: it counts the download, then serves or redirects."""
    return absolute(f"/media/{media_token(episode.guid)}.{episode.extension}")


# An episode's Podcasting 2.0 chapters file, beside its page (served by the feeds area).
CHAPTERS_FILE = "chapters.json"


def alternate_enclosure_url(episode: Episode, extension: str) -> str:
    """The kept original at the enclosure URL with its own extension."""
    return alternate_enclosure_url_for(episode.guid, extension)


def alternate_enclosure_url_for(guid: str, extension: str) -> str:
    return absolute(f"/media/{guid}.{extension}")


def waveform_url(episode: Episode, waveform_key: str) -> str:
    """The episode's waveform peaks; the version changes with the stored document."""
    version = waveform_key.rsplit("/", 1)[-1].removeprefix("waveform-").removesuffix(".json")
    return absolute(f"/waveforms/{episode.guid}.json?v={quote(version)}")


def chapters_url(episode: Episode, show: Show | None = None) -> str:
    """The episode's Podcasting 2.0 JSON chapters file."""
    return f"{episode_url(episode, show)}/{CHAPTERS_FILE}"


def article_url(article: Article) -> str:
    return absolute(f"/articles/{quote(article.slug)}")


def article_cover_url(article: Article) -> str | None:
    """The article's cover image (served by the feeds area once the article is public);
    ``?v=`` changes with every upload, so the file is cached for a long time."""
    if not article.cover_image_key:
        return None
    return f"{article_url(article)}/cover.jpg?v={_version(article.cover_image_key)}"


def cover_version(key: str) -> str:
    return _version(key)


def tag_url(tag: Tag) -> str:
    return absolute(f"/tags/{quote(tag.slug)}")


def embed_url(episode: Episode) -> str:
    return absolute(f"/embed/{media_token(episode.guid)}")


# -- files the feeds area serves beside a feed (artwork, transcripts) --------------------

# Stored transcript type -> (URL extension, type written in the feed and served).
TRANSCRIPT_FORMATS: dict[str, tuple[str, str]] = {
    "application/x-subrip": ("srt", "application/x-subrip"),
    "application/srt": ("srt", "application/x-subrip"),
    "text/srt": ("srt", "application/x-subrip"),
    "text/vtt": ("vtt", "text/vtt"),
    "application/json": ("json", "application/json"),
    "text/plain": ("txt", "text/plain"),
}
ARTWORK_EXTENSIONS = {"image/jpeg": "jpg", "image/jpg": "jpg", "image/png": "png"}


def transcript_format(transcript_type: str | None) -> tuple[str, str] | None:
    return TRANSCRIPT_FORMATS.get((transcript_type or "").lower())


def artwork_extension(mime: str | None) -> str:
    return ARTWORK_EXTENSIONS.get((mime or "").lower(), "jpg")


def show_artwork_url(show: Any) -> str | None:
    """Show art, served by the feeds area; the version changes when the file does."""
    if not show.artwork_key:
        return None
    return (
        f"{show_url(show)}/artwork.{artwork_extension(show.artwork_mime)}"
        f"?v={_version(show.artwork_key)}"
    )


def episode_artwork_url(episode: Any, show: Any) -> str | None:
    if not episode.artwork_key:
        return None
    return (
        f"{episode_url(episode, show)}/artwork.{artwork_extension(episode.artwork_mime)}"
        f"?v={_version(episode.artwork_key)}"
    )


def transcript_url(episode: Any, show: Any) -> str | None:
    found = transcript_format(episode.transcript_type) if episode.transcript_key else None
    if found is None:
        return None
    return f"{episode_url(episode, show)}/transcript.{found[0]}"


def _version(key: str) -> str:
    return hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:10]


def artwork_url(owner: Show | Episode, show: Show | None = None) -> str | None:
    """The original artwork of a show or an episode (``?v=`` changes with the file)."""
    if hasattr(owner, "guid"):
        return episode_artwork_url(owner, show or owner.show)
    return show_artwork_url(owner)


def artwork_copy_url(owner: Show | Episode, side: int, show: Show | None = None) -> str:
    """A resized JPEG copy of uploaded artwork (see media/artwork.py)."""
    is_episode = hasattr(owner, "guid")
    base = episode_url(owner, show) if is_episode else show_url(owner)
    return f"{base}/artwork-{side}.jpg?v={_version(owner.artwork_key or '')}"


def transcript_file_url(episode: Episode, transcript_id: int, extension: str) -> str:
    """One of the episode's uploaded transcripts (several per episode)."""
    return f"{episode_url(episode)}/transcripts/{transcript_id}.{extension}"
