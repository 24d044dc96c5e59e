"""``POST /api/v1/imports``: import a show from another host's feed, as a job (202)."""

from __future__ import annotations

from publisher.api.blueprint import bp
from publisher.api.jobs import JobOut, job_out
from publisher.api.spec import api_route, current_user_or_none
from publisher.extensions import db
from publisher.operations.imports import ImportCreate, request_import


@api_route(bp, "/imports", "POST", auth="editor", tag="jobs", body=ImportCreate,
           response=JobOut, status=202)  # fmt: skip
def create_import(body: ImportCreate) -> tuple[JobOut, int]:
    """Start importing a show from its feed; follow the job at its `url`."""
    user = current_user_or_none()
    assert user is not None  # auth="editor"
    job = request_import(body, user)
    db.session.commit()
    return job_out(job), 202
