"""``POST /api/v1/imports``: import a show from another host's feed, as a job (202)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from publisher.api.blueprint import bp
from publisher.api.jobs import JobOut, job_out
from publisher.api.schemas import Input
from publisher.api.spec import api_route, current_user_or_none
from publisher.extensions import db
from publisher.models import Job


class ImportCreate(Input):
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


@api_route(bp, "/imports", "POST", auth="editor", tag="jobs", body=ImportCreate,
           response=JobOut, status=202)  # fmt: skip
def create_import(body: ImportCreate) -> tuple[JobOut, int]:
    """Start importing a show from its feed; follow the job at its `url`."""
    user = current_user_or_none()
    arguments = {"source": body.source, "media": body.media, "owner_email": body.owner_email}
    job = Job.request(
        "imports.run", arguments, title=f"Import of {body.source}", user_id=user.id,
    )  # fmt: skip
    db.session.commit()
    return job_out(job), 202
