"""Vorbis comments (Ogg Vorbis, Opus, FLAC): tags, pictures and the CHAPTERnnn chapters."""

from __future__ import annotations

import base64
import re
from typing import Any

import mutagen
from mutagen.flac import Picture

from publisher.media.probe.base import (
    TAG_KEYS,
    chapters_document,
    clean_text,
    cover_image,
    tag_year,
)


def from_vorbis_comments(
    comments: Any, pictures: list[Any] | None = None
) -> tuple[dict[str, str | None], bytes | None, str | None, dict[str, Any] | None]:
    result = dict.fromkeys(TAG_KEYS)
    if comments:

        def text(*keys: str) -> str | None:
            for key in keys:
                values = comments.get(key)
                if values:
                    return clean_text(str(values[0]), multiline=key in ("comment", "description"))
            return None

        result["title"] = text("title")
        result["artist"] = text("artist", "albumartist")
        result["album"] = text("album")
        result["comment"] = text("comment", "description")
        result["year"] = tag_year(text("date", "year"))
        result["track"] = text("tracknumber")
        result["genre"] = text("genre")
    all_pictures = list(pictures or [])
    for encoded in (comments.get("metadata_block_picture") if comments else None) or []:
        try:
            all_pictures.append(Picture(base64.b64decode(encoded)))
        except (ValueError, mutagen.MutagenError):
            continue
    cover = cover_mime = None
    if all_pictures:
        front = [p for p in all_pictures if p.type == 3] or all_pictures
        cover, cover_mime = cover_image(front[0].data)
    return result, cover, cover_mime, _vorbis_chapters(comments)


def _vorbis_chapters(comments: Any) -> dict[str, Any] | None:
    """CHAPTER001=00:00:00.000 / CHAPTER001NAME=… (the Vorbis comment chapter convention)."""
    if not comments:
        return None
    chapters = []
    for number in range(1, 1000):
        key = f"chapter{number:03d}"
        start = comments.get(key)
        if not start:
            break
        match = re.fullmatch(r"(\d+):(\d{2}):(\d{2}(?:\.\d+)?)", start[0].strip())
        if not match:
            continue
        seconds = int(match[1]) * 3600 + int(match[2]) * 60 + float(match[3])
        name = comments.get(key + "name")
        title = clean_text(name[0]) if name else None
        chapters.append({"startTime": round(seconds, 3), "title": title or f"Chapter {number}"})
    return chapters_document(chapters)
