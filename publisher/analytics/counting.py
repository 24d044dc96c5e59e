"""When media requests add up to a download (IAB Podcast Measurement v2, as it applies).

The rules:

- a client (see ``clients``) is counted at most once per episode per UTC day: the
  24-hour window is the fixed calendar day, the same span the salt lives, so a client's
  hash never has to be linked across days;
- HEAD requests and probes (ranged requests under 1 KiB, e.g. ``Range: bytes=0-1``) are
  not listens and are not recorded at all;
- every other GET adds its byte range to the client's coverage of the episode that day
  (distinct bytes, so repeated ranges do not add up twice); the client becomes a
  download when the coverage reaches the audio offset (ID3 tag, MP4 boxes) plus one
  minute of audio, or the whole file when it is shorter. A single range request is not
  a whole download;
- a client already counted today is seen in the same query that finds the episode,
  so its further requests add no database work;
- bots (see ``useragents``) follow the same rules but their downloads are stored with
  ``is_bot`` set and left out of every stat.

Recording happens after the response is decided, in its own app context, session and
transaction, and every failure is logged and swallowed: counting can lose a count, it
can never fail or delay the delivery of the bytes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from flask import Flask, Request, current_app
from sqlalchemy import delete, exists, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import ColumnElement

from publisher.analytics.clients import client_hash
from publisher.analytics.useragents import classify
from publisher.extensions import db
from publisher.models import Download, Episode, utcnow
from publisher.models.download import DownloadProgress

logger = logging.getLogger(__name__)

MIN_LISTEN_SECONDS = 60
PROBE_MAX_BYTES = 1024
# A pathological client sending many disjoint tiny ranges stops growing its row here.
MAX_SPANS = 256
USER_AGENT_MAX = 500


@dataclass(frozen=True)
class Visitor:
    """Who is asking, as counting sees it: the day's client hash, app and bot flag."""

    at: datetime
    day: date
    client_hash: str
    user_agent: str
    app_name: str
    is_bot: bool


@dataclass(frozen=True)
class MediaRequest:
    """What one delivered media request contributes to counting."""

    visitor: Visitor
    episode_id: int
    start: int
    stop: int  # exclusive
    threshold: int


def identify(request: Request) -> Visitor | None:
    """The visitor behind a GET that may count; None for HEAD or when counting is off."""
    if request.method != "GET" or not current_app.config.get("ANALYTICS_ENABLED", True):
        return None
    at = utcnow()
    user_agent = (request.user_agent.string or "")[:USER_AGENT_MAX]
    info = classify(user_agent)
    secret = current_app.config["SECRET_KEY"]
    return Visitor(
        at=at,
        day=at.date(),
        client_hash=client_hash(secret, at.date(), request.remote_addr, user_agent),
        user_agent=user_agent,
        app_name=info.app[:100],
        is_bot=info.is_bot,
    )


def counted_already(day: Any, client_hash: Any) -> ColumnElement[bool]:
    """SQL: the client is already a download of the episode (``Episode.id``) that day.

    Asked in the same statement that finds the episode, so a counted client's further
    ranges cost no extra query. ``day``/``client_hash`` are values or bind parameters.
    """
    return exists().where(
        DownloadProgress.episode_id == Episode.id,
        DownloadProgress.day == day,
        DownloadProgress.client_hash == client_hash,
        DownloadProgress.counted.is_(True),
    )


class MediaFacts(Protocol):
    """What counting reads of an episode (an Episode row has it)."""

    id: int
    bitrate: int | None
    duration_seconds: float | None
    audio_offset_bytes: int


def threshold_bytes(episode: MediaFacts, size: int) -> int:
    """Bytes a client must request to count: audio offset + 1 minute, at most the file."""
    offset = max(0, episode.audio_offset_bytes or 0)
    if episode.bitrate:
        per_second = episode.bitrate / 8
    elif episode.duration_seconds:
        per_second = max(0, size - offset) / episode.duration_seconds
    else:
        return size  # nothing tells how long a minute is: ask for the whole file
    return min(size, offset + int(per_second * MIN_LISTEN_SECONDS + 0.5))


def is_probe(start: int, stop: int, size: int, ranged: bool) -> bool:
    """A ranged request too small to be listening (Apple's bytes=0-1 and the like)."""
    whole = start == 0 and stop >= size
    return ranged and not whole and stop - start < PROBE_MAX_BYTES


def observe(
    visitor: Visitor | None, episode: MediaFacts, size: int, start: int, stop: int, ranged: bool
) -> MediaRequest | None:
    """The countable part of a GET about to be answered, or None (probe, nothing asked)."""
    if visitor is None or stop <= start or is_probe(start, stop, size, ranged):
        return None
    return MediaRequest(visitor, episode.id, start, stop, threshold_bytes(episode, size))


def merge_span(spans: list[list[int]], start: int, stop: int) -> list[list[int]]:
    """Add [start, stop) to sorted, disjoint spans, merging overlaps and neighbours."""
    merged: list[list[int]] = []
    placed = False
    for span_start, span_stop in spans:
        if span_stop < start:
            merged.append([span_start, span_stop])
        elif stop < span_start:
            if not placed:
                merged.append([start, stop])
                placed = True
            merged.append([span_start, span_stop])
        else:
            start, stop = min(start, span_start), max(stop, span_stop)
    if not placed:
        merged.append([start, stop])
    merged.sort()
    return merged


def covered(spans: list[list[int]]) -> int:
    return sum(stop - start for start, stop in spans)


def record(app: Flask, media_requests: list[MediaRequest]) -> None:
    """Record delivered requests in one transaction; never raises (delivery must not
    depend on it): a failure is logged with the episodes concerned."""
    try:
        with app.app_context():
            try:
                _record_batch(media_requests)
            except IntegrityError:
                # Two processes raced to create the same client's progress row; the
                # loser runs again, one request at a time, against the winner's row.
                db.session.rollback()
                for media_request in media_requests:
                    _record_batch([media_request])
    except Exception:
        episodes = sorted({r.episode_id for r in media_requests})
        logger.exception(
            "Could not record a request for episode(s) %s; the media was served anyway.",
            ", ".join(map(str, episodes)),
        )


def _record_batch(media_requests: list[MediaRequest]) -> int:
    """Apply requests in one short transaction; how many became downloads."""
    session = db.session
    try:
        outcomes = [_apply(session, media_request) for media_request in media_requests]
        if any(outcome is not None for outcome in outcomes):
            if session.get_bind().dialect.name == "postgresql":
                # Counting may lose its last few milliseconds of writes if PostgreSQL
                # crashes (the database stays consistent); in exchange the commit does
                # not wait for the WAL flush, which costs more than the rest.
                session.execute(text("SET LOCAL synchronous_commit TO OFF"))
            session.commit()
        else:
            session.rollback()  # only clients already counted: nothing to write
        return sum(bool(outcome) for outcome in outcomes)
    except BaseException:
        session.rollback()
        raise


def _apply(session, media_request: MediaRequest) -> bool | None:
    """Add one request to its client's progress: None when there was nothing to write
    (the client is already counted), else whether this request made a download."""
    visitor = media_request.visitor
    progress = session.scalar(
        select(DownloadProgress)
        .where(
            DownloadProgress.episode_id == media_request.episode_id,
            DownloadProgress.day == visitor.day,
            DownloadProgress.client_hash == visitor.client_hash,
        )
        .with_for_update()
    )
    if progress is not None and progress.counted:
        return None  # already a download today
    if progress is None:
        progress = DownloadProgress(
            episode_id=media_request.episode_id,
            day=visitor.day,
            client_hash=visitor.client_hash,
            spans=[],
            covered_bytes=0,
            counted=False,
        )
        session.add(progress)
    spans = [list(span) for span in progress.spans or []]
    if len(spans) < MAX_SPANS:
        spans = merge_span(spans, media_request.start, media_request.stop)
    progress.spans = spans
    progress.covered_bytes = covered(spans)
    if progress.covered_bytes < media_request.threshold:
        return False
    progress.counted = True
    session.add(
        Download(
            episode_id=media_request.episode_id,
            created_at=visitor.at,
            day=visitor.day,
            client_hash=visitor.client_hash,
            user_agent=visitor.user_agent,
            app_name=visitor.app_name,
            is_bot=visitor.is_bot,
        )
    )
    return True


def prune_progress(before: date) -> int:
    """Delete progress rows of days before ``before`` (they only hold stale hashes)."""
    result = db.session.execute(delete(DownloadProgress).where(DownloadProgress.day < before))
    return result.rowcount or 0
