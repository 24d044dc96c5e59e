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
- the client's progress is read in the same query that finds the episode, so a
  client already counted today, or asking again for bytes it asked for before, adds no
  database work, and any other request writes with one statement (see ``_record_one``);
- bots (see ``useragents``) follow the same rules but their downloads are stored with
  ``is_bot`` set and left out of every stat.

Recording happens after the response is sent, on its own connection, and every failure
is logged and swallowed: counting can lose a count, it can never fail or delay the
delivery of the bytes.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Protocol, cast

from flask import Flask, Request, current_app
from sqlalchemy import (
    BindParameter,
    Connection,
    Engine,
    and_,
    bindparam,
    column,
    create_engine,
    delete,
    event,
    literal_column,
    select,
    text,
    update,
)
from sqlalchemy import insert as sa_insert
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.expression import Executable

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
# Optimistic writes retried when another request of the same client wrote first; the
# last LOCKED_ATTEMPTS read the row under a lock (the first of those can still meet a
# row inserted meanwhile, the second cannot), so a race never drops a count.
WRITE_ATTEMPTS = 5
LOCKED_ATTEMPTS = 2
_ENGINE_KEY = "publisher.analytics.recording_engine"
_engine_lock = threading.Lock()


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
class Coverage:
    """A client's progress on an episode for the day, as read from its row."""

    exists: bool  # False: no row yet
    spans: list[list[int]] = field(default_factory=list)
    covered_bytes: int = 0
    counted: bool = False


NO_PROGRESS = Coverage(exists=False)


@dataclass(frozen=True)
class MediaRequest:
    """What one delivered media request contributes to counting."""

    visitor: Visitor
    episode_id: int
    start: int
    stop: int  # exclusive
    threshold: int
    # The client's progress as the lookup found it; None: not known, read it first.
    seen: Coverage | None = None


def identify(request: Request) -> Visitor | None:
    """The visitor behind a GET that may count; None for HEAD or when counting is off."""
    if request.method != "GET" or not current_app.config["ANALYTICS_ENABLED"]:
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


PROGRESS_COLUMNS = (
    DownloadProgress.id,
    DownloadProgress.spans,
    DownloadProgress.covered_bytes,
    DownloadProgress.counted,
)


def progress_of_client(day: Any, client_hash: Any) -> ColumnElement[bool]:
    """SQL: the ON clause joining the episode (``Episode.id``) to the client's progress.

    Outer-joined in the statement that finds the episode, with ``PROGRESS_COLUMNS``, so
    the progress costs no query of its own. ``day``/``client_hash`` are values or
    bind parameters.
    """
    return and_(
        DownloadProgress.episode_id == Episode.id,
        DownloadProgress.day == day,
        DownloadProgress.client_hash == client_hash,
    )


def coverage_from_row(row: Any) -> Coverage:
    """The Coverage of ``PROGRESS_COLUMNS`` values (all None, or no row: no progress)."""
    if row is None or row[0] is None:
        return NO_PROGRESS
    _id, spans, covered_bytes, counted = row
    return Coverage(True, [list(span) for span in spans or []], covered_bytes, bool(counted))


class MediaFacts(Protocol):
    """What counting reads of an episode (an Episode row has it)."""

    @property
    def id(self) -> int: ...
    @property
    def bitrate(self) -> int | None: ...
    @property
    def duration_seconds(self) -> float | None: ...
    @property
    def audio_offset_bytes(self) -> int: ...


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
    visitor: Visitor | None,
    episode: MediaFacts,
    size: int,
    start: int,
    stop: int,
    ranged: bool,
    seen: Coverage | None = None,
) -> MediaRequest | None:
    """The countable part of a GET about to be answered, or None (probe, nothing asked,
    or nothing that would change: counted already, or bytes already covered)."""
    if visitor is None or stop <= start or is_probe(start, stop, size, ranged):
        return None
    media_request = MediaRequest(
        visitor, episode.id, start, stop, threshold_bytes(episode, size), seen
    )
    if seen is not None and _extend(seen, media_request) is None:
        return None  # progress only grows: what was covered when looked up still is
    return media_request


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
    """Record delivered requests, one after the other; never raises (delivery must not
    depend on it): a failure is logged with the episodes concerned."""
    try:
        with app.app_context():
            engine = _recording_engine(app)
            for media_request in media_requests:
                _record_one(engine, media_request)
    except Exception:
        episodes = sorted({r.episode_id for r in media_requests})
        logger.exception(
            "Could not record a request for episode(s) %s; the media was served anyway.",
            ", ".join(map(str, episodes)),
        )


def _record_one(engine: Engine, media_request: MediaRequest) -> bool | None:
    """Add one request to its client's progress: None when there was nothing to write
    (counted already, or no new bytes), else whether this request made a download.

    Optimistic: the progress row as the lookup saw it (``media_request.seen``) is
    extended in Python and written back by one statement that only applies if the row
    is still as seen (``covered_bytes`` only grows, so it is the row's version). On
    PostgreSQL that is one round trip in autocommit, the new ``downloads`` row included
    when the threshold is crossed. If another request of the same client got there
    first, the row is read again and the write retried; the last attempts read it
    under a row lock, so a count is never dropped for losing a race.
    """
    seen = media_request.seen
    reconnected = False
    attempt = 0
    while attempt < WRITE_ATTEMPTS:
        locked = attempt >= WRITE_ATTEMPTS - LOCKED_ATTEMPTS
        try:
            with engine.connect() as conn:
                if conn.dialect.name == "postgresql" and not locked:
                    conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                if seen is None or locked:
                    seen = _read_progress(conn, media_request, lock=locked)
                progress = _extend(seen, media_request)
                if progress is None:
                    return None
                if _write_progress(conn, media_request, seen, progress):
                    conn.commit()
                    return progress.counted
                conn.rollback()
        except DBAPIError as error:
            # The counting pool has no pre-ping (a round trip per request): a connection
            # the server closed fails here once, the pool is renewed, and we go again.
            if not error.connection_invalidated or reconnected:
                raise
            reconnected = True
            continue
        seen = None  # another request of this client wrote first: read the row again
        attempt += 1
    raise RuntimeError(f"progress still changing after {WRITE_ATTEMPTS} attempts")


def _extend(seen: Coverage, media_request: MediaRequest) -> Coverage | None:
    """The client's progress with this request added; None when nothing changes."""
    if seen.counted:
        return None  # already a download today
    spans = [list(span) for span in seen.spans]
    if len(spans) < MAX_SPANS:
        spans = merge_span(spans, media_request.start, media_request.stop)
    covered_bytes = covered(spans)
    if seen.exists and covered_bytes == seen.covered_bytes:
        return None  # these bytes were asked for before
    return Coverage(True, spans, covered_bytes, covered_bytes >= media_request.threshold)


def _read_progress(conn: Connection, media_request: MediaRequest, lock: bool) -> Coverage:
    statements = _statements()
    read = statements.read_locked if lock else statements.read
    return coverage_from_row(conn.execute(read, _key_params(media_request)).first())


def _key_params(media_request: MediaRequest) -> dict[str, Any]:
    return {
        "key_episode_id": media_request.episode_id,
        "key_day": media_request.visitor.day,
        "key_client_hash": media_request.visitor.client_hash,
    }


def _write_progress(
    conn: Connection, media_request: MediaRequest, seen: Coverage, progress: Coverage
) -> bool:
    """Write ``progress`` if the row is still as ``seen``, with the download when it
    counts; False when the row had changed (nothing written)."""
    visitor = media_request.visitor
    params = {
        **_key_params(media_request),
        "seen_covered_bytes": seen.covered_bytes,
        "new_spans": progress.spans,
        "new_covered_bytes": progress.covered_bytes,
        "new_counted": progress.counted,
        "new_updated_at": utcnow(),
    }
    statements = _statements()
    write = statements.update if seen.exists else statements.insert
    if not progress.counted:
        return conn.execute(write, params).first() is not None
    params |= {
        "download_episode_id": media_request.episode_id,
        "download_created_at": visitor.at,
        "download_day": visitor.day,
        "download_client_hash": visitor.client_hash,
        "download_user_agent": visitor.user_agent,
        "download_app_name": visitor.app_name,
        "download_is_bot": visitor.is_bot,
    }
    if conn.dialect.name == "postgresql":
        # One statement: the download row is inserted only if the progress write applied.
        both = statements.update_counting if seen.exists else statements.insert_counting
        return conn.execute(both, params).first() is not None
    # SQLite (in-process, no round trips): the same in the connection's transaction.
    if conn.execute(write, params).first() is None:
        return False
    conn.execute(statements.insert_download, params)
    return True


@dataclass(frozen=True)
class _Statements:
    read: Executable
    read_locked: Executable
    insert: Executable  # a new progress row, unless the client has one
    update: Executable  # the progress row, if still as seen (covered_bytes) and not counted
    insert_download: Executable
    insert_counting: Executable  # PostgreSQL: insert, then the download if it applied
    update_counting: Executable  # PostgreSQL: update, then the download if it applied


@lru_cache(maxsize=1)
def _statements() -> _Statements:
    """Counting's statements, built once; SQLAlchemy caches the SQL compiled from them.

    Building them per request cost about as much as the round trip. Bind parameters are
    ``key_<column>`` (the client's row), ``seen_covered_bytes``, ``new_<column>`` (the
    values written) and ``download_<column>``: never a bare column name, which an
    INSERT or UPDATE takes for a value to set. The INSERT ... ON CONFLICT is written
    out because SQLAlchemy 2.0 compiles its dialect ``insert`` anew on every execution;
    the syntax is the same on PostgreSQL and SQLite (3.35 or later, for RETURNING).
    RETURNING says whether a row was written (SQLAlchemy gives no reliable rowcount for
    an INSERT ... ON CONFLICT DO NOTHING).
    """
    progress = DownloadProgress.__table__.c
    downloads = Download.__table__.c
    key_names = ("episode_id", "day", "client_hash")
    new_names = ("spans", "covered_bytes", "counted", "updated_at")
    download_names = (
        "episode_id",
        "created_at",
        "day",
        "client_hash",
        "user_agent",
        "app_name",
        "is_bot",
    )

    def param(prefix: str, name: str, columns=progress) -> BindParameter:
        return bindparam(f"{prefix}_{name}", type_=columns[name].type)

    read = select(*PROGRESS_COLUMNS).where(
        *(progress[name] == param("key", name) for name in key_names)
    )
    insert = (
        text(
            "INSERT INTO download_progress"
            " (episode_id, day, client_hash, spans, covered_bytes, counted, updated_at)"
            " VALUES (:key_episode_id, :key_day, :key_client_hash,"
            " :new_spans, :new_covered_bytes, :new_counted, :new_updated_at)"
            " ON CONFLICT (episode_id, day, client_hash) DO NOTHING RETURNING 1"
        )
        .bindparams(
            *(param("key", name) for name in key_names),
            *(param("new", name) for name in new_names),
        )
        .columns(column("written"))
    )
    update_progress: Executable = (
        update(DownloadProgress)
        .where(
            *(progress[name] == param("key", name) for name in key_names),
            DownloadProgress.covered_bytes == bindparam("seen_covered_bytes"),
            DownloadProgress.counted.is_(False),
        )
        .values({name: param("new", name) for name in new_names})
        .returning(literal_column("1"))
    )

    def download_after(write) -> Executable:
        written = write.cte("written")
        values = select(
            *(param("download", name, downloads).label(name) for name in download_names)
        ).select_from(written)
        return sa_insert(Download).from_select(list(download_names), values).returning(Download.id)

    return _Statements(
        read=read,
        read_locked=read.with_for_update(),
        insert=insert,
        update=update_progress,
        insert_download=sa_insert(Download).values(
            {name: param("download", name, downloads) for name in download_names}
        ),
        insert_counting=download_after(insert),
        update_counting=download_after(update_progress),
    )


def _recording_engine(app: Flask) -> Engine:
    """The engine counting writes through (call inside an app context).

    On PostgreSQL a pool of its own: no pre-ping (it would be one more round trip per
    request; a dead connection is retried instead, see ``_record_one``) and
    ``synchronous_commit`` off for its sessions: a crash of PostgreSQL can lose the last
    few milliseconds of counts, never consistency, and a write does not wait for the
    WAL flush, which costs more than the rest. Disposed with the app's engine. SQLite
    runs in-process, with no round trips to save: the app's engine.
    """
    engine = app.extensions.get(_ENGINE_KEY)
    if engine is not None:
        return engine
    with _engine_lock:
        engine = app.extensions.get(_ENGINE_KEY)
        if engine is None:
            engine = _make_recording_engine(app)
            app.extensions[_ENGINE_KEY] = engine
    return engine


def _make_recording_engine(app: Flask) -> Engine:
    main = db.engine
    if main.dialect.name != "postgresql":
        return main
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options["pool_pre_ping"] = False
    connect_args = dict(options.pop("connect_args", {}))
    server_options = connect_args.get("options") or main.url.query.get("options") or ""
    connect_args["options"] = f"{server_options} -c synchronous_commit=off".strip()
    engine = create_engine(main.url, connect_args=connect_args, **options)
    event.listen(main, "engine_disposed", lambda _engine: engine.dispose())
    return engine


def prune_progress(before: date) -> int:
    """Delete progress rows of days before ``before`` (they only hold stale hashes)."""
    result = db.session.execute(delete(DownloadProgress).where(DownloadProgress.day < before))
    return cast(CursorResult[Any], result).rowcount or 0
