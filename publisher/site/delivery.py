"""The stable enclosure URL ``/media/<guid>.<ext>``: count the request, deliver the bytes.

- Local store: the app answers ranges itself (``Accept-Ranges``, single ranges with 206,
  suffix ranges, 416 with ``Content-Range: bytes */size``, ``If-Range``, ``ETag``,
  ``Last-Modified``, 304 for conditional GETs, HEAD), streaming from
  ``Storage.open`` in fixed-size chunks. Under gunicorn a local file is sent with
  ``sendfile`` through ``wsgi.file_wrapper``, range or not.
- A store with public URLs (S3, optionally behind a CDN): count, then 302 there; the
  store answers the ranges.

The extension in the URL does not have to match: the guid finds the episode, feeds use
the canonical one. Counting runs when the response body is closed (after the bytes were
sent), in its own transaction; see ``publisher.analytics.counting``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import BinaryIO, Literal, cast

from flask import Response, current_app, redirect, request
from sqlalchemy import BindParameter, Select, bindparam, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql import visitors
from werkzeug.http import http_date, is_resource_modified, quote_etag
from werkzeug.wrappers import Response as BaseResponse
from werkzeug.wsgi import wrap_file

from publisher import urls
from publisher.analytics import counting
from publisher.analytics.counting import PROGRESS_COLUMNS, Coverage, progress_of_client
from publisher.cors import public_cors
from publisher.exceptions import NotFound
from publisher.extensions import db
from publisher.media.storage import BoundedReader, ObjectNotFound, StoredObject, get_storage
from publisher.models import AlternateEnclosure, Episode, utcnow
from publisher.models.download import DownloadProgress
from publisher.site.blueprint import bp

logger = logging.getLogger(__name__)

CHUNK_SIZE = 256 * 1024
# The Cache-Control of the app's own enclosure answers (/media/<guid>.<ext>).
# Private: a shared cache (CDN) in front of the app must not answer media requests
# itself, or they would not be counted. Browsers and apps may still cache them.
ENCLOSURE_CACHE_CONTROL = "private, max-age=86400"


@bp.route("/media/<guid>.<ext>", methods=["GET", "HEAD"])
@public_cors
def media(guid: str, ext: str):
    """An episode's audio: byte ranges from the local store, or a redirect to the store."""
    visitor = counting.identify(request)
    guid = urls.guid_from_media_token(guid)
    episode, seen = _public_episode(guid, visitor)
    episode = _kept_original(episode, ext)
    if seen is None or seen.counted:
        visitor = None  # already a download today (or not counting): nothing to record
    if not episode.storage_key and episode.external_media_url:  # imported with --no-media
        return _redirect_to_store(episode, episode.external_media_url, visitor, seen)
    storage = get_storage()
    url = storage.public_url(
        episode.storage_key, expires=int(current_app.config["S3_PRESIGN_EXPIRES"])
    )
    if url is not None:
        if request.method == "HEAD":
            # S3 refuses HEAD on a URL signed for GET: answer from the row instead.
            return _head_from_row(episode)
        return _redirect_to_store(episode, url, visitor, seen)
    try:
        stored = storage.stat(episode.storage_key)
    except ObjectNotFound:
        logger.warning("Episode %s is public but its audio %r is missing.", episode.id, guid)
        raise NotFound("This episode's audio is not available.") from None
    return _serve_local(episode, stored, visitor, seen)


@dataclass(frozen=True)
class EpisodeMedia:
    """The columns delivery and counting need (not a whole Episode with its JSON)."""

    id: int
    storage_key: str  # rows without audio are refused when read
    mime_type: str | None
    size_bytes: int | None
    bitrate: int | None
    duration_seconds: float | None
    audio_offset_bytes: int
    sha256: str | None
    external_media_url: str | None


MEDIA_COLUMNS = tuple(getattr(Episode, f.name) for f in fields(EpisodeMedia))


def _public_episode(
    guid: str, visitor: counting.Visitor | None
) -> tuple[EpisodeMedia, Coverage | None]:
    """The public episode with this guid, and the visitor's progress on it today (None
    when nothing is to be counted, including when counting's table fails).

    Every media request makes this lookup, so it is one prebuilt statement run in
    autocommit (no BEGIN/ROLLBACK round trips, no per-request query building).
    """
    params = {"guid": guid, "now": utcnow()}
    if visitor is not None:
        params |= {"day": visitor.day, "client_hash": visitor.client_hash}
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        try:
            row = conn.execute(_lookup(counting=visitor is not None), params).first()
        except SQLAlchemyError:
            # Counting must never stand between a listener and the audio.
            logger.exception("Download counting lookup failed; serving %s uncounted.", guid)
            row = conn.execute(_lookup(counting=False), params).first()
    media_columns = len(MEDIA_COLUMNS)
    episode = EpisodeMedia(*row[:media_columns]) if row is not None else None
    if row is None or episode is None or not (episode.storage_key or episode.external_media_url):
        raise NotFound("There is no published episode at this address.")
    progress = row[media_columns:]
    return episode, counting.coverage_from_row(progress) if progress else None


def _kept_original(episode: EpisodeMedia, ext: str) -> EpisodeMedia:
    """The uploaded file when the URL names its extension and a rendition of another
    format is the enclosure: every enclosure URL ever published keeps serving the same
    audio (an extra query only when the extension is not the enclosure's)."""
    key = episode.storage_key or ""
    if "." in key.rsplit("/", 1)[-1] and key.rsplit(".", 1)[-1].lower() == ext.lower():
        return episode
    original = db.session.scalar(
        select(AlternateEnclosure).where(AlternateEnclosure.episode_id == episode.id)
    )
    if original is None or original.extension != ext.lower():
        return episode  # any other extension: the enclosure, as before
    return replace(
        episode,
        storage_key=original.storage_key,
        mime_type=original.mime_type,
        size_bytes=original.size_bytes,
        bitrate=original.bitrate,
        duration_seconds=original.duration_seconds,
        audio_offset_bytes=original.audio_offset_bytes,
    )


_NOW = datetime(1901, 1, 1, tzinfo=UTC)  # placeholder, replaced by the bind parameter "now"


@lru_cache(maxsize=2)
def _lookup(counting: bool) -> Select:
    """The lookup statement, built once through Episode.public_filter (the one public
    rule), its time turned into the parameter ``now``; with or without the visitor's
    progress (outer-joined: one row per episode, the client key is unique)."""
    statement = select(*MEDIA_COLUMNS).where(
        Episode.guid == bindparam("guid"), Episode.public_filter(_NOW)
    )
    if counting:
        statement = statement.add_columns(*PROGRESS_COLUMNS).outerjoin_from(
            Episode,
            DownloadProgress,
            progress_of_client(bindparam("day"), bindparam("client_hash")),
        )

    replaced = []

    def now_parameter(element):
        if isinstance(element, BindParameter) and element.value is _NOW:
            replaced.append(element)
            return bindparam("now", type_=element.type)
        return None

    statement = visitors.replacement_traverse(statement, {}, now_parameter)  # type: ignore[call-overload]
    if not replaced:  # public_filter changed shape: fail loudly, never compare with 1901
        raise RuntimeError("Episode.public_filter no longer takes 'now' as a plain value")
    return statement


def _record_on_close(response_or_body, media_request: counting.MediaRequest | None) -> None:
    if media_request is None:
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    response_or_body.call_on_close(lambda: counting.record(app, [media_request]))


def _record_sent_on_close(body: RangeFile, visitor, episode: EpisodeMedia, size: int,
                          start: int, ranged: bool, seen) -> None:  # fmt: skip
    """Count the bytes the server actually sent, once it closes the body: a client that
    asked for the whole file and went away after a few kilobytes has those kilobytes."""
    if visitor is None:
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def record() -> None:
        sent = counting.observe(visitor, episode, size, start, start + body.sent, ranged, seen)
        if sent is not None:
            counting.record(app, [sent])

    body.call_on_close(record)


def _redirect_to_store(episode: EpisodeMedia, url: str, visitor, seen) -> BaseResponse:
    """Count what the client asks for, then send it to the store (which serves ranges)."""
    response = redirect(url, 302)
    # Every request must come back through here to be counted (and presigned URLs expire).
    response.headers["Cache-Control"] = "no-store"
    # The store answers the bytes; what the client asked for is what we can count (the
    # size comes from the row, the store is not asked on every request).
    size = episode.size_bytes or 0
    span = _requested_span(size) if size else "unsatisfiable"
    if not isinstance(span, str):  # a span, or None for the whole file
        start, stop, ranged = span if span is not None else (0, size, False)
        _record_on_close(
            response, counting.observe(visitor, episode, size, start, stop, ranged, seen)
        )
    return response


def _head_from_row(episode: EpisodeMedia) -> Response:
    """HEAD for audio kept in S3: type, length and validators from the episode row (what
    the probe measured when the file was stored); nothing is counted, no bytes move."""
    response = Response(status=200, content_type=episode.mime_type or "application/octet-stream")
    response.headers["Accept-Ranges"] = "bytes"
    response.headers["Cache-Control"] = "no-store"
    if episode.sha256:
        response.headers["ETag"] = quote_etag(episode.sha256)
    response.headers["Content-Length"] = str(episode.size_bytes or 0)
    # Werkzeug recomputes Content-Length from the (empty) body unless told not to.
    response.automatically_set_content_length = False
    return response


def _serve_local(episode: EpisodeMedia, stored: StoredObject, visitor, seen) -> Response:
    size = stored.size
    etag = stored.etag
    last_modified = stored.last_modified.replace(microsecond=0)
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": quote_etag(etag),
        "Last-Modified": http_date(last_modified),
        "Cache-Control": ENCLOSURE_CACHE_CONTROL,
        "X-Content-Type-Options": "nosniff",
    }
    content_type = episode.mime_type or "application/octet-stream"

    if not is_resource_modified(request.environ, etag=etag, last_modified=last_modified):
        return Response(status=304, headers=headers)

    span = _requested_span(size) if _if_range_holds(etag, last_modified) else None
    if isinstance(span, str):  # "unsatisfiable"
        headers["Content-Range"] = f"bytes */{size}"
        return Response(status=416, headers=headers)
    start, stop, ranged = span if span is not None else (0, size, False)
    if ranged:
        headers["Content-Range"] = f"bytes {start}-{stop - 1}/{size}"
    status = 206 if ranged else 200

    if request.method == "HEAD":
        response = Response(status=status, headers=headers, content_type=content_type)
        response.headers["Content-Length"] = str(stop - start)
        return response

    body = RangeFile(_open_range(episode.storage_key, start, stop), stop - start)
    _record_sent_on_close(body, visitor, episode, size, start, ranged, seen)
    response = Response(
        wrap_file(request.environ, cast(BinaryIO, body), CHUNK_SIZE),
        status=status,
        headers=headers,
        content_type=content_type,
        direct_passthrough=True,
    )
    response.headers["Content-Length"] = str(stop - start)
    return response


def _if_range_holds(etag: str, last_modified) -> bool:
    """False when If-Range names another version: then the whole file is sent (200)."""
    if "Range" not in request.headers or "If-Range" not in request.headers:
        return True
    if_range = request.if_range
    if if_range.etag is not None:
        # If-Range needs a strong match; werkzeug's parser drops the W/ marker, so look.
        return not request.headers["If-Range"].lstrip().startswith("W/") and (if_range.etag == etag)
    if if_range.date is not None:
        return if_range.date == last_modified
    return False


def _requested_span(size: int) -> tuple[int, int, bool] | Literal["unsatisfiable"] | None:
    """(start, stop, ranged) for the request's single byte range; None to send the whole
    file (no Range, an unparsable one, another unit, several ranges); "unsatisfiable"."""
    byte_range = request.range  # werkzeug parses, and returns None when invalid
    if byte_range is None or byte_range.units != "bytes" or len(byte_range.ranges) != 1:
        return None
    span = byte_range.range_for_length(size)
    if span is None:
        return "unsatisfiable"
    start, stop = span
    return start, stop, True


def _open_range(key: str, start: int, stop: int) -> BinaryIO:
    storage = get_storage()
    # A local file is opened to its end so the server can sendfile() it: RangeFile
    # bounds what is read and Content-Length bounds what sendfile sends.
    end = None if storage.local_path(key) is not None else stop - 1
    return storage.open(key, start, end)


class RangeFile(BoundedReader):
    """A read-only stream of exactly ``length`` bytes of ``stream`` that knows how many
    of them the server sent.

    It exposes the underlying file descriptor (when there is one) for the server's
    ``wsgi.file_wrapper`` to sendfile() from the current offset, and runs its
    ``call_on_close`` callbacks once after closing: servers close the body when it has
    been sent or the client went away, which is when the request is recorded.

    ``sent`` is what the server took and sent: when the server reads, a chunk counts once
    the server comes back for the next one (it writes a chunk before reading another, so
    a chunk it failed to write is not counted); with ``sendfile()``, Python's
    ``socket.sendfile`` seeks the file to where it stopped (gunicorn's path), sent or not.
    """

    def __init__(self, stream: BinaryIO, length: int) -> None:
        super().__init__(stream, length)
        self.length = length
        self.sent = 0
        self._pending = 0  # the last chunk read, not yet known to be sent
        self.on_close: list[Callable[[], None]] = []
        self.closed = False
        try:
            self._origin: int | None = stream.tell()
        except (AttributeError, OSError):
            self._origin = None

    def read(self, size: int = -1) -> bytes:
        self.sent += self._pending
        data = super().read(size)
        self._pending = len(data)
        return data

    def seek(self, position: int, whence: int = 0) -> int:
        if whence == 0 and self._origin is not None:
            self.sent = max(self.sent, min(self.length, position - self._origin))
        return self.stream.seek(position, whence)

    def call_on_close(self, callback: Callable[[], None]) -> None:
        self.on_close.append(callback)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            super().close()
        finally:
            for callback in self.on_close:
                callback()
