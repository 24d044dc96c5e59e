"""Reusing renderings and answering polls cheaply.

A document (a show's feed, a page of it, the articles feed, the sitemap) is rendered
once per *fingerprint*: a digest of the data it depends on, computed with one cheap
query (the show's ``updated_at``, the count, id sum and latest ``updated_at`` of its
episodes, how many of them are public *now*…). Counting what is public now makes a
scheduled episode change the fingerprint the moment its ``publish_at`` passes, with no
write. The rendering and its gzip form are stored in ``feed_renderings``, so every app
process reuses it; a small per-process LRU only saves reading it back.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Response, current_app, request
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import ORMExecuteState, Session
from werkzeug.http import http_date, parse_date

from publisher.extensions import db
from publisher.models import Article, ArticleEpisode, Episode, FeedRendering, Show, Tag, utcnow

logger = logging.getLogger(__name__)

# Part of every fingerprint: bump it when a change in code changes what is rendered.
RENDER_VERSION = "1"
MEMO_SIZE = 32


@dataclass(frozen=True)
class Rendering:
    key: str
    fingerprint: str
    etag: str
    content_type: str
    body: bytes
    body_gzip: bytes | None  # None: not worth compressing
    last_modified: datetime
    last_modified_http: str = ""

    def __post_init__(self) -> None:
        if not self.last_modified_http:
            object.__setattr__(self, "last_modified_http", http_date(self.last_modified))


class _Memo:
    """A small thread-safe LRU of renderings (an optimisation only: the DB has them)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[tuple[str, str], Rendering] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, scope: str, key: str) -> Rendering | None:
        with self.lock:
            rendering = self.items.get((scope, key))
            if rendering is not None:
                self.items.move_to_end((scope, key))
            return rendering

    def put(self, scope: str, rendering: Rendering) -> None:
        with self.lock:
            self.items[(scope, rendering.key)] = rendering
            self.items.move_to_end((scope, rendering.key))
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


memo = _Memo(MEMO_SIZE)


def fingerprint(*parts: object) -> str:
    """A digest of what a document depends on, including the config it is built from."""
    config = current_app.config
    material = repr(
        (
            RENDER_VERSION,
            config["PUBLIC_URL"],
            config.get("WEBSUB_HUB") or "",
            config.get("FEED_PAGE_SIZE"),
            config.get("SITE_NAME"),
            config.get("SITE_DESCRIPTION"),
            *parts,
        )
    )
    return hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()[:40]


def _scope() -> str:
    # One memo serves every app in the process (tests create many): keep them apart.
    return (
        f"{id(current_app._get_current_object())}:"  # type: ignore[attr-defined]
        f"{current_app.config['SQLALCHEMY_DATABASE_URI']}"
    )


def get_rendering(
    key: str,
    fingerprint_value: str,
    render: Callable[[], bytes],
    *,
    content_type: str,
    show_id: int | None = None,
) -> Rendering:
    """The rendering of ``key`` for this fingerprint: from memory, the database, or made
    now (and stored; the caller commits)."""
    scope = _scope()
    cached = memo.get(scope, key)
    if cached is not None and cached.fingerprint == fingerprint_value:
        return cached
    row = db.session.get(FeedRendering, key)
    if row is not None and row.fingerprint == fingerprint_value:
        rendering = _from_row(row)
        memo.put(scope, rendering)
        return rendering

    body = render()
    etag = hashlib.sha256(body).hexdigest()[:32]
    now = utcnow().replace(microsecond=0)
    if row is not None and row.etag == etag:
        # Same bytes (an edit that changes nothing public): keep the validators, so
        # clients keep getting 304s.
        row.fingerprint = fingerprint_value
        rendering = _from_row(row)
    else:
        # Last-Modified moves forward by at least a second on every change, so a client
        # that only sends If-Modified-Since never misses a change made in the same second.
        last_modified = now
        if row is not None and row.last_modified >= now:
            last_modified = row.last_modified + timedelta(seconds=1)
        body_gzip = gzip.compress(body, compresslevel=6, mtime=0)
        if row is None:
            row = FeedRendering(key=key, show_id=show_id)
            db.session.add(row)
        row.fingerprint = fingerprint_value
        row.etag = etag
        row.content_type = content_type
        row.body = body
        row.body_gzip = body_gzip
        row.last_modified = last_modified
        row.created_at = now
        rendering = Rendering(
            key, fingerprint_value, etag, content_type, body, body_gzip, last_modified
        )
    memo.put(scope, rendering)
    return rendering


def _from_row(row: FeedRendering) -> Rendering:
    return Rendering(
        row.key,
        row.fingerprint,
        row.etag,
        row.content_type,
        row.body,
        row.body_gzip,
        row.last_modified,
    )


def commit_quietly() -> None:
    """Commit the stored rendering; a failure (a concurrent writer, a locked SQLite file)
    only costs a later re-render, never the answer."""
    try:
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        logger.warning("Could not store a feed rendering: %s", exc.__class__.__name__)


def _wants_gzip() -> bool:
    header = request.headers.get("Accept-Encoding", "")
    return "gzip" in header and request.accept_encodings["gzip"] > 0


def _etag_matches(header: str, etag: str) -> bool:
    """If-None-Match uses the weak comparison: W/ prefixes do not matter. Either encoding's
    tag matches, since both stand for the same content (proxies often swap them)."""
    if header.strip() == "*":
        return True
    for candidate in header.split(","):
        tag = candidate.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        tag = tag.strip('"')
        if tag in (etag, etag + "-gz"):
            return True
    return False


def conditional_response(rendering: Rendering, *, max_age: int) -> Response:
    """200 with the (gzipped when accepted) bytes, or 304 with no body when the client's
    copy is current. HEAD gets the same headers without the body."""
    gzipped = rendering.body_gzip is not None and _wants_gzip()
    etag = rendering.etag + ("-gz" if gzipped else "")
    headers = {
        "ETag": f'"{etag}"',
        "Last-Modified": rendering.last_modified_http,
        "Cache-Control": f"public, max-age={max(0, max_age)}",
        "Vary": "Accept-Encoding",
    }
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        not_modified = _etag_matches(if_none_match, rendering.etag)
    else:
        since = request.headers.get("If-Modified-Since")
        since_date = parse_date(since) if since else None
        not_modified = since_date is not None and rendering.last_modified <= since_date
    if not_modified:
        return current_app.response_class(status=304, headers=headers)
    headers["Content-Type"] = rendering.content_type
    if gzipped:
        headers["Content-Encoding"] = "gzip"
        return current_app.response_class(rendering.body_gzip, headers=headers)
    return current_app.response_class(rendering.body, headers=headers)


def max_age_until(next_change: datetime | None, now: datetime) -> int:
    """FEED_MAX_AGE, shortened so that no cache holds a copy past the next scheduled
    publication."""
    max_age = int(current_app.config["FEED_MAX_AGE"])
    if next_change is not None:
        max_age = min(max_age, int((next_change - now).total_seconds()) + 1)
    return max(0, max_age)


@dataclass(frozen=True)
class _Checked:
    rendering: Rendering
    checked_at: float  # time.monotonic()
    next_change: datetime | None


class _Recent:
    """Which rendering each URL had when this process last checked the database.

    A poll within FEED_RECHECK_SECONDS (default 1 s) of the last check is answered
    from here without a query, unless a scheduled publication falls in between (then it
    checks, so the episode appears on time). Commits in this process clear it at once;
    a change committed by another process is seen within the recheck window.
    """

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], _Checked] = {}
        self.lock = threading.Lock()

    def get(self, url_key: str, now: datetime) -> _Checked | None:
        window = float(current_app.config["FEED_RECHECK_SECONDS"])
        if window <= 0:
            return None
        entry = self.items.get((_scope(), url_key))
        if entry is None or time.monotonic() - entry.checked_at >= window:
            return None
        if entry.next_change is not None and now >= entry.next_change:
            return None
        return entry

    def put(self, url_key: str, rendering: Rendering, next_change: datetime | None) -> None:
        with self.lock:
            if len(self.items) > 4 * MEMO_SIZE:
                self.items.clear()
            self.items[(_scope(), url_key)] = _Checked(rendering, time.monotonic(), next_change)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


recent = _Recent()
_CHANGED = "publisher_feeds_changed"
# What a feed, the sitemap or the articles feed is built from.
_WATCHED = (Article, ArticleEpisode, Episode, Show, Tag)


def note_content_flush(session: Session, flush_context: Any, instances: Any) -> None:
    """before_flush: this transaction changes content feeds are built from."""
    if any(isinstance(obj, _WATCHED) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info[_CHANGED] = True


def note_content_statement(state: ORMExecuteState) -> None:
    """do_orm_execute: a bulk INSERT/UPDATE/DELETE may change content too."""
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_CHANGED] = True


def clear_memo_after_commit(session: Session) -> None:
    """after_commit: this process's recent checks may be stale now."""
    if session.info.pop(_CHANGED, False):
        recent.clear()
