"""FLAC (also behind an ID3 tag): metadata blocks checked before mutagen reads them."""

from __future__ import annotations

from typing import BinaryIO

from mutagen.flac import FLAC

from publisher.media.probe.base import (
    MAX_TAG_BYTES,
    AudioInfo,
    ProbeError,
    average_bitrate,
    megabytes,
)
from publisher.media.probe.mpeg import id3_total_size, read_at
from publisher.media.probe.vorbiscomment import from_vorbis_comments


def _check_flac_blocks(fileobj: BinaryIO, start: int, size: int) -> None:
    """Walk the metadata block headers before mutagen reads them whole."""
    offset, total = start + 4, 0
    while offset + 4 <= size:
        header = read_at(fileobj, offset, 4)
        last, length = header[0] & 0x80, int.from_bytes(header[1:4], "big")
        total += length
        if total > MAX_TAG_BYTES:
            raise ProbeError(
                f"The tags in this FLAC file take more than {megabytes(MAX_TAG_BYTES)} (usually an "
                "embedded cover picture). Remove or shrink the picture and upload again.",
                details={"detected": "flac"},
            )
        offset += 4 + length
        if last:
            return


def probe_flac(fileobj: BinaryIO, size: int) -> AudioInfo:
    start = 0
    if read_at(fileobj, 0, 3) == b"ID3":
        start = id3_total_size(read_at(fileobj, 0, 10))
    _check_flac_blocks(fileobj, start, size)
    fileobj.seek(0)
    flac = FLAC(fileobj)
    tags, cover, cover_mime, chapters = from_vorbis_comments(flac.tags, flac.pictures)
    info = flac.info
    return AudioInfo(
        duration_seconds=info.length,
        bitrate=average_bitrate(size, info.length) or info.bitrate or None,
        sample_rate=info.sample_rate,
        channels=info.channels,
        codec="flac",
        container="flac",
        mime_type="audio/flac",
        extension="flac",
        tags=tags,
        cover_art=cover,
        cover_art_mime=cover_mime,
        chapters=chapters,
    )
