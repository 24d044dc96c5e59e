"""``podcast:alternateEnclosure`` for episodes whose enclosure is a rendition.

When an MP3/AAC rendition replaced an uploaded Opus, FLAC, Ogg or WAV file in the
enclosure, the feed offers both (Podcasting 2.0, ``alternateEnclosure``): the enclosure
itself marked ``default="true"`` (the spec asks for it, so apps choose among all the
files), and the kept original at its own stable URL, ``/media/<guid>.<ext>``; each with
its ``podcast:source`` and, when the sha256 is known, a ``podcast:integrity`` SRI hash.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable

from sqlalchemy import select

from publisher import urls
from publisher.extensions import db
from publisher.models import AlternateEnclosure, Episode
from publisher.podcasting.apple import enclosure_type
from publisher.podcasting.xmltext import attr

TITLES = {
    "mp3": "MP3",
    "aac": "AAC",
    "opus": "Opus",
    "vorbis": "Ogg Vorbis",
    "flac": "FLAC (lossless)",
}
_ENCLOSURE = (Episode.mime_type, Episode.size_bytes, Episode.bitrate, Episode.codec, Episode.sha256)


def alternates_xml(episode_ids: Iterable[int]) -> dict[int, str]:
    """{episode id: the item's alternateEnclosure elements} for the episodes of a feed
    page that have a kept original in another format, in one query."""
    ids = list(episode_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(AlternateEnclosure, Episode.guid, Episode.storage_key, *_ENCLOSURE)
        .join(Episode, Episode.id == AlternateEnclosure.episode_id)
        .where(AlternateEnclosure.episode_id.in_(ids))
    ).all()
    found = {}
    for original, guid, storage_key, *enclosure in rows:
        main_extension = _extension(storage_key)
        if original.extension != main_extension:
            found[original.episode_id] = _elements(original, guid, main_extension, *enclosure)
    return found


def _elements(
    original: AlternateEnclosure,
    guid: str,
    main_extension: str,
    mime_type: str | None,
    size_bytes: int | None,
    bitrate: int | None,
    codec: str | None,
    sha256: str | None,
) -> str:
    main = _element(
        enclosure_type(mime_type), size_bytes, bitrate, _title(codec),
        urls.absolute(f"/media/{guid}.{main_extension}"), sha256, default=True,
    )  # fmt: skip
    kept = _element(
        original.mime_type, original.size_bytes, original.bitrate,
        f"{_title(original.codec)} (original)",
        urls.alternate_enclosure_url_for(guid, original.extension), original.sha256,
    )  # fmt: skip
    return main + kept


def _element(
    mime: str,
    length: int | None,
    bitrate: int | None,
    title: str,
    uri: str,
    sha256: str | None,
    default: bool = False,
) -> str:
    attributes = f'type="{attr(mime)}" length="{int(length or 0)}"'
    if bitrate:
        attributes += f' bitrate="{int(bitrate)}"'
    attributes += f' title="{attr(title)}"'
    if default:
        attributes += ' default="true"'
    integrity = ""
    if sha256:
        digest = base64.b64encode(bytes.fromhex(sha256)).decode()
        integrity = f'<podcast:integrity type="sri" value="sha256-{digest}"/>'
    return (
        f"<podcast:alternateEnclosure {attributes}>"
        f'<podcast:source uri="{attr(uri)}"/>{integrity}</podcast:alternateEnclosure>\n'
    )


def _title(codec: str | None) -> str:
    return TITLES.get((codec or "").lower(), (codec or "audio").upper())


def _extension(storage_key: str | None) -> str:
    """The model's rule (``Episode.extension``) for a key read as a column."""
    name = (storage_key or "").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else "mp3"
