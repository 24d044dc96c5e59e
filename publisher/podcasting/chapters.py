"""Podcasting 2.0 JSON chapters (podcast-namespace docs/examples/chapters/jsonChapters.md).

A document is ``{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Intro"}]}``;
each chapter has ``startTime`` (seconds, required) and optionally ``title``, ``img``,
``url``, ``toc`` (false hides it from a table of contents), ``endTime`` and ``location``
(``{"name", "geo", "osm"}``). Top-level ``author``, ``title``, ``podcastName``,
``description`` and ``fileName`` are optional. ``validate_chapters`` returns the document
in that shape, chapters sorted by start, and refuses what players would stumble on.
"""

from __future__ import annotations

import math
from typing import Any

from publisher.exceptions import ValidationError

VERSION = "1.2.0"
CHAPTERS_MAX = 500
TITLE_MAX = 300
TOP_LEVEL_TEXT = ("author", "title", "podcastName", "description", "fileName")
CHAPTER_KEYS = {"startTime", "endTime", "title", "img", "url", "toc", "location"}


def _refuse(message: str, field: str = "chapters") -> ValidationError:
    return ValidationError(message, details=[{"field": field, "message": message}])


def _seconds(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _refuse(f"{where} must be a number of seconds.", where)
    if not math.isfinite(value) or value < 0:
        raise _refuse(f"{where} must be zero or more seconds.", where)
    return float(value)


def _url(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.startswith(("https://", "http://")):
        raise _refuse(f"{where} must be an http(s) URL.", where)
    if len(value) > 1000 or any(c.isspace() for c in value):
        raise _refuse(f"{where} is not a usable URL.", where)
    return value


def validate_chapters(document: Any, duration: float | None = None) -> dict[str, Any]:
    """The document, checked and normalised (``version`` set, chapters sorted)."""
    if isinstance(document, list):
        document = {"chapters": document}
    if not isinstance(document, dict):
        raise _refuse('Send a JSON chapters document: {"version": "1.2.0", "chapters": [...]}.')
    unknown = set(document) - {"version", "chapters", "waypoints", *TOP_LEVEL_TEXT}
    if unknown:
        raise _refuse(f"Unknown key(s) in the chapters document: {', '.join(sorted(unknown))}.")
    chapters = document.get("chapters")
    if not isinstance(chapters, list) or not chapters:
        raise _refuse("The document needs a non-empty list of chapters.")
    if len(chapters) > CHAPTERS_MAX:
        raise _refuse(f"At most {CHAPTERS_MAX} chapters per episode; this has {len(chapters)}.")
    result: dict[str, Any] = {"version": VERSION}
    for key in TOP_LEVEL_TEXT:
        if key in document:
            if not isinstance(document[key], str) or len(document[key]) > 1000:
                raise _refuse(f"{key} must be text of at most 1000 characters.", key)
            result[key] = document[key]
    cleaned = [_chapter(chapter, index, duration) for index, chapter in enumerate(chapters)]
    cleaned.sort(key=lambda chapter: chapter["startTime"])
    result["chapters"] = cleaned
    return result


def _chapter(chapter: Any, index: int, duration: float | None) -> dict[str, Any]:
    where = f"chapters.{index}"
    if not isinstance(chapter, dict):
        raise _refuse(f"{where} must be an object with a startTime.", where)
    unknown = set(chapter) - CHAPTER_KEYS
    if unknown:
        raise _refuse(f"{where} has unknown key(s): {', '.join(sorted(unknown))}.", where)
    if "startTime" not in chapter:
        raise _refuse(f"{where} needs a startTime (seconds).", f"{where}.startTime")
    start = _seconds(chapter["startTime"], f"{where}.startTime")
    if duration is not None and start >= duration:
        raise _refuse(
            f"{where} starts at {start:g} s, past the end of the audio ({duration:.0f} s).",
            f"{where}.startTime",
        )
    cleaned: dict[str, Any] = {"startTime": start}
    if "endTime" in chapter:
        end = _seconds(chapter["endTime"], f"{where}.endTime")
        if end <= start:
            raise _refuse(f"{where}.endTime must come after its startTime.", f"{where}.endTime")
        if duration is not None and end > duration + 1:
            raise _refuse(f"{where} ends past the end of the audio.", f"{where}.endTime")
        cleaned["endTime"] = end
    if "title" in chapter:
        title = chapter["title"]
        if not isinstance(title, str) or len(title) > TITLE_MAX:
            raise _refuse(f"{where}.title must be text of at most {TITLE_MAX} characters.")
        cleaned["title"] = title.strip()
    for key in ("img", "url"):
        if key in chapter:
            cleaned[key] = _url(chapter[key], f"{where}.{key}")
    if "toc" in chapter:
        if not isinstance(chapter["toc"], bool):
            raise _refuse(f"{where}.toc must be true or false.", f"{where}.toc")
        cleaned["toc"] = chapter["toc"]
    if "location" in chapter:
        location = chapter["location"]
        if not isinstance(location, dict) or not isinstance(location.get("name"), str):
            raise _refuse(f"{where}.location needs a name (and may have geo, osm).")
        cleaned["location"] = {
            k: str(v)[:128] for k, v in location.items() if k in ("name", "geo", "osm")
        }
    return cleaned


def psc_time(seconds: float) -> str:
    """Podlove Simple Chapters' normal play time: ``HH:MM:SS.mmm``."""
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"
