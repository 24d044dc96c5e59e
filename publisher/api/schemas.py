"""Pydantic schemas of the API: what requests may carry and what answers look like.

They are the single source of truth: requests are validated with them and the OpenAPI
document is generated from them (see ``publisher.api.spec``). Input models refuse unknown
fields; strings are length-limited and may not carry control characters (PostgreSQL
refuses NUL, and no title needs a bell character).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
)

from publisher.feeds.podcastindex import MEDIUMS

# C0 controls other than tab, newline and carriage return; DEL; lone surrogates, which a
# JSON string may carry but UTF-8 (and so the database) cannot store.
_FORBIDDEN_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_RE = re.compile(SLUG_PATTERN)
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL


def _no_control_characters(value: str) -> str:
    if _FORBIDDEN_CHARACTERS.search(value):
        raise ValueError("Remove control characters (such as NUL) from this text.")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("This field may not be blank.")
    return value


def text(max_length: int, *, min_length: int = 0) -> Any:
    """A plain-text string type: stripped, length-limited, no control characters."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(_no_control_characters),
        Field(json_schema_extra={"pattern": TEXT_PATTERN}),
    ]


def required_text(max_length: int) -> Any:
    """Like text(), and not empty."""
    return Annotated[text(max_length, min_length=1), AfterValidator(_not_blank)]


Slug = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100, pattern=SLUG_PATTERN),
    Field(description="Lowercase letters, digits and single hyphens, e.g. `my-show`."),
]
Url = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, max_length=1000, pattern=r"^(https?://[^\s\x00-\x1f\x7f]+)?$"
    ),
    AfterValidator(_no_control_characters),
    Field(description="An http(s) URL, or empty."),
]
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        max_length=254,
        pattern=r"^([^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+)?$",
    ),
    AfterValidator(_no_control_characters),
    Field(description="An e-mail address, or empty."),
]
Timestamp = Annotated[
    AwareDatetime,
    PlainSerializer(lambda value: value.isoformat(), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
    Field(description="ISO 8601 with a UTC offset, e.g. `2025-05-01T09:00:00+02:00`."),
]
Title = required_text(300)
TagName = required_text(100)
Name500 = required_text(500)
Name200 = required_text(200)
Name1000 = required_text(1000)
ShortHtml = text(20_000)
LongHtml = text(50_000)
Markdown = text(200_000)
Summary = text(2_000)
Text35 = text(35)
Text300 = text(300)
Text100 = text(100)
Text500 = text(500)
Text128 = text(128)
Text200 = text(200)
Status = Literal["draft", "scheduled", "published"]
ShowStatus = Literal["draft", "published"]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Count = Annotated[int, Field(ge=0, le=100_000)]


class Input(BaseModel):
    """Base of request models: unknown fields and loose types are refused."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Output(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------------------- errors


class FieldError(Output):
    field: str = Field(description="The offending field, dotted for nested ones (`parts.0.etag`).")
    message: str


class ErrorBody(Output):
    code: str = Field(description="Machine-readable, e.g. `validation_error`, `not_found`.")
    message: str = Field(description="What went wrong, for a person.")
    details: list[FieldError] | dict[str, Any] | None = Field(
        None, description="For 422: one entry per invalid field. Other errors may add facts."
    )


class Error(Output):
    """Every 4xx/5xx answer under /api/ has this shape."""

    error: ErrorBody


# ---------------------------------------------------------------------------- paging


class PageQuery(Input):
    model_config = ConfigDict(extra="forbid", strict=False)

    page: int = Field(default=1, ge=1, le=100_000, description="Page number, from 1.")
    per_page: int = Field(default=20, ge=1, le=100, description="Items per page (at most 100).")


class StatusQuery(PageQuery):
    status: Status | None = Field(
        default=None, description="Only items with this (effective) status."
    )


class ShowStatusQuery(PageQuery):
    status: ShowStatus | None = Field(default=None, description="Only shows with this status.")


class PageLinks(Output):
    self: str
    first: str
    last: str
    next: str | None
    prev: str | None


class Page(Output):
    page: int
    per_page: int
    total: int
    pages: int
    links: PageLinks


# ---------------------------------------------------------------------------- shows


class ShowFields(Input):
    """Show fields; all optional (PATCH changes only what it is given)."""

    title: Title = None
    description: ShortHtml = Field(None, description="HTML; sanitized when stored.")
    status: ShowStatus = Field(None, description="`draft` shows are hidden from the public.")
    language: Text35 = Field(None, description="BCP 47, e.g. `en` or `fr-CA`.")
    author: Text300 = None
    owner_name: Text300 = None
    owner_email: Email = None
    category: Text100 = Field(None, description="An Apple Podcasts category (any case).")
    subcategory: Text100 = Field(None, description="One of the category's subcategories.")
    explicit: bool = None
    show_type: Literal["episodic", "serial"] = None
    link: Url = None
    copyright: Text500 = None
    locked: bool = None
    complete: bool = None
    funding_url: Url = None
    funding_text: Text128 = None
    new_feed_url: Url = Field(None, description="Set when the feed moves elsewhere.")
    medium: Literal[MEDIUMS] = Field(None, description="podcast:medium.")
    license: Text128 = None
    location: Text128 = None


class ShowCreate(ShowFields):
    title: Title
    slug: Slug = Field(None, description="Made from the title when omitted.")


class ShowUpdate(ShowFields):
    """The slug is fixed at creation: the feed URL, and so the podcast guid, derive from it."""


class ShowOut(Output):
    slug: str
    url: str = Field(description="The show's public page.")
    feed_url: str = Field(description="The podcast RSS feed.")
    title: str
    description: str
    status: ShowStatus
    language: str
    author: str
    owner_name: str
    owner_email: str
    category: str
    subcategory: str
    explicit: bool
    show_type: str
    link: str
    copyright: str
    locked: bool
    complete: bool
    funding_url: str
    funding_text: str
    new_feed_url: str
    medium: str
    license: str
    location: str
    podcast_guid: str
    episode_count: int = Field(description="Episodes the caller can see.")
    created_at: Timestamp
    updated_at: Timestamp


class ShowPage(Page):
    items: list[ShowOut]


# ---------------------------------------------------------------------------- episodes


class EpisodeFields(Input):
    """Episode fields sent with the audio (form fields) or alone (JSON, on PATCH)."""

    title: Title = None
    slug: Slug = Field(None, description="Made from the title when omitted.")
    description: LongHtml = Field(None, description="Show notes, HTML; sanitized.")
    status: Status = None
    publish_at: Timestamp | None = Field(
        None, description="Required for `scheduled`; defaults to now for `published`."
    )
    season: Count | None = None
    number: Count | None = None
    episode_type: Literal["full", "trailer", "bonus"] = None
    explicit: bool = None


class EpisodeCreateForm(EpisodeFields):
    """Defaults: the title from the file's title tag, else its name; status draft."""


class EpisodeUpdate(EpisodeFields):
    pass


class Media(Output):
    url: str = Field(description="The stable enclosure URL (counts the download).")
    size: int | None = Field(description="Bytes.")
    mime_type: str | None
    bitrate: int | None = Field(description="Bits per second.")
    sample_rate: int | None = Field(description="Hz.")
    channels: int | None
    codec: str | None
    external: bool = Field(
        False,
        description="True while the audio is still at the host it was imported from "
        "(`shows import --no-media`): the enclosure URL redirects there.",
    )


class EpisodeOut(Output):
    id: int
    guid: str = Field(description="Set once; never changes, even when the audio is replaced.")
    slug: str
    url: str
    show: str = Field(description="The show's slug.")
    status: Status = Field(description="Effective: `scheduled` until publish_at passes.")
    title: str
    description: str
    publish_at: Timestamp | None
    season: int | None
    number: int | None
    episode_type: str
    explicit: bool
    duration: float | None = Field(description="Seconds.")
    media: Media | None
    created_at: Timestamp
    updated_at: Timestamp


class EpisodePage(Page):
    items: list[EpisodeOut]


# ---------------------------------------------------------------------------- articles


class ArticleFields(Input):
    title: Title = None
    slug: Slug = Field(None, description="Made from the title when omitted.")
    summary: Summary = None
    body: Markdown = Field(None, description="Markdown; rendered and sanitized.")
    author_name: Text200 = None
    tags: list[TagName] = Field(
        None, max_length=50, description="Tag names; unknown tags are created."
    )
    episodes: list[Id] = Field(None, max_length=100, description="Episode ids, in order.")
    status: Status = None
    publish_at: Timestamp | None = Field(
        None, description="Required for `scheduled`; defaults to now for `published`."
    )


class ArticleCreate(ArticleFields):
    title: Title


class ArticleUpdate(ArticleFields):
    pass


class ArticleOut(Output):
    id: int
    slug: str
    url: str
    status: Status = Field(description="Effective: `scheduled` until publish_at passes.")
    title: str
    summary: str
    body: str = Field(description="The Markdown source.")
    body_html: str = Field(description="Rendered, sanitized HTML.")
    author_name: str
    tags: list[str] = Field(description="Tag names.")
    episodes: list[int] = Field(description="Linked episode ids, in order.")
    publish_at: Timestamp | None
    created_at: Timestamp
    updated_at: Timestamp


class ArticlePage(Page):
    items: list[ArticleOut]


# ---------------------------------------------------------------------------- direct uploads


class DirectUploadCreate(Input):
    filename: Name500 = Field(description="The file's name (kept as data only).")
    size: int = Field(ge=1, le=2**53, description="Bytes; above MAX_UPLOAD_MB is refused (413).")
    content_type: Text100 = Field("", description="Informative: the content decides the type.")


class PresignedPart(Output):
    part_number: int
    url: str = Field(description="PUT this part's bytes here; keep the answer's ETag header.")


class DirectUploadOut(Output):
    """Where to send the file's parts, straight to the S3 store."""

    upload_id: str
    key: str
    part_size: int = Field(description="Bytes per part (the last one may be shorter).")
    parts: list[PresignedPart]
    expires_at: str = Field(description="When the part URLs stop working (ISO 8601).")


class UploadPart(Input):
    part_number: int = Field(ge=1, le=10_000)
    etag: Name200


class DirectUploadComplete(EpisodeFields):
    """The upload to finish, and the new episode's fields (as for a multipart upload)."""

    upload_id: Name1000
    key: Name500
    parts: list[UploadPart] = Field(
        default_factory=list, max_length=10_000, description="As PUT; empty: use what S3 holds."
    )


def episode_fields(model: BaseModel, exclude: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The fields the caller actually sent (PATCH semantics), minus ``exclude``."""
    return {
        name: getattr(model, name)
        for name in model.model_fields_set
        if name in EpisodeFields.model_fields and name not in exclude
    }
