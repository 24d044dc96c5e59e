"""WebSub (W3C): when ``WEBSUB_HUB`` is set, feeds advertise the hub (``atom:link
rel="hub"``) and a commit that changes public content pings it, so subscribers hear of a
new episode in seconds instead of at their next poll.

The ping is ``POST hub`` with ``hub.mode=publish&hub.url=<feed>`` (the form hubs such as
Google's and Superfeedr accept), sent by a ``websub.ping`` job that the committing
transaction requests (so it exists exactly when the change does): a slow or absent hub
never delays or fails the request, and a hub that is down is tried again with backoff. Scheduled
episodes go public with no commit: ``flask feeds websub-ping`` (run it from cron every
minute) pings for every feed whose content changed since it was last rendered.
"""

from __future__ import annotations

import logging

from flask import current_app, has_app_context
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from publisher import urls
from publisher.extensions import db
from publisher.models import Article, Episode, FeedRendering, Job, Show, utcnow
from publisher.podcasting.websub import send_pings

__all__ = ["changed_feeds", "send_pings"]

logger = logging.getLogger(__name__)

_PENDING = "publisher_websub_pending"


def _released_or_changing(obj: Episode | Article, session: Session) -> bool:
    """A draft that stays a draft changes no public document: no ping for it."""
    if obj.status != "draft":
        return True
    return obj in session.dirty and inspect(obj).attrs.status.history.has_changes()


def _public_or_leaving(show: Show) -> bool:
    """A show whose feed the public can read, or could until this change (pinged once as
    it stops being public). A draft show's feed URL is never sent to the hub: the hub is
    a third party, and its subscribers would learn of a show not yet announced."""
    if show.is_public:
        return True
    previous: tuple[object, ...] = tuple(inspect(show).attrs.status.history.deleted or ())
    return "published" in previous


def _feeds_touched(session: Session) -> set[str]:
    """Feed URLs whose content this flush may change (public, or just unpublished)."""
    feeds: set[str] = set()
    show_ids: set[int] = set()
    for obj in [*session.new, *session.dirty, *session.deleted]:
        if isinstance(obj, Episode):
            if obj.show_id is not None and _released_or_changing(obj, session):
                show_ids.add(obj.show_id)
        elif isinstance(obj, Show) and obj not in session.new and _public_or_leaving(obj):
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


def request_ping_before_commit(session: Session) -> None:
    """before_commit: request a ``websub.ping`` job for the feeds the transaction changes,
    in that transaction (so the job exists exactly when the change does)."""
    if not has_app_context() or not current_app.config.get("WEBSUB_HUB"):
        return
    session.flush()  # the last changes' feeds too (note_feeds_touched collects them)
    pending = session.info.pop(_PENDING, None)
    if pending:
        hub = current_app.config["WEBSUB_HUB"]
        Job.request("websub.ping", {"hub": hub, "feeds": sorted(pending)},
                    title=f"WebSub ping of {len(pending)} feed(s)")  # fmt: skip
        session.flush()


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
