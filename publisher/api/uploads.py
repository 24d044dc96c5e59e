"""Direct uploads (S3 store only): the client sends the audio straight to the bucket.

1. ``POST /shows/<slug>/uploads`` presigns a multipart upload (one URL per part);
2. the client PUTs each part to its URL and keeps the ETags;
3. ``POST /shows/<slug>/uploads/complete`` probes the object in place and creates the
   episode (201), or deletes the object and explains why it was refused.
"""

from __future__ import annotations

from publisher.api.blueprint import bp
from publisher.api.representations import episode_out
from publisher.api.schemas import (
    DirectUploadComplete,
    DirectUploadCreate,
    DirectUploadOut,
    EpisodeOut,
)
from publisher.api.spec import api_route, current_user_or_none
from publisher.extensions import db
from publisher.models import utcnow
from publisher.operations import episodes as ops
from publisher.operations.shows import get_show


@api_route(bp, "/shows/<slug>/uploads", "POST", auth="editor", tag="episodes",
           body=DirectUploadCreate, response=DirectUploadOut, status=201,
           errors=[409, 503])  # fmt: skip
def create_upload(slug: str, body: DirectUploadCreate) -> tuple[DirectUploadOut, int]:
    """Start a direct upload to the S3 store (409 when media is kept on the filesystem)."""
    show = get_show(slug, current_user_or_none())
    plan = ops.start_direct_upload(show, body.filename, body.size, body.content_type or None)
    return DirectUploadOut(**plan), 201


@api_route(bp, "/shows/<slug>/uploads/complete", "POST", auth="editor", tag="episodes",
           body=DirectUploadComplete, response=EpisodeOut, status=201,
           errors=[409, 503])  # fmt: skip
def complete_upload(slug: str, body: DirectUploadComplete) -> tuple[EpisodeOut, int]:
    """Finish a direct upload: the audio is probed in place and the episode created."""
    now = utcnow()
    show = get_show(slug, current_user_or_none())
    parts = [part.model_dump() for part in body.parts]
    episode = ops.complete_direct_upload(show, body.upload_id, body.key, parts, body, now)
    db.session.commit()
    return episode_out(episode, now, private=True), 201
