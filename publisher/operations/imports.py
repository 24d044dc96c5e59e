"""Imports: the writes that bring a show and its episodes in from another host's feed.

``request_import`` queues the job (the API's ``POST /imports`` and the studio's import
form both call it, with the same ``ImportCreate`` validation). The import job
(``publisher.jobs.imports``) reads the feed (``podcasting.feedreader``), downloads the
media (``media.fetch``) and calls these; they flush, the job commits once per episode.
Every imported episode keeps its source guid and publication date.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from sqlalchemy import select

from publisher.content import sanitize_html, unique_slug
from publisher.exceptions import Conflict, ValidationError
from publisher.extensions import db
from publisher.media.cleanup import delete_on_rollback
from publisher.media.ingest import STORED_MEDIA_CACHE_CONTROL, apply_audio_info
from publisher.media.probe import AudioInfo
from publisher.media.storage import get_storage
from publisher.models import Episode, Job, JobStatus, Show, User, can_edit_show, utcnow
from publisher.models.show import PODCAST_GUID_NAMESPACE
from publisher.operations.episodes import request_analysis
from publisher.operations.fields import Input, validated
from publisher.operations.memberships import add_member
from publisher.operations.shows import create_show
from publisher.podcasting.apple import validate_category
from publisher.podcasting.feedreader import Item, ParsedFeed

IMAGE_TYPES = {b"\xff\xd8\xff": ("image/jpeg", "jpg"), b"\x89PNG\r\n\x1a\n": ("image/png", "png")}
TRANSCRIPT_EXTENSIONS = {
    "text/vtt": "vtt",
    "application/x-subrip": "srt",
    "application/srt": "srt",
    "application/json": "json",
    "text/html": "html",
    "text/plain": "txt",
}


IMPORT_TASK = "imports.run"  # the job kind (publisher/jobs/tasks.py)


class ImportCreate(Input):
    """What an import may be asked: the feed, what to do with the media, the lock's owner."""

    source: str = Field(max_length=2000, description="The feed's http(s) address.")
    media: Literal["download", "external"] = Field(
        "download",
        description="`download` stores every episode's audio; `external` keeps it at the "
        "old host (enclosures redirect there) until a later `download` import.",
    )
    owner_email: str | None = Field(
        None, max_length=254, description="For a `podcast:locked` feed: its owner's email."
    )

    @field_validator("source")
    @classmethod
    def _http_only(cls, value: str) -> str:
        value = value.strip()
        if not value.lower().startswith(("http://", "https://")) or " " in value:
            raise ValueError("Give the feed's http:// or https:// address.")
        return value


def request_import(data: ImportCreate | dict[str, Any], user: User) -> Job:
    """Queue the import of a feed for ``user`` (the job runs once the caller commits).
    The same import of ``user``'s still queued or running is returned instead of a second
    one (a form sent twice). The addresses themselves (private networks, what the feed
    links to) are checked by the job when it fetches them; a refusal is its error."""
    body: ImportCreate = validated(ImportCreate, data)
    arguments = {"source": body.source, "media": body.media, "owner_email": body.owner_email}
    title = f"Import of {body.source}"
    unfinished = db.session.scalars(
        select(Job).where(
            Job.kind == IMPORT_TASK,
            Job.user_id == user.id,
            Job.title == title[:500],
            Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]),
        )
    )
    for job in unfinished:
        if job.arguments == arguments:
            return job
    return Job.request(IMPORT_TASK, arguments, title=title, user_id=user.id)


def show_guid(feed: ParsedFeed) -> str:
    """The Podcasting 2.0 guid stays with a show when it moves host: the feed's
    ``podcast:guid``, else the UUIDv5 of the source feed URL (as the rule made it)."""
    if feed.podcast_guid:
        try:
            return str(uuid.UUID(feed.podcast_guid))
        except ValueError:
            pass
    bare = feed.url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def imported_show(feed: ParsedFeed) -> Show | None:
    """The show an earlier import of this feed created, if any."""
    return db.session.scalar(select(Show).where(Show.podcast_guid == show_guid(feed)))


def show_for_requester(feed: ParsedFeed, requester: User | None, warnings: list[str]) -> Show:
    """The show this import fills: the one an earlier import made (the requester must work
    on it), else a new one, of which an editor who asked for it becomes a member (as when
    they create a show). ``requester`` None: an operator at the server (the CLI)."""
    show = imported_show(feed)
    if show is None:
        show = create_imported_show(feed, warnings)
        if requester is not None and not requester.is_admin:
            add_member(show, requester)
        return show
    if requester is not None and not can_edit_show(requester, show):
        raise Conflict(
            f"This feed was imported before as the show “{show.title}”, which you do not "
            "work on. Ask an admin to add you to that show, then import it again."
        )
    return show


def create_imported_show(feed: ParsedFeed, warnings: list[str]) -> Show:
    """A new show with the feed's channel fields (flushed); a field our rules refuse (an
    unknown category, a malformed email) is left out and noted in ``warnings``."""
    fields: dict[str, Any] = {
        "title": feed.title[:300], "description": feed.description, "language": feed.language,
        "author": feed.author, "owner_name": feed.owner_name, "owner_email": feed.owner_email,
        "explicit": feed.explicit, "show_type": feed.show_type, "link": feed.link,
        "copyright": feed.copyright, "locked": feed.locked, "funding_url": feed.funding_url,
        "funding_text": feed.funding_text,
    }  # fmt: skip
    fields = {name: value for name, value in fields.items() if value not in ("", None)}
    if feed.category:
        try:
            fields["category"], fields["subcategory"] = validate_category(
                feed.category, feed.subcategory
            )
        except ValidationError:
            warnings.append(
                f"The category {feed.category!r} / {feed.subcategory!r} is not one of Apple's; "
                "set it in the studio."
            )
    for _attempt in range(3):
        try:
            show = create_show(fields)  # validates before it adds anything
            break
        except ValidationError as exc:
            refused = {str(d.get("field")) for d in exc.details or [] if isinstance(d, dict)}
            refused &= set(fields) - {"title"}
            if not refused:
                raise
            for name in sorted(refused):
                warnings.append(
                    f"The show's {name} {fields.pop(name)!r} was not kept: {exc.message}"
                )
    else:  # pragma: no cover  (three rounds remove every refusable field)
        raise ValidationError("The feed's channel fields cannot be imported.")
    show.podcast_guid = show_guid(feed)
    show.hosts = [person.as_dict() for person in feed.persons]
    db.session.flush()
    return show


def store_image(target: Show | Episode, data: bytes, stem: str) -> bool:
    """Store a JPEG or PNG as the show's or episode's artwork; False if it is neither."""
    kind = next((v for magic, v in IMAGE_TYPES.items() if data.startswith(magic)), None)
    if kind is None:
        return False
    mime, extension = kind
    storage = get_storage()
    key = f"{stem}.{extension}"
    storage.save(key, io.BytesIO(data), content_type=mime, cache_control=STORED_MEDIA_CACHE_CONTROL)
    delete_on_rollback(key, storage)
    target.artwork_key, target.artwork_mime = key, mime
    return True


def media_stem(show: Show, guid: str) -> str:
    """Where an imported episode's files go: derived from its guid, so a re-run after a
    crash overwrites what the crashed run stored instead of orphaning it."""
    return f"shows/{show.id}/imported/{hashlib.sha256(guid.encode()).hexdigest()[:32]}"


def guid_used_elsewhere(show: Show, guid: str) -> None:
    """409 when another show already has an episode with this guid (guids are global)."""
    other = db.session.scalar(
        select(Show.slug).join(Episode).where(Episode.guid == guid, Show.id != show.id)
    )
    if other is not None:
        raise Conflict(f"Another show ({other}) already has an episode with the guid {guid!r}.")


def _slug_taken(show: Show, slug: str) -> bool:
    statement = select(Episode.id).where(Episode.show_id == show.id, Episode.slug == slug)
    return db.session.scalar(statement) is not None


def _new_episode(show: Show, item: Item) -> Episode:
    guid_used_elsewhere(show, item.guid)
    now = utcnow()
    publish_at = item.publish_at or now
    episode = Episode(
        show_id=show.id,
        guid=item.guid,
        title=item.title[:300],
        slug=unique_slug(item.title, lambda slug: _slug_taken(show, slug)),
        description=sanitize_html(item.description),
        status="scheduled" if publish_at > now else "published",
        publish_at=publish_at,
        season=item.season,
        number=item.number,
        episode_type=item.episode_type,
        explicit=item.explicit,
        persons=[person.as_dict() for person in item.persons],
    )
    db.session.add(episode)
    return episode


def source_filename(url: str) -> str:
    return (urlsplit(url).path.rsplit("/", 1)[-1] or "audio")[:500]


def create_external_episode(show: Show, item: Item) -> Episode:
    """An episode whose audio stays at the old host (``--no-media``): the enclosure URL
    redirects there until its media is imported. Flushed."""
    episode = _new_episode(show, item)
    episode.external_media_url = item.enclosure_url[:2000]
    episode.mime_type = item.enclosure_type or "audio/mpeg"
    episode.size_bytes = item.enclosure_length  # 0 when the feed does not say
    episode.duration_seconds = item.duration_seconds
    episode.original_filename = source_filename(item.enclosure_url)
    db.session.flush()
    return episode


@dataclass
class ImportedMedia:
    """A downloaded, probed enclosure and what came with it."""

    path: Path
    size: int
    sha256: str | None
    info: AudioInfo
    chapters: dict[str, Any] | None = None
    transcript: tuple[bytes, str] | None = None


def store_imported_episode(show: Show, item: Item, media: ImportedMedia) -> tuple[Episode, bool]:
    """Store the audio under the guid's key and create the episode, or give an episode
    imported with ``--no-media`` its audio. Returns (episode, created). Flushed."""
    episode = db.session.scalar(
        select(Episode).where(Episode.show_id == show.id, Episode.guid == item.guid)
    )
    created = episode is None
    if episode is None:
        episode = _new_episode(show, item)
    storage = get_storage()
    stem = media_stem(show, item.guid)
    key = f"{stem}.{media.info.extension}"
    storage.save_file(key, media.path, content_type=media.info.mime_type,
                      cache_control=STORED_MEDIA_CACHE_CONTROL)  # fmt: skip
    delete_on_rollback(key, storage)
    apply_audio_info(episode, media.info)
    episode.external_media_url = None
    episode.storage_key = key
    episode.size_bytes = media.size
    episode.sha256 = media.sha256
    episode.original_filename = source_filename(item.enclosure_url)
    if media.chapters:
        episode.chapters = media.chapters
    if media.transcript:
        data, kind = media.transcript
        extension = TRANSCRIPT_EXTENSIONS.get(kind.split(";")[0].strip(), "txt")
        transcript_key = f"{stem}-transcript.{extension}"
        storage.save(transcript_key, io.BytesIO(data), content_type=kind or "text/plain",
                     cache_control=STORED_MEDIA_CACHE_CONTROL)  # fmt: skip
        delete_on_rollback(transcript_key, storage)
        episode.transcript_key, episode.transcript_type = transcript_key, kind
    db.session.flush()
    request_analysis(episode)
    return episode, created
