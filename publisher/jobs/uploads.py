"""The ``uploads.complete`` job: a direct-to-S3 upload becomes an episode.

The request (``POST /api/v1/shows/<slug>/uploads/complete``) checks the key and the
fields and answers 202 with this job; the job completes the multipart upload, probes the
object in place, copies it to the episode's key and creates the row
(``operations.episodes.complete_direct_upload``). A retry after a crash between
completing the upload and the commit finds the staging object already whole and goes on
from there.
"""

from __future__ import annotations

from typing import Any

from publisher import urls
from publisher.exceptions import NotFound
from publisher.extensions import db
from publisher.jobs.registry import JobFailed
from publisher.jobs.runner import JobContext
from publisher.media import direct
from publisher.models import Show
from publisher.operations import episodes


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
        episode = episodes.complete_direct_upload(show, upload_id, key, parts, fields)
    except NotFound:
        if not direct.staged_exists(key):
            raise JobFailed(
                "This upload does not exist any more: it was cancelled or has expired. "
                "Upload the file again."
            ) from None
        db.session.rollback()
        episode = episodes.complete_direct_upload(
            show, upload_id, key, parts, fields, already_finished=True
        )
    db.session.commit()
    return {"episode_id": episode.id, "guid": episode.guid, "url": urls.episode_url(episode)}
