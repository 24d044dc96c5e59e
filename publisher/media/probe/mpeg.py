"""MPEG audio (MP3) frames, read without mutagen: frame headers, the Xing/Info (with the
LAME delay/padding fields) and VBRI headers, ID3v2 tag sizes, and the streamed frame
count that gives the exact duration of a VBR file with no header. Used by the MP3
reader (mp3.py) and the sniffing (detect.py).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import BinaryIO

SCAN_CHUNK = 1024 * 1024


def read_at(fileobj: BinaryIO, offset: int, length: int) -> bytes:
    fileobj.seek(offset)
    return fileobj.read(length)


MPEG_VERSIONS = {0: 2.5, 2: 2, 3: 1}
L3_BITRATES = {
    1: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
    2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
}
SAMPLE_RATES = {1: (44100, 48000, 32000), 2: (22050, 24000, 16000), 2.5: (11025, 12000, 8000)}


def _build_layer3_table() -> list[tuple[int, int, int, int] | None]:
    """For bits 20..9 of a frame header: (frame length, samples, sample rate, bitrate)."""
    table: list[tuple[int, int, int, int] | None] = [None] * 4096
    for key in range(4096):
        version = MPEG_VERSIONS.get((key >> 10) & 3)
        layer_bits = (key >> 8) & 3
        bitrate_index = (key >> 3) & 0xF
        rate_index = (key >> 1) & 3
        padding = key & 1
        if version is None or layer_bits != 1 or bitrate_index in (0, 15) or rate_index == 3:
            continue
        bitrate = L3_BITRATES[1 if version == 1 else 2][bitrate_index] * 1000
        sample_rate = SAMPLE_RATES[version][rate_index]
        samples = 1152 if version == 1 else 576
        length = (samples // 8 * bitrate) // sample_rate + padding
        table[key] = (length, samples, sample_rate, bitrate)
    return table


LAYER3 = _build_layer3_table()


def frame_at(data: bytes, pos: int) -> tuple[int, int, int, int] | None:
    if pos + 4 > len(data) or data[pos] != 0xFF or data[pos + 1] & 0xE0 != 0xE0:
        return None
    header = int.from_bytes(data[pos : pos + 4], "big")
    return LAYER3[(header >> 9) & 0xFFF]


def find_frame_run(data: bytes, start: int, run: int = 4) -> tuple[int, list[int]] | None:
    """The first offset from ``start`` where ``run`` consecutive layer III frames with the
    same sample rate follow each other, with their bitrates; None if there is none."""
    pos = data.find(b"\xff", start)
    while 0 <= pos < len(data) - 4:
        first = frame_at(data, pos)
        if first is not None:
            bitrates: list[int] = []
            cursor = pos
            frame: tuple[int, int, int, int] | None = first
            while frame is not None and frame[2] == first[2] and len(bitrates) < run:
                bitrates.append(frame[3])
                cursor += frame[0]
                frame = frame_at(data, cursor)
            # A run reaching the end of the data counts: short files have few frames.
            if len(bitrates) >= run or (bitrates and cursor >= len(data) and len(bitrates) > 1):
                return pos, bitrates
        pos = data.find(b"\xff", pos + 1)
    return None


def find_other_layer(data: bytes) -> int | None:
    """1 or 2 if the data looks like MPEG layer I/II frames (valid syncs in a row)."""
    pos = data.find(b"\xff")
    hits: dict[int, int] = {}
    while 0 <= pos < len(data) - 4 and pos < 8192:
        b1, b2 = data[pos + 1], data[pos + 2]
        if b1 & 0xE0 == 0xE0 and (b1 >> 3) & 3 != 1 and (b2 >> 4) not in (0, 15):
            layer = {3: 1, 2: 2}.get((b1 >> 1) & 3)
            if layer:
                hits[layer] = hits.get(layer, 0) + 1
        pos = data.find(b"\xff", pos + 1)
    for layer, count in hits.items():
        if count >= 8:
            return layer
    return None


def syncsafe(data: bytes) -> int:
    return (data[0] << 21) | (data[1] << 14) | (data[2] << 7) | data[3]


def id3_total_size(head: bytes) -> int:
    """Bytes taken by the ID3v2 tag at the start of ``head`` (header, body and footer)."""
    if len(head) < 10 or not head.startswith(b"ID3"):
        return 0
    footer = 10 if head[5] & 0x10 else 0
    return 10 + syncsafe(head[6:10]) + footer


def id3v2_end(fileobj: BinaryIO) -> int:
    """Where the stacked ID3v2 tags at the start end (0 without any)."""
    start = 0
    while tag := id3_total_size(read_at(fileobj, start, 10)):
        start += tag
    return start


def audio_bounds(fileobj: BinaryIO, size: int) -> tuple[int, int]:
    """Where the MPEG frames start (after any stacked ID3v2 tags) and end (before an
    ID3v1 or APEv2 tag at the end of the file)."""
    start = id3v2_end(fileobj)
    end = size
    if size >= 128 and read_at(fileobj, size - 128, 3) == b"TAG":
        end -= 128
    if end >= 32:
        footer = read_at(fileobj, end - 32, 32)
        if footer.startswith(b"APETAGEX"):
            tag_size = struct.unpack("<I", footer[12:16])[0]
            has_header = footer[23] & 0x80
            end -= tag_size + (32 if has_header else 0)
    return start, max(start, end)


@dataclass
class VbrHeader:
    frames: int | None
    bytes: int | None
    delay: int = 0
    padding: int = 0


def parse_vbr_header(frame: bytes) -> VbrHeader | None:
    """The Xing/Info (with LAME-style delay/padding) or VBRI header in the first frame."""
    version = MPEG_VERSIONS.get((frame[1] >> 3) & 3)
    mono = (frame[3] >> 6) & 3 == 3
    side_info = (17 if mono else 32) if version == 1 else (9 if mono else 17)
    offset = 4 + side_info
    tag = frame[offset : offset + 4]
    if tag in (b"Xing", b"Info"):
        flags = struct.unpack(">I", frame[offset + 4 : offset + 8])[0]
        cursor = offset + 8
        frames = total = None
        if flags & 1:
            frames = struct.unpack(">I", frame[cursor : cursor + 4])[0]
            cursor += 4
        if flags & 2:
            total = struct.unpack(">I", frame[cursor : cursor + 4])[0]
            cursor += 4
        if flags & 4:
            cursor += 100
        if flags & 8:
            cursor += 4
        header = VbrHeader(frames, total)
        # LAME extension (also written by ffmpeg as "Lavc…", which mutagen ignores):
        # 9-byte encoder name, then at +21 twelve bits of delay and twelve of padding.
        encoder = frame[cursor : cursor + 9]
        if len(frame) >= cursor + 24 and encoder[:4] in (b"LAME", b"Lavc", b"Lavf", b"L3.9"):
            raw = frame[cursor + 21 : cursor + 24]
            delay = (raw[0] << 4) | (raw[1] >> 4)
            padding = ((raw[1] & 0x0F) << 8) | raw[2]
            if delay <= 3000 and padding <= 4000:
                header.delay, header.padding = delay, padding
        return header
    if frame[36:40] == b"VBRI":
        total, frames = struct.unpack(">II", frame[46:54])
        return VbrHeader(frames, total)
    return None


def duration_without_header(
    fileobj: BinaryIO, first_offset: int, audio_end: int
) -> tuple[float, int | None]:
    """Duration and bitrate of an MP3 with no Xing/VBRI header.

    A constant bitrate makes size / bitrate exact (that is mutagen's estimate). We check it
    by sampling frame headers at several places; if any bitrate differs the file is VBR and
    the estimate can be off by half, so we count every frame, streaming the file once.
    """
    audio_bytes = audio_end - first_offset
    seen: set[int] = set()
    for fraction in (0.0, 0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9, 1.0):
        position = first_offset + int(audio_bytes * fraction)
        position = max(first_offset, min(position, audio_end - 16 * 1024))
        data = read_at(fileobj, position, min(16 * 1024, audio_end - position))
        found = find_frame_run(data, 0, run=16)
        if found:
            seen.update(found[1])
        if len(seen) > 1:
            break
    if len(seen) == 1:
        bitrate = seen.pop()
        return audio_bytes * 8 / bitrate, bitrate
    samples, sample_rate, frame_bytes = count_frames(fileobj, first_offset, audio_end)
    duration = samples / sample_rate if sample_rate else 0.0
    return duration, round(frame_bytes * 8 / duration) if duration else None


def count_frames(fileobj: BinaryIO, start: int, end: int) -> tuple[int, int, int]:
    """Stream the audio once and add up every frame: (samples, sample rate, frame bytes).

    Reads in SCAN_CHUNK pieces, so memory stays constant whatever the file size. Junk
    between frames is skipped by resyncing on the next run of two valid frames.
    """
    table = LAYER3
    samples = frame_bytes = 0
    sample_rate = 0
    fileobj.seek(start)
    buffer = b""
    offset = start  # file offset of buffer[0]
    pos = 0
    remaining = end - start
    while True:
        if len(buffer) - pos < 8 * 1024 and remaining > 0:
            chunk = fileobj.read(min(SCAN_CHUNK, remaining))
            if not chunk:
                remaining = 0
            remaining -= len(chunk)
            offset += pos
            buffer = buffer[pos:] + chunk
            pos = 0
        if pos + 4 > len(buffer):
            break
        if buffer[pos] == 0xFF and buffer[pos + 1] & 0xE0 == 0xE0:
            frame = table[(int.from_bytes(buffer[pos : pos + 4], "big") >> 9) & 0xFFF]
            if frame is not None and (not sample_rate or frame[2] == sample_rate):
                length = frame[0]
                if pos + length > len(buffer) and remaining <= 0:
                    break  # a last frame cut short is not audio a player can decode
                sample_rate = frame[2]
                samples += frame[1]
                frame_bytes += length
                pos += length
                continue
        next_sync = buffer.find(b"\xff", pos + 1)
        pos = len(buffer) - 3 if next_sync < 0 else next_sync
        if next_sync < 0 and remaining <= 0:
            break
    return samples, sample_rate, frame_bytes
