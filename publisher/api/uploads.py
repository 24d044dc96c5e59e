"""Direct uploads (S3 store only): the client sends the audio straight to the bucket.

1. ``POST /shows/<slug>/uploads`` presigns a multipart upload (one URL per part);
2. the client PUTs each part to its URL and keeps the ETags;
3. ``POST /shows/<slug>/uploads/complete`` answers 202 with a job (``/api/v1/jobs/<id>``)
   that probes the object in place and creates the episode, or deletes the object and
   says why it was refused (the job's ``error``).
"""

from __future__ import annotations

from datetime import datetime

from publisher.api import bp
from publisher.api import operations as ops
from publisher.api.jobs import JobOut, job_out
from publisher.api.schemas import (
    DirectUploadComplete,
    DirectUploadCreate,
    DirectUploadOut,
    episode_fields,
)
from publisher.api.spec import api_route, current_user_or_none
from publisher.extensions import db
from publisher.media.direct import check_direct_upload, create_direct_upload
from publisher.media.ingest import checked_fields
from publisher.models import DRAFT, Job, utcnow


@api_route(bp, "/shows/<slug>/uploads", "POST", auth="editor", tag="episodes",
           body=DirectUploadCreate, response=DirectUploadOut, status=201,
           errors=[409, 503])  # fmt: skip
def create_upload(slug: str, body: DirectUploadCreate) -> tuple[DirectUploadOut, int]:
    """Start a direct upload to the S3 store (409 when media is kept on the filesystem)."""
    show = ops.get_show(slug, current_user_or_none())
    plan = create_direct_upload(show, body.filename, body.size, body.content_type or None)
    return DirectUploadOut(**plan), 201


@api_route(bp, "/shows/<slug>/uploads/complete", "POST", auth="editor", tag="episodes",
           body=DirectUploadComplete, response=JobOut, status=202,
           errors=[409, 503])  # fmt: skip
def complete_upload(slug: str, body: DirectUploadComplete) -> tuple[JobOut, int]:
    """Finish a direct upload: a job probes the audio in place and creates the episode."""
    now = utcnow()
    user = current_user_or_none()
    show = ops.get_show(slug, user)
    check_direct_upload(show, body.key)
    fields = episode_fields(body)
    ops.check_episode_slug(show, fields)
    fields = ops.publication_fields(fields, DRAFT, None, now)
    checked_fields(fields)  # a bad field is a 422 now, not a failed job later
    if isinstance(fields.get("publish_at"), datetime):
        fields["publish_at"] = fields["publish_at"].isoformat()
    arguments = {
        "show_id": show.id,
        "upload_id": body.upload_id,
        "key": body.key,
        "parts": [part.model_dump() for part in body.parts],
        "fields": fields,
    }
    job = Job.request(
        "uploads.complete", arguments, title=f"Upload to {show.slug}", user_id=user.id
    )
    db.session.commit()
    return job_out(job), 202
