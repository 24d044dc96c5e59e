"""Shows: their input type, creation, changes, deletion, and who may see which."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import Select, func, select

from publisher.content import sanitize_html, unique_slug
from publisher.exceptions import Conflict, NotFound, ValidationError
from publisher.extensions import db
from publisher.media.artwork import remove_artwork
from publisher.models import Episode, Show, User, podcast_guid_for
from publisher.models.races import insert_with_slug
from publisher.operations.elements import (
    CategoryIn,
    FundingIn,
    PersonIn,
    TxtIn,
    checked_description,
    plain,
    show_columns,
)
from publisher.operations.episodes import delete_episode
from publisher.operations.fields import (
    SLUG_RE,
    UNSET,
    Email,
    Input,
    ShortHtml,
    ShowStatusName,
    ShowTypeName,
    Slug,
    Text35,
    Text100,
    Text128,
    Text200,
    Text300,
    Text500,
    Timestamp,
    Title,
    Url,
    validated,
)
from publisher.podcasting.apple import validate_category
from publisher.podcasting.podcastindex import MEDIUMS
from publisher.urls import feed_url

Medium = Literal[MEDIUMS]  # type: ignore[valid-type]

# Directories read these to decide who owns a feed and where it lives: an editor who could
# change them could move a show's subscribers away. Changing them is for admins only
# (docs/security.md; the API and the studio both refuse an editor's change); a new show has
# no subscribers, so its creator sets them freely.
ADMIN_ONLY_SHOW_FIELDS = ("new_feed_url", "owner_email", "locked")


class ShowFields(Input):
    """Show fields; all optional (PATCH changes only what it is given)."""

    title: Title = UNSET
    description: ShortHtml = Field(UNSET, description="HTML; sanitized when stored.")
    status: ShowStatusName = Field(UNSET, description="`draft` shows are hidden from the public.")
    language: Text35 = Field(UNSET, description="BCP 47, e.g. `en` or `fr-CA`.")
    author: Text300 = UNSET
    owner_name: Text300 = UNSET
    owner_email: Email = UNSET
    category: Text100 = Field(UNSET, description="An Apple Podcasts category (any case).")
    subcategory: Text100 = Field(UNSET, description="One of the category's subcategories.")
    explicit: bool = UNSET
    show_type: ShowTypeName = UNSET
    link: Url = UNSET
    copyright: Text500 = UNSET
    locked: bool = UNSET
    complete: bool = UNSET
    funding_url: Url = UNSET
    funding_text: Text128 = UNSET
    new_feed_url: Url = Field(UNSET, description="Set when the feed moves elsewhere.")
    medium: Medium = Field(UNSET, description="podcast:medium.")
    license: Text128 = Field(UNSET, description="podcast:license: an SPDX id, e.g. cc-by-4.0.")
    license_url: Url = Field(UNSET, description="Required when the licence is not SPDX.")
    location: Text128 = Field(UNSET, description="podcast:location's name, e.g. `Lisbon`.")
    location_geo: Text100 = Field(UNSET, description="RFC 5870 geo URI: `geo:38.72,-9.14`.")
    location_osm: Text35 = Field(UNSET, description="OpenStreetMap id, e.g. `R5400890`.")
    location_rel: Literal["", "subject", "creator"] = Field(
        UNSET, description="What the location is: the show's `subject` or its `creator`'s."
    )
    location_country: Text35 = Field(UNSET, description="ISO 3166-1 alpha-2, e.g. `PT`.")
    categories: list[CategoryIn] = Field(
        UNSET, max_length=3, description="Up to three Apple categories; the first is the main one."
    )
    funding: list[FundingIn] = Field(UNSET, max_length=10, description="podcast:funding links.")
    persons: list[PersonIn] = Field(UNSET, max_length=50, description="Hosts and crew.")
    txt: list[TxtIn] = Field(UNSET, max_length=10, description="podcast:txt entries.")
    update_frequency: Text128 = Field(UNSET, description="podcast:updateFrequency's label.")
    update_frequency_rrule: Text200 = Field(UNSET, description="RFC 5545 rule: FREQ=WEEKLY.")
    update_frequency_dtstart: Timestamp | None = Field(
        UNSET, description="When the rule starts (needed with COUNT or INTERVAL)."
    )
    block: bool = Field(UNSET, description="itunes:block and podcast:block: stay out of apps.")


class ShowCreate(ShowFields):
    title: Title
    slug: Slug = Field(UNSET, description="Made from the title when omitted.")


class ShowUpdate(ShowFields):
    """The slug is fixed at creation: the feed URL, and so the podcast guid, derive from it."""


# ---------------------------------------------------------------------------- look-ups


def shows_query(user: User | None, status: str | None = None) -> Select:
    statement = select(Show).order_by(Show.title, Show.id)
    if user is None:
        statement = statement.where(Show.public_filter())
    if status is not None:
        statement = statement.where(Show.status == status)
    return statement


def get_show(slug: str, user: User | None) -> Show:
    """The show with this slug; 404 when there is none or the caller may not see it."""
    show = None
    if SLUG_RE.fullmatch(slug) and len(slug) <= 100:
        show = db.session.scalar(select(Show).where(Show.slug == slug))
    if show is None or (user is None and not show.is_public):
        raise NotFound(f"There is no show '{slug}'.")
    return show


def episode_counts(shows: Sequence[Show], user: User | None, now: datetime) -> dict[int, int]:
    """Episodes per show that the caller can see, in one query."""
    if not shows:
        return {}
    statement = (
        select(Episode.show_id, func.count(Episode.id))
        .where(Episode.show_id.in_([show.id for show in shows]))
        .group_by(Episode.show_id)
    )
    if user is None:
        statement = statement.where(Episode.public_filter(now))
    return dict(db.session.execute(statement).tuples().all())


# ---------------------------------------------------------------------------- writes


def create_show(data: ShowCreate | dict[str, Any]) -> Show:
    """A new show; the slug comes from the title unless given (409 if taken, even by a
    request that got there a moment before)."""
    fields = validated(ShowCreate, data).model_dump(exclude_unset=True)

    def make(slug: str) -> Show:
        show = Show(slug=slug)
        # Podcasting 2.0: the guid derives from the first feed URL and never changes after.
        show.podcast_guid = podcast_guid_for(feed_url(show))
        db.session.add(show)
        _apply(show, dict(fields))
        return show

    return insert_with_slug(
        make,
        chosen=fields.pop("slug", None),
        generate=lambda: unique_slug(fields["title"], _show_slug_taken),
        taken=_show_slug_taken,
        conflict=lambda slug: Conflict(f"The slug '{slug}' is already used by another show."),
    )


def update_show(show: Show, data: ShowUpdate | dict[str, Any]) -> None:
    """Change the fields sent (PATCH semantics)."""
    _apply(show, validated(ShowUpdate, data).model_dump(exclude_unset=True))


def delete_show(show: Show) -> None:
    """Delete a show with its episodes (their media goes after the commit)."""
    for episode in list(show.episodes):
        delete_episode(episode)
    remove_artwork(show)
    db.session.expire(show, ["episodes"])  # they are gone: do not cascade to them again
    db.session.delete(show)
    db.session.flush()


def _show_slug_taken(slug: str) -> bool:
    return db.session.scalar(select(Show.id).where(Show.slug == slug)) is not None


def _apply(show: Show, fields: dict[str, Any]) -> None:
    fields = show_columns(show, plain(fields))
    if "category" in fields or "subcategory" in fields:
        fields = {**fields, **_checked_category(show, fields)}
    if "description" in fields:
        fields["description"] = checked_description(sanitize_html(fields["description"]))
    for name, value in fields.items():
        setattr(show, name, value)
    db.session.flush()


def _checked_category(show: Show, fields: dict[str, Any]) -> dict[str, str]:
    """Apple's category pair, canonically spelled; an empty category clears both."""
    category = fields.get("category", show.category or "")
    subcategory = fields.get("subcategory", show.subcategory or "")
    if not category:
        if subcategory:
            raise ValidationError(
                "A subcategory needs a category.",
                details=[{"field": "subcategory", "message": "Set the category first."}],
            )
        return {"category": "", "subcategory": ""}
    try:
        category, subcategory = validate_category(category, subcategory)
    except ValidationError as exc:
        field = (
            exc.details.get("field", "category") if isinstance(exc.details, dict) else "category"
        )
        raise ValidationError(
            exc.message, details=[{"field": field, "message": exc.message}]
        ) from None
    return {"category": category, "subcategory": subcategory}
