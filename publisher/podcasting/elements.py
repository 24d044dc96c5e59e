"""Checks for the show and episode elements producers set (podcast:location, funding,
licence, categories, updateFrequency, Apple's limits), shared by every surface.

Each ``check_*`` returns the normalised value or raises ``ValidationError`` whose
``details`` name the field, so an API answer points at what to fix.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from publisher.exceptions import ValidationError

# Apple: "The show description … up to 4000 bytes."
DESCRIPTION_MAX_BYTES = 4000
CATEGORIES_MAX = 3  # Apple reads up to three itunes:category elements
FUNDING_MAX = 10
LOCATION_RELS = ("subject", "creator")
# RFC 5870 geo URI: geo:lat,lon[,alt][;crs=…][;u=…]
_GEO = re.compile(
    r"^geo:(-?\d{1,2}(\.\d+)?),(-?\d{1,3}(\.\d+)?)(,-?\d+(\.\d+)?)?(;[a-z]+=[A-Za-z0-9.\-]+)*$"
)
# OpenStreetMap: N (node), W (way) or R (relation), the id, and an optional #revision.
_OSM = re.compile(r"^[NWR]\d+(#\d+)?$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
# Common SPDX identifiers (lower-cased, as the namespace writes them); others need a URL.
SPDX_COMMON = frozenset(
    {
        "cc0-1.0",
        "cc-by-4.0",
        "cc-by-sa-4.0",
        "cc-by-nc-4.0",
        "cc-by-nc-sa-4.0",
        "cc-by-nd-4.0",
        "cc-by-nc-nd-4.0",
        "cc-by-3.0",
        "cc-by-sa-3.0",
        "cc-by-nc-3.0",
        "cc-by-nc-sa-3.0",
        "cc-by-nd-3.0",
        "cc-by-nc-nd-3.0",
        "cc-pddc",
        "mit",
        "apache-2.0",
        "gpl-3.0-or-later",
        "gpl-3.0-only",
        "agpl-3.0-or-later",
        "unlicense",
    }
)


def _refuse(field: str, message: str) -> ValidationError:
    return ValidationError(message, details=[{"field": field, "message": message}])


def check_description(description: str, field: str = "description") -> str:
    size = len(description.encode("utf-8"))
    if size > DESCRIPTION_MAX_BYTES:
        raise _refuse(
            field,
            f"Apple Podcasts accepts a show description of at most {DESCRIPTION_MAX_BYTES} "
            f"bytes; this one is {size} bytes (after cleaning the HTML). Shorten it.",
        )
    return description


def check_https(values: dict[str, Any], public_url: str) -> None:
    """When the site is served over https, every URL a producer enters must be https too
    (apps refuse mixed content; Apple asks for https everywhere)."""
    if not public_url.startswith("https://"):
        return
    for field, value in values.items():
        if isinstance(value, str) and value.startswith("http://"):
            raise _refuse(field, f"Use an https:// URL ({field}): this site is served over https.")


def check_location(fields: dict[str, Any]) -> dict[str, str]:
    """``location_geo``, ``location_osm``, ``location_rel``, ``location_country``."""
    result: dict[str, str] = {}
    if "location_geo" in fields:
        geo = fields["location_geo"].strip()
        if geo and not _GEO.match(geo):
            raise _refuse(
                "location_geo",
                f"{geo!r} is not a geo URI (RFC 5870). Example: geo:38.7223,-9.1393.",
            )
        if geo:
            lat, lon = (float(x) for x in geo[4:].split(";")[0].split(",")[:2])
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise _refuse("location_geo", "Latitude must be -90..90 and longitude -180..180.")
        result["location_geo"] = geo
    if "location_osm" in fields:
        osm = fields["location_osm"].strip().upper()
        if osm and not _OSM.match(osm):
            raise _refuse(
                "location_osm",
                f"{fields['location_osm']!r} is not an OpenStreetMap id: N, W or R then the "
                "number, e.g. R5400890.",
            )
        result["location_osm"] = osm
    if "location_rel" in fields:
        rel = fields["location_rel"].strip().lower()
        if rel and rel not in LOCATION_RELS:
            raise _refuse("location_rel", "location_rel is 'subject' or 'creator'.")
        result["location_rel"] = rel
    if "location_country" in fields:
        country = fields["location_country"].strip().upper()
        if country and not _COUNTRY.match(country):
            raise _refuse(
                "location_country", "location_country is an ISO 3166-1 alpha-2 code, e.g. PT."
            )
        result["location_country"] = country
    return result


def check_funding(entries: list[dict[str, Any]]) -> list[dict[str, str]]:
    """``[{"url", "text"?}]``, at most ``FUNDING_MAX``; the text defaults to nothing."""
    if len(entries) > FUNDING_MAX:
        raise _refuse("funding", f"At most {FUNDING_MAX} funding links.")
    result = []
    for index, entry in enumerate(entries):
        url = str(entry.get("url") or "").strip()
        if not url.startswith(("https://", "http://")):
            raise _refuse(f"funding.{index}.url", "Each funding link needs an http(s) URL.")
        text = str(entry.get("text") or "").strip()
        result.append({"url": url, "text": text})
    return result


def check_categories(entries: list[dict[str, Any]], validate_pair: Any) -> list[tuple[str, str]]:
    """Up to three (category, subcategory) pairs, each checked by ``validate_pair``."""
    if not entries:
        raise _refuse("categories", "Give at least one category.")
    if len(entries) > CATEGORIES_MAX:
        raise _refuse("categories", f"Apple Podcasts uses at most {CATEGORIES_MAX} categories.")
    pairs: list[tuple[str, str]] = []
    for index, entry in enumerate(entries):
        try:
            pair = validate_pair(entry.get("category") or "", entry.get("subcategory") or "")
        except ValidationError as exc:
            raise _refuse(f"categories.{index}", exc.message) from None
        if pair in pairs:
            raise _refuse(f"categories.{index}", "This category is listed twice.")
        pairs.append(pair)
    return pairs


def rrule_needs_dtstart(rrule: str) -> bool:
    """A rule with a COUNT, or an INTERVAL above one, counts from a start."""
    parts = dict(part.split("=", 1) for part in rrule.split(";") if "=" in part)
    return "COUNT" in parts or parts.get("INTERVAL", "1") not in ("", "1")


def check_update_frequency(rrule: str, dtstart: datetime | None, validate_rrule: Any) -> str:
    if not rrule:
        return ""
    try:
        rule = validate_rrule(rrule)
    except ValidationError as exc:
        raise _refuse("update_frequency_rrule", exc.message) from None
    if dtstart is None and rrule_needs_dtstart(rule):
        raise _refuse(
            "update_frequency_dtstart",
            "This rule counts from a start (COUNT or INTERVAL): give update_frequency_dtstart.",
        )
    return rule


def license_needs_url(license_name: str) -> bool:
    return bool(license_name) and license_name.strip().lower() not in SPDX_COMMON
