"""WAV (PCM, also WAVE_FORMAT_EXTENSIBLE): chunks read by hand, ID3 tags by mutagen."""

from __future__ import annotations

import struct
from typing import BinaryIO

from mutagen.wave import WAVE

from publisher.media.probe.base import TAG_KEYS, AudioInfo, ProbeError, human_size
from publisher.media.probe.mp3 import from_id3
from publisher.media.probe.mpeg import read_at


def probe_wav(fileobj: BinaryIO, size: int) -> AudioInfo:
    offset = 12
    fmt: bytes | None = None
    data_size: int | None = None
    while offset + 8 <= size:
        name, length = struct.unpack("<4sI", read_at(fileobj, offset, 8))
        if name == b"fmt ":
            fmt = read_at(fileobj, offset + 8, min(length, 64))
        elif name == b"data":
            available = size - offset - 8
            if length in (0, 0xFFFFFFFF):  # streaming writers leave the size unset
                length = available
            elif length > available:
                raise ProbeError(
                    f"This WAV file is incomplete: it announces {human_size(length)} of "
                    f"sound but holds {human_size(available)}. The upload or the export was "
                    "probably cut short.",
                    details={"detected": "wav"},
                )
            data_size = length
            break
        offset += 8 + length + (length & 1)
    if fmt is None or len(fmt) < 16 or data_size is None:
        raise ProbeError(
            "This WAV file is damaged: it lacks its format or sound section. Export it again.",
            details={"detected": "wav"},
        )
    audio_format, channels, sample_rate, byte_rate, _align, bits = struct.unpack(
        "<HHIIHH", fmt[:16]
    )
    if audio_format == 0xFFFE and len(fmt) >= 26:  # WAVE_FORMAT_EXTENSIBLE: the real tag
        audio_format = struct.unpack("<H", fmt[24:26])[0]
    codec = {1: f"pcm_s{bits}le" if bits > 8 else "pcm_u8", 3: f"pcm_f{bits}le"}.get(audio_format)
    if codec is None or not sample_rate or not byte_rate:
        raise ProbeError(
            f"This WAV file holds compressed sound (format 0x{audio_format:04x}) that podcast "
            "apps do not play. Please export plain PCM WAV, MP3 or M4A.",
            details={"detected": "wav"},
        )
    tags = dict.fromkeys(TAG_KEYS)
    cover = cover_mime = chapters = None
    fileobj.seek(0)
    wave = WAVE(fileobj)
    if wave.tags is not None:
        tags, cover, cover_mime, chapters = from_id3(wave.tags)
    return AudioInfo(
        duration_seconds=data_size / byte_rate,
        bitrate=byte_rate * 8,
        sample_rate=sample_rate,
        channels=channels,
        codec=codec,
        container="wav",
        mime_type="audio/wav",
        extension="wav",
        tags=tags,
        cover_art=cover,
        cover_art_mime=cover_mime,
        chapters=chapters,
    )
