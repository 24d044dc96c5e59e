"""The show's and episode's Podcasting 2.0 / Apple elements as the API shows them, and
the warnings an episode's answer carries."""

from __future__ import annotations

from typing import Any

from publisher.models import Episode, Show
from publisher.operations.elements import soundbite_warnings
from publisher.podcasting import podcastindex
from publisher.podcasting.apple import APPLE_ENCLOSURE_TYPES, enclosure_type, feed_category

# What Apple will not play, named for people.
AUDIO_NAMES = {
    "audio/ogg": "Ogg (Vorbis or Opus)",
    "audio/opus": "Opus",
    "audio/flac": "FLAC",
    "audio/x-flac": "FLAC",
    "audio/wav": "WAV",
    "audio/x-wav": "WAV",
    "audio/wave": "WAV",
}


def show_categories(show: Show) -> list[dict[str, str]]:
    """Every category the feed writes, main one first."""
    if not show.category:
        return []
    result = [{"category": show.category, "subcategory": show.subcategory or ""}]
    for entry in show.extra_categories or []:
        if isinstance(entry, dict) and entry.get("category"):
            category, subcategory = feed_category(entry["category"], entry.get("subcategory", ""))
            result.append({"category": category, "subcategory": subcategory})
    return result


def show_funding(show: Show) -> list[dict[str, str]]:
    result = []
    if show.funding_url:
        result.append({"url": show.funding_url, "text": show.funding_text or ""})
    for entry in show.extra_funding or []:
        if isinstance(entry, dict) and entry.get("url"):
            result.append({"url": entry["url"], "text": entry.get("text") or ""})
    return result


def people(persons: Any, *, default_role: str) -> list[dict[str, str]]:
    found = (
        podcastindex.normalize_person(p, default_role=default_role)
        for p in (persons if isinstance(persons, list) else [])
    )
    return [p for p in found if p]


def apple_audio_warning(mime_type: str | None) -> str | None:
    """A sentence when Apple Podcasts will not play this audio type, else None."""
    if not mime_type or enclosure_type(mime_type) in APPLE_ENCLOSURE_TYPES:
        return None
    name = AUDIO_NAMES.get(mime_type.lower(), mime_type)
    return (
        f"Apple Podcasts will not play {name} audio: the episode stays in the feed for other "
        "apps, but Apple lists it without sound. Upload an MP3 or AAC (M4A) version as the "
        "episode's audio, or add one as an alternate enclosure."
    )


def episode_warnings(episode: Episode) -> list[str]:
    warnings = []
    audio = apple_audio_warning(episode.mime_type) if episode.storage_key else None
    if audio:
        warnings.append(audio)
    return warnings + soundbite_warnings(episode.soundbites, episode.duration_seconds)
