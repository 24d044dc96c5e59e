"""The import job: a show from another host's feed, then each episode not imported yet.

Idempotent and resumable by construction:
- the show is found again by its Podcasting 2.0 guid (``podcast:guid``, else the
  UUIDv5 of the source feed URL), so a second run adds to it and changes nothing else;
- an episode is matched by its guid; each one is created in its own transaction
  *after* its audio is stored under a key derived from the guid, so a crash before the
  commit leaves an object the next run overwrites (no orphan) and no row;
- media is downloaded to ``IMPORT_WORK_DIR`` as ``.part`` files that a re-run continues
  (Range requests), renamed when complete, removed once the episode is committed.
An episode that fails (dead link, not audio, too big) is reported and skipped.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import shutil
import threading
import time
import uuid
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select

from publisher.api import operations as ops
from publisher.content import sanitize_html, unique_slug
from publisher.errors import PublisherError, ValidationError
from publisher.extensions import db
from publisher.feeds.apple import validate_category
from publisher.importer.feed import FeedProblem, Item, ParsedFeed, parse_feed
from publisher.importer.fetch import FetchError, download, fetch_bytes
from publisher.jobs.registry import JobFailed
from publisher.media.cleanup import delete_on_rollback
from publisher.media.ingest import MEDIA_CACHE_CONTROL, apply_audio_info, slug_taken
from publisher.media.probe import ProbeError, probe
from publisher.media.storage import get_storage
from publisher.models import Episode, Show, utcnow
from publisher.models.show import PODCAST_GUID_NAMESPACE

logger = logging.getLogger(__name__)

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_SIDECAR_BYTES = 5 * 1024 * 1024  # chapters, transcripts
IMAGE_TYPES = {b"\xff\xd8\xff": ("image/jpeg", "jpg"), b"\x89PNG\r\n\x1a\n": ("image/png", "png")}
TRANSCRIPT_EXTENSIONS = {
    "text/vtt": "vtt",
    "application/x-subrip": "srt",
    "application/srt": "srt",
    "application/json": "json",
    "text/html": "html",
    "text/plain": "txt",
}


@dataclass
class Report:
    show: str = ""
    created: list[str] = field(default_factory=list)
    media_stored: list[str] = field(default_factory=list)
    already_imported: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if not self.created and not self.media_stored and not self.failed:
            return f"Nothing new: all {self.already_imported} episodes were already imported."
        parts = [f"{len(self.created)} episode(s) imported"]
        if self.media_stored:
            parts.append(f"{len(self.media_stored)} got their media")
        if self.already_imported:
            parts.append(f"{self.already_imported} already there")
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        return ", ".join(parts) + "."

    def as_json(self) -> dict[str, Any]:
        return {"show": self.show, "summary": self.summary(), "created": self.created,
                "media_stored": self.media_stored, "already_imported": self.already_imported,
                "failed": self.failed, "warnings": self.warnings}  # fmt: skip


def run_import_job(
    job: Any,
    source: str,
    media: str = "download",
    owner_email: str | None = None,
    allow_file: bool = False,
) -> dict[str, Any]:
    """The ``imports.run`` task. ``media``: ``download`` (store every enclosure) or
    ``external`` (keep the old host's URLs; a later ``download`` run fetches them)."""
    observer = getattr(job, "observer", None)
    feed = load_feed(source, allow_file)
    check_lock(feed, owner_email)
    report = Report(warnings=list(feed.warnings))
    show = find_or_create_show(feed, report, job.user_id)
    db.session.commit()
    report.show = show.slug
    items = sorted(feed.importable, key=lambda i: (i.publish_at is None, i.publish_at or 0))
    for item in feed.items:
        if item.problem:
            report.failed.append({"guid": item.guid, "title": item.title, "reason": item.problem})
    existing = {
        guid: (episode_id, external)
        for guid, episode_id, external in db.session.execute(
            select(Episode.guid, Episode.id, Episode.external_media_url).where(
                Episode.show_id == show.id
            )
        )
    }
    todo: list[Item] = []
    for item in items:
        if item.guid not in existing:
            todo.append(item)
        elif media == "download" and existing[item.guid][1]:
            todo.append(item)  # imported with --no-media: fetch its audio now
        else:
            report.already_imported += 1
    total = len(items)
    job.progress(done=total - len(todo), total=total, message=report.summary())
    if observer:
        observer.start(total, total - len(todo))
    if media == "external":
        for item in todo:
            _create_external(show, item, report)
            job.progress(done=total - len(todo) + len(report.created), total=total)
            if observer:
                observer.episode(item.title, "kept at the old host")
    else:
        Downloader(job, show, todo, report, existing, observer, total).run()
    db.session.commit()
    result = report.as_json()
    job.progress(message=report.summary())
    if observer:
        observer.finish(report)
    return result


# ---------------------------------------------------------------------------- feed


def load_feed(source: str, allow_file: bool) -> ParsedFeed:
    max_bytes = int(current_app.config["IMPORT_MAX_FEED_MB"]) * 1024 * 1024
    try:
        if source.lower().startswith(("http://", "https://")):
            fetched = fetch_bytes(
                source, max_bytes, timeout=float(current_app.config["IMPORT_TIMEOUT"])
            )
            return parse_feed(fetched.data, source, fetched.content_type)
        if not allow_file:
            raise JobFailed("The source must be an http(s) address of a feed.")
        path = Path(source)
        if not path.is_file():
            raise JobFailed(f"There is no file {source!r}.")
        if path.stat().st_size > max_bytes:
            raise JobFailed(f"{source} is larger than {max_bytes // 1048576} MB; refused.")
        return parse_feed(path.read_bytes(), path.resolve().as_uri())
    except FetchError as exc:
        raise JobFailed(f"Could not fetch the feed: {exc.message}") from None
    except FeedProblem as exc:
        raise JobFailed(exc.message) from None


def check_lock(feed: ParsedFeed, owner_email: str | None) -> None:
    """``podcast:locked yes``: the owner asked hosts not to import the feed without them."""
    if not feed.locked:
        return
    owner = feed.locked_owner.strip().lower()
    given = (owner_email or "").strip().lower()
    if owner and given == owner:
        return
    who = f" (owner: {feed.locked_owner})" if feed.locked_owner else ""
    raise JobFailed(
        f"This feed is locked{who}: its <podcast:locked> tag asks hosts not to import it "
        "without its owner's consent, which protects a podcast from being copied. If it is "
        "yours, confirm with the owner's email (--owner-email / owner_email) exactly as "
        "written in the tag; otherwise unlock it at the current host first."
    )


def show_guid(feed: ParsedFeed) -> str:
    """The Podcasting 2.0 guid stays with a show when it moves host."""
    if feed.podcast_guid:
        try:
            return str(uuid.UUID(feed.podcast_guid))
        except ValueError:
            pass
    bare = feed.url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def find_or_create_show(feed: ParsedFeed, report: Report, user_id: int | None) -> Show:
    guid = show_guid(feed)
    show = db.session.scalar(select(Show).where(Show.podcast_guid == guid))
    if show is not None:
        return show  # a re-run changes nothing about the show
    fields: dict[str, Any] = {
        "title": feed.title[:300], "description": feed.description, "language": feed.language,
        "author": feed.author, "owner_name": feed.owner_name, "owner_email": feed.owner_email,
        "explicit": feed.explicit, "show_type": feed.show_type, "link": feed.link,
        "copyright": feed.copyright, "locked": feed.locked, "funding_url": feed.funding_url,
        "funding_text": feed.funding_text, "hosts": [p.as_dict() for p in feed.persons],
    }  # fmt: skip
    if feed.category:
        try:
            fields["category"], fields["subcategory"] = validate_category(
                feed.category, feed.subcategory
            )
        except ValidationError:
            report.warnings.append(
                f"The category {feed.category!r} / {feed.subcategory!r} is not one of Apple's; "
                "set it in the studio."
            )
    show = ops.create_show(fields)
    show.podcast_guid = guid
    if feed.image_url:
        _store_image(show, feed.image_url, f"shows/{show.id}/imported-artwork", report)
    db.session.flush()
    return show


def _store_image(target: Show | Episode, url: str, stem: str, report: Report) -> None:
    try:
        fetched = fetch_bytes(
            url, MAX_IMAGE_BYTES, timeout=float(current_app.config["IMPORT_TIMEOUT"])
        )
    except FetchError as exc:
        report.warnings.append(f"Artwork {url} was not imported: {exc.message}")
        return
    kind = next((v for magic, v in IMAGE_TYPES.items() if fetched.data.startswith(magic)), None)
    if kind is None:
        report.warnings.append(f"Artwork {url} is not a JPEG or PNG image; not imported.")
        return
    mime, extension = kind
    storage = get_storage()
    key = f"{stem}.{extension}"
    storage.save(
        key, io.BytesIO(fetched.data), content_type=mime, cache_control=MEDIA_CACHE_CONTROL
    )
    delete_on_rollback(key, storage)
    target.artwork_key, target.artwork_mime = key, mime


# ---------------------------------------------------------------------------- episodes


def _fields(show: Show, item: Item) -> dict[str, Any]:
    now = utcnow()
    publish_at = item.publish_at or now
    return {
        "title": item.title,
        "slug": unique_slug(item.title, lambda s: slug_taken(show, s)),
        "description": sanitize_html(item.description),
        "status": "scheduled" if publish_at > now else "published",
        "publish_at": publish_at,
        "season": item.season,
        "number": item.number,
        "episode_type": item.episode_type,
        "explicit": item.explicit,
        "persons": [p.as_dict() for p in item.persons],
    }


def _guid_elsewhere(show: Show, item: Item) -> str | None:
    other = db.session.scalar(
        select(Show.slug).join(Episode).where(Episode.guid == item.guid, Show.id != show.id)
    )
    if other is None:
        return None
    return f"Another show ({other}) already has an episode with the guid {item.guid!r}."


def _create_external(show: Show, item: Item, report: Report) -> None:
    problem = _guid_elsewhere(show, item)
    if problem:
        report.failed.append({"guid": item.guid, "title": item.title, "reason": problem})
        return
    episode = Episode(show_id=show.id, guid=item.guid, **_fields(show, item))
    episode.external_media_url = item.enclosure_url[:2000]
    episode.mime_type = item.enclosure_type or "audio/mpeg"
    episode.size_bytes = item.enclosure_length  # 0 when the feed does not say
    episode.duration_seconds = item.duration_seconds
    episode.original_filename = _filename(item.enclosure_url)
    db.session.add(episode)
    db.session.commit()
    report.created.append(item.guid)


def _filename(url: str) -> str:
    return (urlsplit(url).path.rsplit("/", 1)[-1] or "audio")[:500]


def media_stem(show: Show, guid: str) -> str:
    """Where an imported episode's files go: derived from its guid, so a re-run after
    a crash overwrites what the crashed run stored instead of orphaning it."""
    return f"shows/{show.id}/imported/{hashlib.sha256(guid.encode()).hexdigest()[:32]}"


@dataclass
class Fetched:
    item: Item
    path: Path | None = None
    size: int = 0
    sha256: str | None = None
    chapters: dict[str, Any] | None = None
    transcript: tuple[bytes, str] | None = None
    image: tuple[bytes, str, str] | None = None
    warnings: list[str] = field(default_factory=list)


class Downloader:
    """Downloads in a thread pool (IMPORT_CONCURRENCY); probing, storing and the rows
    happen on this thread, one episode per transaction, as downloads complete."""

    def __init__(self, job, show, items, report, existing, observer, total) -> None:
        config = current_app.config
        self.job, self.show, self.items, self.report = job, show, items, report
        self.existing, self.observer, self.total = existing, observer, total
        self.concurrency = max(1, int(config["IMPORT_CONCURRENCY"]))
        self.timeout = float(config["IMPORT_TIMEOUT"])
        self.attempts = int(config["IMPORT_DOWNLOAD_ATTEMPTS"])
        self.max_bytes = int(config["MAX_UPLOAD_MB"]) * 1024 * 1024
        source = hashlib.sha256(show.podcast_guid.encode()).hexdigest()[:16]
        self.work = Path(config["IMPORT_WORK_DIR"]) / source
        self.bytes = 0
        self.lock = threading.Lock()
        self.done = total - len(items)

    def count(self, n: int) -> None:
        with self.lock:
            self.bytes += n

    def fetch(self, item: Item) -> Fetched:
        """Runs in a pool thread: only network and files, no database."""
        result = Fetched(item)
        target = self.work / hashlib.sha256(item.guid.encode()).hexdigest()[:32]
        downloaded = download(item.enclosure_url, target, max_bytes=self.max_bytes,
                              timeout=self.timeout, attempts=self.attempts,
                              on_bytes=self.count)  # fmt: skip
        result.path, result.size = downloaded.path, downloaded.size
        result.sha256 = downloaded.sha256 or _sha256(downloaded.path)  # off the main thread
        if item.enclosure_length and item.enclosure_length != downloaded.size:
            result.warnings.append(
                f"'{item.title}': the feed says {item.enclosure_length} bytes, the file has "
                f"{downloaded.size} (our feed now gives the right length)."
            )
        if item.chapters_url:
            try:
                data = fetch_bytes(item.chapters_url, MAX_SIDECAR_BYTES, self.timeout).data
                chapters = json.loads(data)
                if isinstance(chapters, dict) and isinstance(chapters.get("chapters"), list):
                    result.chapters = chapters
                else:
                    result.warnings.append(f"'{item.title}': the chapters file has no chapters.")
            except (FetchError, ValueError) as exc:
                result.warnings.append(f"'{item.title}': chapters not imported ({exc}).")
        if item.transcript_url:
            try:
                fetched = fetch_bytes(item.transcript_url, MAX_SIDECAR_BYTES, self.timeout)
                result.transcript = (fetched.data, item.transcript_type or fetched.content_type)
            except FetchError as exc:
                result.warnings.append(f"'{item.title}': transcript not imported ({exc.message}).")
        return result

    def run(self) -> None:
        self.work.mkdir(parents=True, exist_ok=True)
        pending = list(self.items)
        last_progress = 0.0
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix="import") as pool:
            running: dict[Future, Item] = {}
            while pending or running:
                while pending and len(running) < self.concurrency * 2:
                    item = pending.pop(0)
                    running[pool.submit(self.fetch, item)] = item
                finished, _ = wait(running, timeout=1.0, return_when=FIRST_COMPLETED)
                for future in finished:
                    item = running.pop(future)
                    self.store(item, future)
                if time.monotonic() - last_progress > 1.0 or not (pending or running):
                    last_progress = time.monotonic()
                    self.job.progress(done=self.done, total=self.total, bytes_done=self.bytes,
                                      message=self.report.summary())  # fmt: skip
                    if self.observer:
                        self.observer.update(self.done, self.bytes)
        shutil.rmtree(self.work, ignore_errors=True)

    def fail(self, item: Item, reason: str) -> None:
        self.report.failed.append({"guid": item.guid, "title": item.title, "reason": reason})
        if self.observer:
            self.observer.episode(item.title, f"FAILED: {reason}")

    def store(self, item: Item, future: Future) -> None:
        self.done += 1
        try:
            fetched: Fetched = future.result()
        except FetchError as exc:
            self.fail(item, exc.message)
            return
        self.report.warnings += fetched.warnings
        try:
            self._store(fetched)
            db.session.commit()
        except (ProbeError, PublisherError) as exc:
            db.session.rollback()
            self.fail(item, getattr(exc, "message", str(exc)))
            return
        except BaseException:
            db.session.rollback()
            raise
        if fetched.path:
            fetched.path.unlink(missing_ok=True)
        if self.observer:
            self.observer.episode(item.title, "imported")

    def _store(self, fetched: Fetched) -> None:
        item, show = fetched.item, self.show
        problem = _guid_elsewhere(show, item)
        if problem:
            raise JobFailedItem(problem)
        assert fetched.path is not None
        with open(fetched.path, "rb") as handle:
            try:
                info = probe(handle, _filename(item.enclosure_url))
            except ProbeError as exc:
                raise ProbeError(
                    f"The enclosure is not audio we can serve: {exc.message}"
                ) from None
        storage = get_storage()
        stem = media_stem(show, item.guid)
        key = f"{stem}.{info.extension}"
        storage.save_file(key, fetched.path, content_type=info.mime_type,
                          cache_control=MEDIA_CACHE_CONTROL)  # fmt: skip
        delete_on_rollback(key, storage)
        known = self.existing.get(item.guid)
        if known is not None:  # imported earlier with --no-media: give it its audio
            episode = db.session.get(Episode, known[0])
            episode.external_media_url = None
            self.report.media_stored.append(item.guid)
        else:
            episode = Episode(show_id=show.id, guid=item.guid, **_fields(show, item))
            db.session.add(episode)
            self.report.created.append(item.guid)
        apply_audio_info(episode, info)
        episode.storage_key = key
        episode.size_bytes = fetched.size
        episode.sha256 = fetched.sha256
        episode.original_filename = _filename(item.enclosure_url)
        if fetched.chapters:
            episode.chapters = fetched.chapters
        if fetched.transcript:
            data, kind = fetched.transcript
            extension = TRANSCRIPT_EXTENSIONS.get(kind.split(";")[0].strip(), "txt")
            transcript_key = f"{stem}-transcript.{extension}"
            storage.save(transcript_key, io.BytesIO(data), content_type=kind or "text/plain",
                         cache_control=MEDIA_CACHE_CONTROL)  # fmt: skip
            delete_on_rollback(transcript_key, storage)
            episode.transcript_key, episode.transcript_type = transcript_key, kind
        if item.image_url:
            _store_image(episode, item.image_url, f"{stem}-cover", self.report)
        db.session.flush()


class JobFailedItem(PublisherError):
    """This one episode cannot be imported (the import goes on)."""

    status_code = 409
    code = "import_item_failed"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()
