"""The ``imports.run`` job: a show from another host's feed, then each episode not
imported yet (docs/import.md).

Idempotent and resumable by construction:
- the show is found again by its Podcasting 2.0 guid, so a second run adds to it and
  changes nothing else;
- an episode is matched by its guid; each is created in its own transaction *after* its
  audio is stored under a key derived from the guid (``operations.imports``), so a crash
  before the commit leaves an object the next run overwrites (no orphan) and no row;
- media is downloaded to IMPORT_WORK_DIR as ``.part`` files that a re-run continues
  (``media.fetch``), renamed when complete, removed once the import is done.
An episode that fails (dead link, not audio, too big) is reported and skipped.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select

from publisher.exceptions import Conflict, PublisherError
from publisher.extensions import db
from publisher.jobs.registry import JobFailed
from publisher.media.fetch import FetchError, check_public_address, download, fetch_bytes
from publisher.media.probe import ProbeError, probe
from publisher.models import Episode, Show, User
from publisher.operations import imports
from publisher.podcasting.feedreader import FeedProblem, Item, ParsedFeed, parse_feed

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_SIDECAR_BYTES = 5 * 1024 * 1024  # chapters, transcripts


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

    def fail(self, item: Item, reason: str) -> None:
        self.failed.append({"guid": item.guid, "title": item.title, "reason": reason})

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
    trusted: bool = False,
) -> dict[str, Any]:
    """``media``: ``download`` (store every enclosure) or ``external`` (keep the old
    host's URLs; a later ``download`` run fetches them). ``allow_file``/``trusted``: the
    CLI (an operator) may name a local file or a private address; the API may not."""
    observer = getattr(job, "observer", None)
    trusted = trusted or bool(current_app.config["IMPORT_ALLOW_PRIVATE_ADDRESSES"])
    feed = load_feed(source, allow_file, trusted)
    if not trusted:
        _check_addresses(feed)
    check_lock(feed, owner_email)
    report = Report(warnings=list(feed.warnings))
    user_id = getattr(job, "user_id", None)
    requester = db.session.get(User, user_id) if user_id is not None else None
    is_new = imports.imported_show(feed) is None
    try:
        show = imports.show_for_requester(feed, requester, report.warnings)
    except Conflict as exc:
        raise JobFailed(exc.message) from None
    if is_new and feed.image_url:
        stem = f"shows/{show.id}/imported-artwork"
        _artwork(show, feed.image_url, stem, report, public_only=not trusted)
    db.session.commit()
    report.show = show.slug
    for item in feed.items:
        if item.problem:
            report.fail(item, item.problem)
    existing = dict(
        db.session.execute(
            select(Episode.guid, Episode.external_media_url).where(Episode.show_id == show.id)
        )
        .tuples()
        .all()
    )
    items = sorted(feed.importable, key=lambda i: (i.publish_at is None, i.publish_at or 0))
    todo: list[Item] = []
    for item in items:
        if item.guid not in existing or (media == "download" and existing[item.guid]):
            todo.append(item)  # new, or imported with --no-media and now fetched
        else:
            report.already_imported += 1
    total = len(items)
    job.progress(done=total - len(todo), total=total, message=report.summary())
    if observer:
        observer.start(total, total - len(todo))
    if media == "external":
        _keep_external(job, show, todo, report, total, observer)
    else:
        Downloader(job, show, todo, report, observer, total, public_only=not trusted).run()
    result = report.as_json()
    job.progress(message=report.summary())
    if observer:
        observer.finish(report)
    return result


def _check_addresses(feed: ParsedFeed) -> None:
    """Items whose files sit on private addresses are refused one by one."""
    for item in feed.importable:
        for url in (item.enclosure_url, item.chapters_url, item.transcript_url, item.image_url):
            if not url:
                continue
            try:
                check_public_address(url)
            except FetchError as exc:
                item.problem = f"'{item.title}': {exc.message}"
                break
    feed.image_url = "" if feed.image_url and not _public(feed.image_url) else feed.image_url


def _public(url: str) -> bool:
    try:
        check_public_address(url)
    except FetchError:
        return False
    return True


def load_feed(source: str, allow_file: bool, trusted: bool = True) -> ParsedFeed:
    max_bytes = int(current_app.config["IMPORT_MAX_FEED_MB"]) * 1024 * 1024
    try:
        if source.lower().startswith(("http://", "https://")):
            timeout = float(current_app.config["IMPORT_TIMEOUT"])
            fetched = fetch_bytes(source, max_bytes, timeout=timeout, public_only=not trusted)
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
    if owner and (owner_email or "").strip().lower() == owner:
        return
    who = f" (owner: {feed.locked_owner})" if feed.locked_owner else ""
    raise JobFailed(
        f"This feed is locked{who}: its <podcast:locked> tag asks hosts not to import it "
        "without its owner's consent, which protects a podcast from being copied. If it is "
        "yours, confirm with the owner's email (--owner-email / owner_email) exactly as "
        "written in the tag; otherwise unlock it at the current host first."
    )


def _artwork(
    target: Show | Episode, url: str, stem: str, report: Report, public_only: bool
) -> None:
    try:
        timeout = float(current_app.config["IMPORT_TIMEOUT"])
        data = fetch_bytes(url, MAX_IMAGE_BYTES, timeout=timeout, public_only=public_only).data
    except FetchError as exc:
        report.warnings.append(f"Artwork {url} was not imported: {exc.message}")
        return
    if not imports.store_image(target, data, stem):
        report.warnings.append(f"Artwork {url} is not a JPEG or PNG image; not imported.")


def _keep_external(job, show: Show, todo: list[Item], report: Report, total, observer) -> None:
    for index, item in enumerate(todo, start=1):
        try:
            imports.create_external_episode(show, item)
            db.session.commit()
        except PublisherError as exc:
            db.session.rollback()
            report.fail(item, exc.message)
            continue
        report.created.append(item.guid)
        job.progress(done=total - len(todo) + index, total=total)
        if observer:
            observer.episode(item.title, "kept at the old host")


@dataclass
class Fetched:
    item: Item
    path: Path | None = None
    size: int = 0
    sha256: str | None = None
    chapters: dict[str, Any] | None = None
    transcript: tuple[bytes, str] | None = None
    warnings: list[str] = field(default_factory=list)


class Downloader:
    """Downloads in a thread pool (IMPORT_CONCURRENCY); probing, storing and the rows
    happen on this thread, one episode per transaction, as downloads complete."""

    def __init__(self, job, show, items, report, observer, total, public_only=False) -> None:
        config = current_app.config
        self.public_only = public_only
        self.job, self.show, self.items, self.report = job, show, items, report
        self.observer, self.total = observer, total
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
                              on_bytes=self.count, public_only=self.public_only)  # fmt: skip
        result.path, result.size = downloaded.path, downloaded.size
        result.sha256 = downloaded.sha256 or _sha256(downloaded.path)
        if item.enclosure_length and item.enclosure_length != downloaded.size:
            result.warnings.append(
                f"'{item.title}': the feed says {item.enclosure_length} bytes, the file has "
                f"{downloaded.size} (our feed now gives the right length)."
            )
        if item.chapters_url:
            try:
                data = fetch_bytes(item.chapters_url, MAX_SIDECAR_BYTES, self.timeout,
                                   public_only=self.public_only).data  # fmt: skip
                chapters = json.loads(data)
                if isinstance(chapters, dict) and isinstance(chapters.get("chapters"), list):
                    result.chapters = chapters
                else:
                    result.warnings.append(f"'{item.title}': the chapters file has no chapters.")
            except (FetchError, ValueError) as exc:
                result.warnings.append(f"'{item.title}': chapters not imported ({exc}).")
        if item.transcript_url:
            try:
                fetched = fetch_bytes(item.transcript_url, MAX_SIDECAR_BYTES, self.timeout,
                                      public_only=self.public_only)  # fmt: skip
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
                    self.store(running.pop(future), future)
                if time.monotonic() - last_progress > 1.0 or not (pending or running):
                    last_progress = time.monotonic()
                    self.job.progress(done=self.done, total=self.total, bytes_done=self.bytes,
                                      message=self.report.summary())  # fmt: skip
                    if self.observer:
                        self.observer.update(self.done, self.bytes)
        shutil.rmtree(self.work, ignore_errors=True)

    def fail(self, item: Item, reason: str) -> None:
        self.report.fail(item, reason)
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
        assert fetched.path is not None
        try:
            with open(fetched.path, "rb") as handle:
                try:
                    info = probe(handle, imports.source_filename(item.enclosure_url))
                except ProbeError as exc:
                    message = f"The enclosure is not audio we can serve: {exc.message}"
                    raise ProbeError(message) from None
            media = imports.ImportedMedia(fetched.path, fetched.size, fetched.sha256, info,
                                          fetched.chapters, fetched.transcript)  # fmt: skip
            episode, created = imports.store_imported_episode(self.show, item, media)
            if item.image_url and created:
                stem = imports.media_stem(self.show, item.guid) + "-cover"
                _artwork(episode, item.image_url, stem, self.report, self.public_only)
            db.session.commit()
        except PublisherError as exc:
            db.session.rollback()
            self.fail(item, exc.message)
            return
        except BaseException:
            db.session.rollback()
            raise
        (self.report.created if created else self.report.media_stored).append(item.guid)
        fetched.path.unlink(missing_ok=True)
        if self.observer:
            self.observer.episode(item.title, "imported")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()
