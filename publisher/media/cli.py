"""``flask --app wsgi storage check | orphans [--delete] | migrate --to s3``.

Keys are the same in every store and rows hold only keys, so moving media between stores
is a copy; the public enclosure URLs (``/media/<guid>.<ext>``) never change.
"""

from __future__ import annotations

import logging
import mimetypes
from datetime import timedelta
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import String, select

from publisher.extensions import db
from publisher.media.ingest import STORED_MEDIA_CACHE_CONTROL
from publisher.media.storage import (
    FilesystemStorage,
    MultipartStore,
    ObjectNotFound,
    Storage,
    StorageError,
    create_storage,
    get_storage,
)
from publisher.models import Episode, Show, utcnow

logger = logging.getLogger(__name__)

storage_cli = AppGroup("storage", help="Check, clean and migrate the media store.")

# Types the standard table may not know on every system.
EXTRA_TYPES = {
    ".m4a": "audio/x-m4a",
    ".opus": "audio/opus",
    ".ogg": "audio/ogg",
    ".flac": "audio/flac",
    ".wav": "audio/wav",
    ".mp3": "audio/mpeg",
    ".vtt": "text/vtt",
    ".srt": "application/x-subrip",
    ".json": "application/json",
}


def referenced_keys() -> set[str]:
    """Every key a row points at: each string column named ``*_key`` in every table
    (episode audio, artwork, transcripts, show artwork, article covers…)."""
    keys: set[str] = set()
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if column.name.endswith("_key") and isinstance(column.type, String):
                keys.update(k for k in db.session.scalars(select(column)) if k)
    return keys


def known_content_types() -> dict[str, str]:
    """key → the content type recorded on its row (falls back to the extension)."""
    types: dict[str, str] = {}
    for key, mime, art, art_mime, transcript, transcript_type in db.session.execute(
        select(
            Episode.storage_key,
            Episode.mime_type,
            Episode.artwork_key,
            Episode.artwork_mime,
            Episode.transcript_key,
            Episode.transcript_type,
        )
    ):
        for k, t in ((key, mime), (art, art_mime), (transcript, transcript_type)):
            if k and t and "/" in t:
                types[k] = t
    for key, mime in db.session.execute(select(Show.artwork_key, Show.artwork_mime)):
        if key and mime:
            types[key] = mime
    return types


def content_type_for(key: str, known: dict[str, str]) -> str:
    if key in known:
        return known[key]
    suffix = "." + key.rsplit(".", 1)[-1].lower() if "." in key else ""
    return EXTRA_TYPES.get(suffix) or mimetypes.guess_type(key)[0] or "application/octet-stream"


def _fail(exc: StorageError | ValueError) -> click.ClickException:
    return click.ClickException(getattr(exc, "message", None) or str(exc))


@storage_cli.command("check")
def check() -> None:
    """Check the store: reachable, bucket exists, can write, read and delete an object."""
    try:
        storage = get_storage()
        click.echo(f"Storage: {storage.describe()}")
        for step in storage.check():
            click.echo(f"  ok: {step}")
    except (StorageError, ValueError) as exc:
        raise _fail(exc) from exc
    click.echo("Storage OK.")


@storage_cli.command("orphans")
@click.option("--delete", is_flag=True, help="Delete them (default: only list them).")
@click.option(
    "--older-than",
    "older_than_hours",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    help="Only objects older than this many hours (uploads in progress are not orphans).",
)
def orphans(delete: bool, older_than_hours: float) -> None:
    """List (or delete) stored objects that no row references."""
    storage = get_storage()
    cutoff = utcnow() - timedelta(hours=older_than_hours)
    try:
        referenced = referenced_keys()
        found = [
            stored
            for stored in storage.list_objects()
            if stored.key not in referenced and stored.last_modified <= cutoff
        ]
        uploads = []
        multipart = storage if isinstance(storage, MultipartStore) else None
        if multipart is not None:
            uploads = [u for u in multipart.list_multipart_uploads() if u[2] <= cutoff]
    except StorageError as exc:
        raise _fail(exc) from exc
    total = sum(stored.size for stored in found)
    for stored in found:
        click.echo(f"orphan\t{stored.key}\t{stored.size}\t{stored.last_modified:%Y-%m-%d %H:%M}")
    for key, upload_id, started in uploads:
        click.echo(f"unfinished-upload\t{key}\t{upload_id}\t{started:%Y-%m-%d %H:%M}")
    summary = f"{len(found)} orphan object(s), {total} bytes"
    if uploads:
        summary += f"; {len(uploads)} unfinished multipart upload(s)"
    if not delete:
        click.echo(f"{summary}. Dry run: add --delete to remove them.")
        return
    failed = 0
    for stored in found:
        try:
            storage.delete(stored.key)
        except StorageError as exc:
            failed += 1
            click.echo(f"could not delete {stored.key}: {exc.message}", err=True)
    for key, upload_id, _started in uploads:
        try:
            if multipart is not None:  # uploads are only listed for a multipart store
                multipart.abort_multipart_upload(key, upload_id)
        except StorageError as exc:
            failed += 1
            click.echo(f"could not abort upload {upload_id}: {exc.message}", err=True)
    click.echo(f"{summary}: deleted {len(found) + len(uploads) - failed}, failed {failed}.")
    if failed:
        raise click.ClickException(f"{failed} deletion(s) failed; run the command again.")


@storage_cli.command("migrate")
@click.option(
    "--to",
    "target_kind",
    type=click.Choice(["s3", "filesystem"]),
    required=True,
    help="Copy from the other store into this one.",
)
@click.option("--dry-run", is_flag=True, help="Only say what would be copied.")
def migrate(target_kind: str, dry_run: bool) -> None:
    """Copy every object to the other store (resumable: objects already there with the
    same size are skipped). Keys, rows and enclosure URLs stay the same; switch STORAGE
    afterwards."""
    config: dict[str, Any] = dict(current_app.config)
    try:
        local = FilesystemStorage(config["MEDIA_ROOT"])
        remote = create_storage({**config, "STORAGE": "s3"})
    except (ValueError, StorageError) as exc:
        raise _fail(exc) from exc
    source, target = (local, remote) if target_kind == "s3" else (remote, local)
    click.echo(f"From {source.describe()} to {target.describe()}.")
    known = known_content_types()
    copied = skipped = failed = 0
    try:
        objects = list(source.list_objects())
    except StorageError as exc:
        raise _fail(exc) from exc
    for stored in objects:
        try:
            try:
                if target.size(stored.key) == stored.size:
                    skipped += 1
                    continue
            except ObjectNotFound:
                pass
            if dry_run:
                click.echo(f"would copy\t{stored.key}\t{stored.size}")
                copied += 1
                continue
            _copy(source, target, stored.key, content_type_for(stored.key, known))
            if target.size(stored.key) != stored.size:
                raise StorageError(f"size differs after copying {stored.key}")
            copied += 1
            click.echo(f"copied\t{stored.key}\t{stored.size}")
        except (StorageError, OSError) as exc:
            failed += 1
            click.echo(f"failed\t{stored.key}\t{getattr(exc, 'message', exc)}", err=True)
    missing = sorted(k for k in referenced_keys() if not dry_run and not target.exists(k))
    verb = "would copy" if dry_run else "copied"
    click.echo(f"{verb} {copied}, already there {skipped}, failed {failed}.")
    if missing:
        click.echo(f"{len(missing)} key(s) referenced by rows are not in the target:", err=True)
        for key in missing[:20]:
            click.echo(f"  {key}", err=True)
    if failed or missing:
        raise click.ClickException("Not complete: run the same command again to resume.")
    if not dry_run:
        click.echo(
            f"Every object is in {target.describe()}. Rows keep their keys and enclosure "
            f"URLs do not change: set STORAGE={target_kind} (PUBLISHER_STORAGE={target_kind}) "
            "and restart."
        )


def _copy(source: Storage, target: Storage, key: str, content_type: str) -> None:
    path = source.local_path(key)
    if path is not None:
        target.save_file(
            key, path, content_type=content_type, cache_control=STORED_MEDIA_CACHE_CONTROL
        )
        return
    with source.open(key) as stream:
        target.save(
            key, stream, content_type=content_type, cache_control=STORED_MEDIA_CACHE_CONTROL
        )
