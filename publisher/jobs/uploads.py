"""The ``uploads.complete`` job: a direct-to-S3 upload becomes an episode.

The request (``POST /api/v1/shows/<slug>/uploads/complete``) checks what it can and
answers 202 with this job; the job completes the multipart upload, probes the object
in place, copies it to the episode's key and creates the row. A retry after a crash
between completing the upload and the commit finds the staging object already whole and
goes on from there.
"""

from __future__ import annotations

from typing import Any

from publisher import urls
from publisher.errors import NotFound
from publisher.extensions import db
from publisher.jobs.registry import JobFailed
from publisher.jobs.runner import JobContext
from publisher.media import direct
from publisher.media.ingest import checked_fields
from publisher.media.storage import ObjectNotFound
from publisher.models import Show


def complete(
    job: JobContext,
    show_id: int,
    upload_id: str,
    key: str,
    parts: list[dict[str, Any]],
    fields: dict[str, Any],
) -> dict[str, Any]:
    show = db.session.get(Show, show_id)
    if show is None:
        raise JobFailed("The show was deleted before its upload could be finished.")
    job.progress(message="Checking the uploaded audio")
    try:
        episode = direct.complete_direct_upload(show, upload_id, key, parts, fields)
    except NotFound:
        # Completed by an earlier attempt that stopped before its commit?
        storage = direct._s3_storage()
        try:
            storage.stat(key)
        except ObjectNotFound:
            raise JobFailed(
                "This upload does not exist any more: it was cancelled or has expired. "
                "Upload the file again."
            ) from None
        values = checked_fields(fields)
        try:
            episode = direct._create_episode(storage, show, key, values)
        except BaseException:
            direct.remove_quietly(storage, key, "direct upload refused")
            raise
    db.session.commit()
    return {"episode_id": episode.id, "guid": episode.guid, "url": urls.episode_url(episode)}
