"""Run the feed checklist (podcasting/feedcheck.py) on a show's feed as it would be
served now, draft or not, with its artwork read from the store."""

from __future__ import annotations

from sqlalchemy import select

from publisher.extensions import db
from publisher.feeds import podcast
from publisher.media.storage import ObjectNotFound, StorageError, get_storage
from publisher.models import Show, utcnow
from publisher.podcasting.feedcheck import Finding, check_feed
from publisher.urls import artwork_url


def show_findings(show: Show) -> list[Finding]:
    """Findings for ``show``'s full feed (every listable episode)."""
    now = utcnow()
    state = podcast.show_feed_state(show.slug, now)
    assert state is not None
    body = podcast.render_show_feed(show, state, now, None)
    findings = check_feed(body, fetch=lambda url: _artwork_bytes(show, url))
    if not show.is_public:
        findings.insert(
            0,
            Finding(
                "warning",
                "show",
                "show_draft",
                "The show is a draft: its feed answers 404 until it is published.",
                "Set the show's status to published.",
            ),
        )
    return findings


def _artwork_bytes(show: Show, url: str) -> bytes | None:
    """The artwork the feed names, read from the store (no HTTP request to ourselves)."""
    if not show.artwork_key or url != artwork_url(show):
        return None
    try:
        with get_storage().open(show.artwork_key) as handle:
            return handle.read()
    except (ObjectNotFound, StorageError):
        return None


def find_show(slug: str) -> Show | None:
    return db.session.scalar(select(Show).where(Show.slug == slug))
