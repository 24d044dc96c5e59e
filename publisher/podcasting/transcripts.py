"""Transcript files for podcast:transcript: SRT, WebVTT, JSON (the namespace's
transcript JSON) or plain text, recognised from their content.

The declared type of an upload is a hint at most: the content decides, so a file named
``.vtt`` that holds MP3 bytes is refused, and an SRT file sent as ``text/plain`` is
written with the SRT type. Files are UTF-8 (a byte-order mark is allowed).
"""

from __future__ import annotations

import json
import re
from typing import Any

from publisher.exceptions import ValidationError

# Stored type -> (URL extension, type written in the feed)
TYPES: dict[str, str] = {
    "text/vtt": "vtt",
    "application/x-subrip": "srt",
    "application/json": "json",
    "text/plain": "txt",
}
TIMED = ("text/vtt", "application/x-subrip")
MAX_BYTES = 5 * 1024 * 1024
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_SRT_TIMING = re.compile(r"^\d{1,2}:\d{2}:\d{2},\d{3} --> \d{1,2}:\d{2}:\d{2},\d{3}", re.M)


def _refuse(message: str, field: str = "file") -> ValidationError:
    return ValidationError(message, details=[{"field": field, "message": message}])


def validate_language(language: str) -> str:
    value = (language or "").strip()
    if value and not _LANGUAGE.match(value):
        raise _refuse(
            f"{language!r} is not a BCP 47 language tag (for example en, fr or pt-BR).",
            "language",
        )
    return value


def recognise(data: bytes, declared: str = "") -> str:
    """The stored type of a transcript, read from its content; ValidationError if none."""
    if not data.strip():
        raise _refuse("The transcript file is empty.")
    if len(data) > MAX_BYTES:
        raise _refuse(f"A transcript can be at most {MAX_BYTES // (1024 * 1024)} MB.")
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse(
            "The transcript is not UTF-8 text (is it an audio or word-processor file?). "
            "Save it as UTF-8 SRT, WebVTT, JSON or plain text."
        ) from None
    if "\x00" in content:
        raise _refuse("The transcript contains NUL characters: it is not a text file.")
    stripped = content.lstrip()
    if stripped.startswith("WEBVTT"):
        return "text/vtt"
    if _SRT_TIMING.search(content):
        return "application/x-subrip"
    if stripped.startswith(("{", "[")):
        return _check_json(stripped)
    if declared.split(";")[0].strip().lower() in ("text/vtt", "application/x-subrip"):
        raise _refuse("This file is declared as SRT/WebVTT but has no cue timings.")
    return "text/plain"


def _check_json(content: str) -> str:
    try:
        document: Any = json.loads(content)
    except ValueError as exc:
        raise _refuse(f"The JSON transcript is not valid JSON: {exc}.") from None
    segments = document.get("segments") if isinstance(document, dict) else None
    if not isinstance(segments, list) or not all(
        isinstance(s, dict) and "body" in s and "startTime" in s for s in segments
    ):
        raise _refuse(
            'A JSON transcript needs {"version": "1.0.0", "segments": [{"startTime", '
            '"endTime", "body", "speaker"?}]} (Podcasting 2.0 transcript JSON).'
        )
    return "application/json"
