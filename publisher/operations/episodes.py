"""Episodes: their input type, upload (multipart or direct to S3), changes, new audio,
deletion, and who may see which.

The one write path for an episode's row: the API, the demo, direct uploads (and the
studio, the importer and jobs) call these. Media work is delegated to
``publisher.media.ingest`` / ``publisher.media.direct`` (bytes → probed, stored media
columns); fields are validated once, with ``EpisodeFields``.
"""

from __future__ import annotations

import html
import logging
from datetime import datetime
from typing import Any, BinaryIO

from flask import current_app
from pydantic import Field
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from publisher.content import sanitize_html, unique_slug
from publisher.exceptions import Conflict, NotFound
from publisher.extensions import db
from publisher.media import direct
from publisher.media.ingest import (
    flush_or_remove,
    media_keys,
    probe_upload,
    remove_after_commit,
    spool_upload,
    store_upload,
    title_from,
)
from publisher.media.probe import AudioInfo
from publisher.media.storage import get_storage
from publisher.models import Episode, Job, Show, Status, User, derived_audio_keys, utcnow
from publisher.models.episode import new_guid
from publisher.models.races import generated_slug, savepoint
from publisher.operations.audio import discard_derived
from publisher.operations.elements import EpisodeElements, episode_columns, plain
from publisher.operations.fields import (
    MAX_ID,
    UNSET,
    Count,
    EpisodeTypeName,
    Input,
    LongHtml,
    Slug,
    StatusName,
    Timestamp,
    Title,
    sent_fields,
    validated,
)
from publisher.operations.publication import publication_fields, status_condition

logger = logging.getLogger(__name__)


class EpisodeFields(Input):
    """Episode fields sent with the audio (form fields) or alone (JSON, on PATCH)."""

    title: Title = UNSET
    slug: Slug = Field(UNSET, description="Made from the title when omitted.")
    description: LongHtml = Field(UNSET, description="Show notes, HTML; sanitized.")
    status: StatusName = UNSET
    publish_at: Timestamp | None = Field(
        UNSET, description="Required for `scheduled`; defaults to now for `published`."
    )
    season: Count | None = UNSET
    number: Count | None = UNSET
    episode_type: EpisodeTypeName = UNSET
    explicit: bool = UNSET


class EpisodeUpdate(EpisodeFields, EpisodeElements):
    """Fields sent as JSON: the episode's fields and its Podcasting 2.0 elements."""


# ---------------------------------------------------------------------------- look-ups


def episodes_query(show: Show, user: User | None, status: str | None, now: datetime) -> Select:
    statement = select(Episode).where(Episode.show_id == show.id)
    if user is not None:  # callers with a token see each episode's analysis and original
        statement = statement.options(
            selectinload(Episode.audio_analysis),
            selectinload(Episode.alternate_enclosure),
        )
    if user is None:
        statement = statement.where(Episode.public_filter(now))
    if status is not None:
        statement = statement.where(status_condition(Episode, status, now))
    return statement.order_by(Episode.publish_at.desc().nulls_first(), Episode.id.desc())


def get_episode(episode_id: int, user: User | None, now: datetime) -> Episode:
    """The episode with this id; 404 when there is none or the caller may not see it."""
    episode = db.session.get(Episode, episode_id) if 0 < episode_id <= MAX_ID else None
    if episode is None or (user is None and not episode.is_public(now)):
        raise NotFound(f"There is no episode {episode_id}.")
    return episode


# ---------------------------------------------------------------------------- writes


def create_episode(
    show: Show,
    stream: BinaryIO,
    filename: str,
    data: EpisodeFields | dict[str, Any] | None = None,
    now: datetime | None = None,
) -> Episode:
    """A new episode of ``show`` with the uploaded audio; flushed, not committed.

    The title defaults to the file's title tag, else a readable form of the file name;
    the status to draft. A taken slug is a 409; audio we cannot serve a 422 (ProbeError);
    past MAX_UPLOAD_MB a 413. Nothing is stored unless the transaction commits.
    """
    fields = _new_episode_fields(show, data, now or utcnow())
    with spool_upload(stream) as upload:
        info = probe_upload(upload, filename)
        episode = _new_episode(show, fields, info, filename)
        storage = get_storage()
        written = store_upload(storage, episode, upload, info, filename)
        flush_or_remove(storage, written, episode, _slug_retry(show, fields.get("slug")))
    logger.info("Ingested %s as episode %s (%s)", episode.storage_key, episode.id, info)
    request_analysis(episode)
    return episode


def start_direct_upload(
    show: Show, filename: str, size: int, content_type: str | None
) -> dict[str, Any]:
    """Presign a multipart upload straight to the S3 store (see ``media.direct``)."""
    return direct.create_direct_upload(show, filename, size, content_type)


def request_direct_upload_completion(
    show: Show,
    upload_id: str,
    key: str,
    parts: list[dict[str, Any]],
    data: EpisodeFields | dict[str, Any] | None,
    user_id: int | None,
    now: datetime | None = None,
) -> Job:
    """Check what can be checked now (the key, the fields: 4xx at once) and request the
    ``uploads.complete`` job that finishes the upload (queued when the caller commits)."""
    direct.check_staging_key(show, key)
    _new_episode_fields(show, data, now or utcnow())
    fields = sent_fields(validated(EpisodeFields, data or {}), EpisodeFields)
    if isinstance(fields.get("publish_at"), datetime):
        fields["publish_at"] = fields["publish_at"].isoformat()
    arguments = {"show_id": show.id, "upload_id": upload_id, "key": key, "parts": parts,
                 "fields": fields}  # fmt: skip
    return Job.request("uploads.complete", arguments, title=f"Upload to {show.slug}",
                       user_id=user_id)  # fmt: skip


def complete_direct_upload(
    show: Show,
    upload_id: str,
    key: str,
    parts: list[dict[str, Any]],
    data: EpisodeFields | dict[str, Any] | None = None,
    now: datetime | None = None,
    *,
    already_finished: bool = False,
) -> Episode:
    """Finish a direct upload and create the episode (flushed, not committed); a file we
    cannot serve is deleted and ProbeError explains why. ``already_finished``: an earlier
    attempt completed the multipart upload and stopped before its commit."""
    fields = _new_episode_fields(show, data, now or utcnow())
    staged = key if already_finished else direct.finish_direct_upload(show, upload_id, key, parts)
    try:
        info, size, filename = direct.probe_staged(staged)
        episode = _new_episode(show, fields, info, filename)
        written = direct.store_staged(episode, staged, info, filename, size)
        flush_or_remove(get_storage(), written, episode, _slug_retry(show, fields.get("slug")))
    except BaseException:
        direct.remove_staged(staged)
        raise
    logger.info("Direct upload %s became episode %s", staged, episode.storage_key)
    request_analysis(episode)
    return episode


def update_episode(
    episode: Episode,
    data: EpisodeUpdate | EpisodeFields | dict[str, Any],
    now: datetime | None = None,
    audio: tuple[BinaryIO, str] | None = None,
) -> None:
    """Change the fields sent (PATCH semantics) and, given ``audio`` (stream, file name),
    the audio too (see ``replace_audio``)."""
    now = now or utcnow()
    model = data if isinstance(data, EpisodeFields) else validated(EpisodeUpdate, data)
    fields = plain(sent_fields(model, EpisodeUpdate))
    _check_slug_free(episode.show, fields.get("slug"), except_id=episode.id)
    if audio is not None:
        replace_audio(episode, *audio)
    fields = publication_fields(fields, episode.status, episode.publish_at, now)
    fields = episode_columns(episode, fields)
    show = episode.show
    try:
        with savepoint():  # a concurrent request may take the new slug meanwhile
            for name, value in _stored(fields).items():
                setattr(episode, name, value)
    except IntegrityError:
        _check_slug_free(show, fields.get("slug"), except_id=episode.id)
        raise


def request_analysis(episode: Episode) -> None:
    """Queue the audio analysis of the episode's (new) audio; it runs once the caller
    commits, on the job queue (docs/audio.md). AUDIO_ANALYZE_ON_UPLOAD = False skips it."""
    if current_app.config["AUDIO_ANALYZE_ON_UPLOAD"]:
        Job.request(
            "audio.analyze", {"episode_id": episode.id}, title=f"Analyze {episode.title}"[:500]
        )


def replace_audio(episode: Episode, stream: BinaryIO, filename: str) -> Episode:
    """Give ``episode`` new audio; its guid stays. The new object gets a new key, and the
    old one is removed only after the commit (a rollback leaves the episode as it was)."""
    old_keys = [episode.storage_key, episode.artwork_key, *derived_audio_keys(episode)]
    with spool_upload(stream) as upload:
        info = probe_upload(upload, filename)
        storage = get_storage()
        written = store_upload(storage, episode, upload, info, filename, avoid=old_keys)
        discard_derived(episode)  # analysis and kept original belong to the old audio
        flush_or_remove(storage, written)
    current = {episode.storage_key, episode.artwork_key}
    remove_after_commit(key for key in old_keys if key not in current)
    request_analysis(episode)
    return episode


def delete_episode(episode: Episode) -> None:
    """Delete the row; its stored objects go after the commit (failures are logged and
    left for ``storage orphans``)."""
    remove_after_commit(media_keys(episode) | derived_audio_keys(episode))
    db.session.delete(episode)
    db.session.flush()


# ---------------------------------------------------------------------------- helpers


def _new_episode_fields(
    show: Show, data: EpisodeFields | dict[str, Any] | None, now: datetime
) -> dict[str, Any]:
    """The fields of a new episode: validated, slug free, publication checked."""
    fields = sent_fields(validated(EpisodeFields, data or {}), EpisodeFields)
    _check_slug_free(show, fields.get("slug"))
    return _stored(publication_fields(fields, Status.DRAFT, None, now))


def _stored(fields: dict[str, Any]) -> dict[str, Any]:
    """Fields as stored: show notes sanitized."""
    if fields.get("description") is not None:
        fields = {**fields, "description": sanitize_html(fields["description"])}
    return fields


def _new_episode(show: Show, fields: dict[str, Any], info: AudioInfo, filename: str) -> Episode:
    """An unsaved episode row with its guid, title (the field, else the title tag, else
    the file name), a slug unique in the show, and the checked fields."""
    values = {name: value for name, value in fields.items() if value is not None}
    episode = Episode(show_id=show.id, guid=new_guid())
    title = values.pop("title", None) or info.tags.get("title") or title_from(filename)
    episode.title = title[:300]
    slug = values.pop("slug", None)
    episode.slug = slug or unique_slug(episode.title, lambda s: _slug_taken(show, s))
    if not values.get("description") and info.tags.get("comment"):
        # The file's comment tag is the show notes a producer wrote in their editor.
        values["description"] = _notes_from_comment(str(info.tags["comment"]))
    for name, value in values.items():
        setattr(episode, name, value)
    return episode


def _slug_retry(show: Show, chosen: str | None):
    """What to do when a concurrent upload took the new episode's slug first: a slug the
    client chose is a 409; a generated one moves on to the next free suffix."""

    def retry(episode: Episode, attempt: int) -> bool:
        if not _slug_taken(show, episode.slug):
            return False  # another constraint: not a slug race
        _check_slug_free(show, chosen)
        episode.slug = generated_slug(
            lambda: unique_slug(episode.title, lambda s: _slug_taken(show, s)), attempt
        )
        return True

    return retry


def _notes_from_comment(comment: str) -> str:
    """Plain text (one paragraph per blank-line-separated block) as sanitized HTML."""
    blocks = [block.strip() for block in comment.replace("\r", "").split("\n\n")]
    paragraphs = (html.escape(block).replace("\n", "<br>") for block in blocks if block)
    return sanitize_html("".join(f"<p>{paragraph}</p>" for paragraph in paragraphs))


def _slug_taken(show: Show, slug: str, except_id: int | None = None) -> bool:
    statement = select(Episode.id).where(Episode.show_id == show.id, Episode.slug == slug)
    if except_id is not None:
        statement = statement.where(Episode.id != except_id)
    return db.session.scalar(statement) is not None


def _check_slug_free(show: Show, slug: str | None, except_id: int | None = None) -> None:
    if slug is not None and _slug_taken(show, slug, except_id):
        raise Conflict(f"The slug '{slug}' is already used by another episode of this show.")
