"""Podcasting 2.0 and Apple elements producers set on shows and episodes: their input
types, and the checks that turn them into column values.

``show_columns`` and ``episode_columns`` are called by the show and episode operations
before they set attributes; every check comes from the podcast-knowledge modules
(``publisher.podcasting``), so the API, the studio and the importer get the same answers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from flask import current_app
from pydantic import ConfigDict, Field

from publisher.exceptions import ValidationError
from publisher.models import Episode, Show
from publisher.operations.fields import (
    UNSET,
    Input,
    PersonName,
    Text100,
    Text128,
    Text300,
    TxtText,
    Url,
    text,
)
from publisher.podcasting import elements, podcastindex
from publisher.podcasting.apple import validate_category

Text4000 = text(4000)


class PersonIn(Input):
    """podcast:person: a role and group from the Podcast Taxonomy Project."""

    name: PersonName
    role: Text100 = Field(UNSET, description="Taxonomy role, e.g. `host`, `guest`, `producer`.")
    group: Text100 = Field(UNSET, description="Taxonomy group, e.g. `cast` (from the role).")
    href: Url = Field(UNSET, description="The person's page.")
    img: Url = Field(UNSET, description="A picture of the person.")


class TxtIn(Input):
    """podcast:txt, e.g. `{"text": "…", "purpose": "applepodcastsverify"}`."""

    text: TxtText
    purpose: Text128 = UNSET


class FundingIn(Input):
    url: Url = Field(description="Where listeners support the show.")
    text: Text128 = Field("", description="The link's label (128 characters at most).")


class CategoryIn(Input):
    category: Text100 = Field(description="An Apple Podcasts category (any case).")
    subcategory: Text100 = Field("", description="One of its subcategories, or empty.")


class SoundbiteIn(Input):
    """podcast:soundbite: a 15 to 120 second highlight (outside that, a warning)."""

    start_time: Annotated[float, Field(ge=0, le=10**7)] = Field(description="Seconds.")
    duration: Annotated[float, Field(gt=0, le=10**7)] = Field(description="Seconds.")
    title: Text128 = UNSET

    model_config = ConfigDict(extra="forbid", strict=False)


class EpisodeElements(Input):
    """An episode's elements, sent as JSON (PATCH)."""

    itunes_title: Text300 = Field(UNSET, description="itunes:title: the title alone.")
    block: bool = Field(UNSET, description="itunes:block on this episode.")
    persons: list[PersonIn] = Field(UNSET, max_length=50, description="Guests (hosts: the show's).")
    soundbites: list[SoundbiteIn] = Field(UNSET, max_length=50, description="podcast:soundbite.")


def plain(fields: dict[str, Any]) -> dict[str, Any]:
    """Lists of input models as lists of plain dicts (what the JSON columns hold)."""
    return {
        name: [item.model_dump(exclude_none=True) if isinstance(item, Input) else item
               for item in value] if isinstance(value, list) else value
        for name, value in fields.items()
    }  # fmt: skip


LOCATION_FIELDS = ("location_geo", "location_osm", "location_rel", "location_country")


def _at(field: str, exc: ValidationError) -> ValidationError:
    return ValidationError(exc.message, details=[{"field": field, "message": exc.message}])


def _persons(entries: list[dict[str, Any]], default_role: str) -> list[dict[str, str]]:
    result = []
    for index, entry in enumerate(entries):
        try:
            result.append(podcastindex.validate_person(entry, default_role=default_role))
        except ValidationError as exc:
            raise _at(f"persons.{index}", exc) from None
    return result


def _urls_of(fields: dict[str, Any]) -> dict[str, Any]:
    """Every user-entered URL among ``fields``, by (dotted) field name."""
    found: dict[str, Any] = {}
    for name in ("link", "license_url", "new_feed_url", "funding_url"):
        if name in fields:
            found[name] = fields[name]
    for index, entry in enumerate(fields.get("funding") or []):
        found[f"funding.{index}.url"] = entry.get("url")
    for index, person in enumerate(fields.get("persons") or []):
        for key in ("href", "img"):
            found[f"persons.{index}.{key}"] = person.get(key)
    return found


def show_columns(show: Show, fields: dict[str, Any]) -> dict[str, Any]:
    """The API's show fields as checked column values (only those sent)."""
    elements.check_https(_urls_of(fields), current_app.config["PUBLIC_URL"])
    out = dict(fields)
    if "categories" in out:
        pairs = elements.check_categories(out.pop("categories"), validate_category)
        out["category"], out["subcategory"] = pairs[0]
        out["extra_categories"] = [{"category": c, "subcategory": s} for c, s in pairs[1:]]
    elif out.get("category") == "":
        out["extra_categories"] = []
    if "funding" in out:
        entries = elements.check_funding(out.pop("funding"))
        first = entries[0] if entries else {"url": "", "text": ""}
        out["funding_url"], out["funding_text"] = first["url"], first["text"]
        out["extra_funding"] = entries[1:]
    if "persons" in out:
        out["hosts"] = _persons(out.pop("persons"), "host")
    if "txt" in out:
        try:
            out["txt"] = podcastindex.validate_txt(out["txt"])
        except ValidationError as exc:
            raise _at("txt", exc) from None
    if any(name in out for name in LOCATION_FIELDS):
        out.update(elements.check_location(out))
    if "update_frequency_rrule" in out or "update_frequency_dtstart" in out:
        rrule = out.get("update_frequency_rrule", show.update_frequency_rrule or "")
        dtstart: datetime | None = out.get(
            "update_frequency_dtstart", show.update_frequency_dtstart
        )
        rule = elements.check_update_frequency(rrule, dtstart, podcastindex.validate_rrule)
        if "update_frequency_rrule" in out:
            out["update_frequency_rrule"] = rule
    return out


def checked_description(description: str) -> str:
    """The (sanitized) show description within Apple's 4,000 bytes, else a 422."""
    return elements.check_description(description)


SOUNDBITE_MIN, SOUNDBITE_MAX = 15, 120


def soundbites(raw: Any) -> list[dict[str, Any]]:
    """The usable soundbites of a stored list (anything malformed left out)."""
    found = (podcastindex.normalize_soundbite(b) for b in (raw if isinstance(raw, list) else []))
    return [b for b in found if b]


def soundbite_warnings(raw: Any, duration: float | None = None) -> list[str]:
    """What apps will not like about these soundbites (saved anyway): a length outside
    15-120 s, or an end after the audio's."""
    warnings = []
    bites = soundbites(raw)
    for bite in bites:
        if not SOUNDBITE_MIN <= bite["duration"] <= SOUNDBITE_MAX:
            warnings.append(
                f"The soundbite at {bite['start_time']:g} s lasts {bite['duration']:g} s; apps "
                f"expect {SOUNDBITE_MIN} to {SOUNDBITE_MAX} seconds."
            )
    for bite in bites:
        if duration is not None and bite["start_time"] + bite["duration"] > duration + 1:
            warnings.append(f"The soundbite at {bite['start_time']:g} s ends after the audio.")
    return warnings


def episode_columns(episode: Episode, fields: dict[str, Any]) -> dict[str, Any]:
    """The API's episode element fields as checked column values."""
    elements.check_https(_urls_of(fields), current_app.config["PUBLIC_URL"])
    out = dict(fields)
    if "persons" in out:
        out["persons"] = _persons(out["persons"], "guest")
    if "soundbites" in out:
        bites = []
        for index, raw in enumerate(out["soundbites"]):
            try:
                bites.append(podcastindex.validate_soundbite(raw))
            except ValidationError as exc:
                raise _at(f"soundbites.{index}", exc) from None
        out["soundbites"] = bites
    return out
