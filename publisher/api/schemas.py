"""Pydantic schemas of the API: what requests may carry and what answers look like.

Requests are validated with them and the OpenAPI document is generated from them (see
``publisher.api.spec``). What a show, episode or article may be given is the operations
layer's input type (``ShowCreate``, ``EpisodeFields``, ``ArticleCreate``…, built from
``publisher.operations.fields``), re-used here so the API, the CLI and the studio accept
exactly the same values.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from publisher.operations.articles import ArticleCreate, ArticleFields, ArticleUpdate
from publisher.operations.episodes import EpisodeFields, EpisodeUpdate
from publisher.operations.fields import (
    Input,
    Name200,
    Name500,
    Name1000,
    ShowStatusName,
    StatusName,
    Text35,
    Text100,
    Timestamp,
)
from publisher.operations.shows import ShowCreate, ShowFields, ShowUpdate


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
    status: StatusName | None = Field(
        default=None, description="Only items with this (effective) status."
    )


class ShowStatusQuery(PageQuery):
    status: ShowStatusName | None = Field(default=None, description="Only shows with this status.")


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


# ---------------------------------------------------------------------------- feed elements


class PersonOut(Output):
    name: str
    role: str
    group: str
    href: str | None = None
    img: str | None = None


class TxtOut(Output):
    text: str
    purpose: str | None = None


class FundingOut(Output):
    url: str
    text: str


class CategoryOut(Output):
    category: str
    subcategory: str


class SoundbiteOut(Output):
    start_time: float
    duration: float
    title: str | None = None


class ArtworkOut(Output):
    url: str = Field(description="The original (JPEG or PNG); the URL changes with the file.")
    mime_type: str
    width: int | None = Field(description="Pixels a side (uploaded artwork only).")
    sizes: dict[str, str] = Field(
        description="Resized JPEG copies by side in pixels (3000, 1400, 600, 300)."
    )


class TranscriptOut(Output):
    id: int
    url: str
    type: str = Field(description="text/vtt, application/x-subrip, application/json, text/plain")
    language: str
    size: int


class ChaptersOut(Output):
    model_config = ConfigDict(extra="allow")

    url: str = Field(description="The public chapters.json (application/json+chapters).")
    version: str
    chapters: list[dict[str, Any]]


class Finding(Output):
    level: Literal["error", "warning"] = Field(
        description="`error`: Apple or the spec requires it; `warning`: recommended."
    )
    scope: Literal["show", "episode"]
    episode: str | None = Field(description="The episode's guid, for episode findings.")
    episode_title: str | None
    code: str = Field(description="Stable identifier, e.g. `artwork_missing`.")
    message: str = Field(description="What is missing or wrong.")
    fix: str = Field(description="How to fix it.")


class ChecksOut(Output):
    show: str
    passes_apple: bool = Field(description="No `error` finding.")
    errors: int
    warnings: int
    findings: list[Finding]


# ---------------------------------------------------------------------------- shows


class ShowOut(Output):
    slug: str
    url: str = Field(description="The show's public page.")
    feed_url: str = Field(description="The podcast RSS feed.")
    title: str
    description: str
    status: ShowStatusName
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
    license_url: str
    location: str
    location_geo: str
    location_osm: str
    location_rel: str
    location_country: str
    categories: list[CategoryOut]
    funding: list[FundingOut]
    persons: list[PersonOut]
    txt: list[TxtOut]
    update_frequency: str
    update_frequency_rrule: str
    update_frequency_dtstart: Timestamp | None
    block: bool
    artwork: ArtworkOut | None
    podcast_guid: str
    episode_count: int = Field(description="Episodes the caller can see.")
    created_at: Timestamp
    updated_at: Timestamp


class ShowPage(Page):
    items: list[ShowOut]


# ---------------------------------------------------------------------------- episodes


class TranscriptForm(Input):
    language: Text35 = Field("", description="BCP 47, e.g. `en`; empty: the show's language.")
    type: Text100 = Field("", description="Informative: the content decides the type.")


class ChapterList(Input):
    """A Podcasting 2.0 JSON chapters document (also accepted as a file upload)."""

    model_config = ConfigDict(extra="allow", strict=False)

    version: Text35 = "1.2.0"
    chapters: list[dict[str, Any]] = Field(max_length=10_000)


class EpisodeCreateForm(EpisodeFields):
    """Defaults: the title from the file's title tag, else its name; status draft."""


class EpisodeUpdateForm(EpisodeFields):
    """Fields sent with new audio (multipart)."""


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


class AlternateEnclosureOut(Output):
    url: str | None = Field(
        description="Where it is served (`/media/<guid>.<ext>`); null when it has the "
        "enclosure's format (kept for `DELETE .../renditions`, not offered)."
    )
    mime_type: str
    size: int = Field(description="Bytes.")
    codec: str | None
    bitrate: int | None
    duration: float | None
    replaced_by: str = Field(description="`normalized` or `compatible`: what is in the enclosure.")
    rendition: dict[str, Any] = Field(description="The rendition's codec, bitrate, target.")


class AudioFinding(Output):
    code: str = Field(description="e.g. too_quiet, true_peak, leading_silence (docs/audio.md).")
    severity: str = Field(description="error, warning or info.")
    message: str = Field(description="What it means and what to do, for a producer.")
    action: str | None = Field(
        description="`normalize` or `compatible`: the rendition that fixes it (POST "
        "/episodes/{id}/renditions with this kind); null when only a new export can."
    )
    value: Any = None


class AnalysisOut(Output):
    status: str = Field(
        description="pending (not analyzed since the audio last changed), done or failed."
    )
    analyzed_at: Timestamp | None = None
    measurements: dict[str, Any] | None = Field(
        None,
        description="integrated_lufs, loudness_range_lu, true_peak_dbtp, sample_peak_dbfs, "
        "leading_silence_seconds, trailing_silence_seconds, clipping_runs, clipped_seconds, "
        "clipping_at, channel_use, duration_seconds…",
    )
    findings: list[AudioFinding] = []
    targets: dict[str, float] = Field(description="The settings the findings compare with.")
    waveform_url: str | None = Field(None, description="Peaks in audiowaveform JSON format.")
    error: str | None = None


class RenditionRequest(Input):
    kind: str = Field(description="`normalized` or `compatible`.")
    codec: str | None = Field(None, description="`mp3` or `aac` (default: see docs/audio.md).")


class EpisodeOut(Output):
    id: int
    guid: str = Field(description="Set once; never changes, even when the audio is replaced.")
    slug: str
    url: str
    show: str = Field(description="The show's slug.")
    status: StatusName = Field(description="Effective: `scheduled` until publish_at passes.")
    title: str
    description: str
    publish_at: Timestamp | None
    season: int | None
    number: int | None
    episode_type: str
    explicit: bool
    duration: float | None = Field(description="Seconds.")
    media: Media | None
    alternate_enclosure: AlternateEnclosureOut | None = Field(
        None, description="The uploaded file, when a rendition is the enclosure."
    )
    analysis: AnalysisOut | None = Field(
        None, description="Loudness, silence, clipping and findings; null for anonymous callers."
    )
    itunes_title: str
    block: bool
    persons: list[PersonOut]
    soundbites: list[SoundbiteOut]
    artwork: ArtworkOut | None
    transcripts: list[TranscriptOut]
    chapters_url: str | None = Field(description="The public chapters.json, when set.")
    warnings: list[str] = Field(
        description="What apps may not like (e.g. audio Apple Podcasts will not play), and "
        "what the upload that made this answer left out (e.g. chapters over the limit)."
    )
    created_at: Timestamp
    updated_at: Timestamp


class EpisodePage(Page):
    items: list[EpisodeOut]


# ---------------------------------------------------------------------------- articles


class ArticleOut(Output):
    id: int
    slug: str
    url: str
    status: StatusName = Field(description="Effective: `scheduled` until publish_at passes.")
    title: str
    summary: str
    body: str = Field(description="The Markdown source.")
    body_html: str = Field(description="Rendered, sanitized HTML.")
    author_name: str
    tags: list[str] = Field(description="Tag names.")
    episodes: list[int] = Field(description="Linked episode ids, in order.")
    cover_image_url: str | None = Field(
        description="The cover image (a JPEG, versioned: `?v=` changes with every upload; "
        "served once the article is public), or null."
    )
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


__all__ = [
    "ArticleCreate",
    "ArticleFields",
    "ArticleUpdate",
    "EpisodeFields",
    "EpisodeUpdate",
    "ShowCreate",
    "ShowFields",
    "ShowUpdate",
]
