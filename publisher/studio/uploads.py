"""The uploader's endpoints (JSON, CSRF token in the X-CSRFToken header).

Local store: the browser POSTs the file to ``upload`` (XHR, with progress); the episode
is created as a draft from it. S3 store: the browser uploads the parts straight to the
bucket through presigned URLs (``s3/create``, ``s3/sign``, ``s3/parts`` to resume,
``s3/abort`` to cancel) and ``s3/complete`` creates the episode; the audio never passes
through the app.
"""

from __future__ import annotations

from typing import Any, BinaryIO, cast

from flask import jsonify, request, url_for

from publisher.exceptions import PublisherError
from publisher.extensions import db
from publisher.media.probe import ProbeError
from publisher.models import Episode
from publisher.operations import episodes as episode_ops
from publisher.operations import uploads as upload_ops
from publisher.studio.access import show_for_editing, studio_access
from publisher.studio.blueprint import bp


def _error(exc: PublisherError):
    db.session.rollback()
    return jsonify(error={"code": exc.code, "message": exc.message}), exc.status_code


def _created(episode: Episode):
    return jsonify(
        id=episode.id,
        title=episode.title,
        duration_seconds=episode.duration_seconds,
        edit_url=url_for("studio.edit_episode", slug=episode.show.slug, episode_id=episode.id),
    ), 201


def _json() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise PublisherError("Send a JSON object.")
    return body


@bp.post("/shows/<slug>/episodes/upload")
@studio_access("member")
def upload_episode(slug: str):
    """Create a draft episode from a file sent to the app (local store)."""
    show = show_for_editing(slug)
    audio = request.files.get("file") or request.files.get("audio")
    if audio is None:
        return jsonify(error={"code": "no_file", "message": "Choose an audio file."}), 400
    try:
        episode = episode_ops.create_episode(
            show, cast(BinaryIO, audio.stream), audio.filename or "", {}
        )
    except (PublisherError, ProbeError) as exc:
        return _error(exc)
    db.session.commit()
    return _created(episode)


@bp.post("/shows/<slug>/uploads/s3/create")
@studio_access("member")
def s3_create(slug: str):
    """Start a multipart upload straight to the bucket."""
    show = show_for_editing(slug)
    try:
        body = _json()
        size = cast(int, body.get("size"))
        plan = episode_ops.start_direct_upload(
            show, str(body.get("filename") or "")[:500], size, str(body.get("type") or "") or None
        )
    except PublisherError as exc:
        return _error(exc)
    return jsonify(uploadId=plan["upload_id"], key=plan["key"], partSize=plan["part_size"])


@bp.post("/shows/<slug>/uploads/s3/sign")
@studio_access("member")
def s3_sign(slug: str):
    """A presigned URL for one part."""
    show = show_for_editing(slug)
    try:
        body = _json()
        url = upload_ops.sign_part(
            show, body.get("key"), body.get("uploadId"), body.get("partNumber")
        )
    except PublisherError as exc:
        return _error(exc)
    return jsonify(url=url)


@bp.post("/shows/<slug>/uploads/s3/parts")
@studio_access("member")
def s3_parts(slug: str):
    """The parts the bucket already holds (to resume after a drop or a reload)."""
    show = show_for_editing(slug)
    try:
        body = _json()
        parts = upload_ops.list_parts(show, body.get("key"), body.get("uploadId"))
    except PublisherError as exc:
        return _error(exc)
    return jsonify(
        [{"PartNumber": p["part_number"], "ETag": p["etag"], "Size": p["size"]} for p in parts]
    )


@bp.post("/shows/<slug>/uploads/s3/abort")
@studio_access("member")
def s3_abort(slug: str):
    """Cancel: the bucket drops the parts; no object, no episode."""
    show = show_for_editing(slug)
    try:
        body = _json()
        upload_ops.abort_upload(show, body.get("key"), body.get("uploadId"))
    except PublisherError as exc:
        return _error(exc)
    return jsonify(aborted=True)


@bp.post("/shows/<slug>/uploads/s3/complete")
@studio_access("member")
def s3_complete(slug: str):
    """Finish the upload: the audio is probed in the bucket and the draft episode created."""
    show = show_for_editing(slug)
    try:
        body = _json()
        parts = [
            {"part_number": p.get("PartNumber"), "etag": p.get("ETag")}
            for p in body.get("parts") or []
            if isinstance(p, dict)
        ]
        episode = episode_ops.complete_direct_upload(
            show, cast(str, body.get("uploadId")), cast(str, body.get("key")), parts, {}
        )
    except (PublisherError, ProbeError) as exc:
        return _error(exc)
    db.session.commit()
    return _created(episode)
