"""WebSub (W3C): when ``WEBSUB_HUB`` is set, feeds advertise the hub (``atom:link
rel="hub"``) and a commit that changes public content pings it, so subscribers hear of a
new episode in seconds instead of at their next poll.

The ping is ``POST hub`` with ``hub.mode=publish&hub.url=<feed>`` (the form hubs such as
Google's and Superfeedr accept), sent after the commit from a background thread with a
short timeout: a slow or absent hub never delays or fails the request. Scheduled
episodes go public with no commit: ``flask feeds websub-ping`` (run it from cron every
minute) pings for every feed whose content changed since it was last rendered.
"""

from __future__ import annotations

import logging
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterable

from flask import current_app, has_app_context
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from publisher import urls
from publisher.extensions import db
from publisher.models import Article, Episode, FeedRendering, Show, utcnow

logger = logging.getLogger(__name__)

PING_TIMEOUT = 5.0
_PENDING = "publisher_websub_pending"


def send_pings(hub: str, feed_urls: Iterable[str], timeout: float = PING_TIMEOUT) -> list[int]:
    """POST one publish notification per feed URL; return the hub's status codes."""
    statuses = []
    for feed in feed_urls:
        data = urllib.parse.urlencode({"hub.mode": "publish", "hub.url": feed}).encode()
        request = urllib.request.Request(  # noqa: S310  (the hub URL is the operator's config)
            hub,
            data=data,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
                statuses.append(answer.status)
        except OSError as exc:  # URLError, HTTPError, timeouts
            logger.warning("WebSub ping to %s for %s failed: %s", hub, feed, exc)
            statuses.append(getattr(exc, "code", 0) or 0)
    return statuses


def ping_in_background(hub: str, feed_urls: list[str]) -> threading.Thread:
    thread = threading.Thread(
        target=send_pings, args=(hub, feed_urls), name="websub-ping", daemon=True
    )
    thread.start()
    return thread


def _released_or_changing(obj: Episode | Article, session: Session) -> bool:
    """A draft that stays a draft changes no public document: no ping for it."""
    if obj.status != "draft":
        return True
    return obj in session.dirty and inspect(obj).attrs.status.history.has_changes()


def _feeds_touched(session: Session) -> set[str]:
    """Feed URLs whose content this flush may change (public, or just unpublished)."""
    feeds: set[str] = set()
    show_ids: set[int] = set()
    for obj in [*session.new, *session.dirty, *session.deleted]:
        if isinstance(obj, Episode):
            if obj.show_id is not None and _released_or_changing(obj, session):
                show_ids.add(obj.show_id)
        elif isinstance(obj, Show) and obj not in session.new:
            # (A feed that did not exist has no subscribers to notify.)
            feeds.add(urls.feed_url(obj))
        elif isinstance(obj, Article) and _released_or_changing(obj, session):
            feeds.add(urls.articles_feed_url())
    if show_ids:
        with session.no_autoflush:
            for slug in session.scalars(
                select(Show.slug).where(Show.id.in_(show_ids), Show.public_filter())
            ):
                feeds.add(urls.show_feed_url(slug))
    return feeds


def note_feeds_touched(session: Session, flush_context, instances) -> None:
    """before_flush: remember the public feeds this flush may change."""
    if not has_app_context() or not current_app.config.get("WEBSUB_HUB"):
        return
    pending = session.info.setdefault(_PENDING, set())
    pending.update(_feeds_touched(session))


def ping_after_commit(session: Session) -> None:
    """after_commit: ping the hub for the feeds the transaction changed."""
    pending = session.info.pop(_PENDING, None)
    if not pending or not has_app_context():
        return
    hub = current_app.config.get("WEBSUB_HUB")
    if hub:
        ping_in_background(hub, sorted(pending))


def forget_after_rollback(session: Session, previous_transaction) -> None:
    """after_soft_rollback: nothing changed, nothing to announce."""
    session.info.pop(_PENDING, None)


def changed_feeds() -> list[str]:
    """Feeds whose current fingerprint differs from their stored rendering (or that were
    never rendered): those a scheduled publication may have changed."""
    from publisher.feeds import cache, podcast

    now = utcnow()
    stored = dict(
        db.session.execute(select(FeedRendering.key, FeedRendering.fingerprint)).tuples().all()
    )
    changed = []
    for slug in db.session.scalars(select(Show.slug).where(Show.public_filter())):
        state = podcast.show_feed_state(slug, now)
        if state is None:
            continue
        current = cache.fingerprint("show", None, *state.fingerprint_parts)
        if stored.get(f"show:{state.show_id}") != current:
            changed.append(urls.show_feed_url(slug))
    return changed
