"""M4A (MP4 audio): boxes checked before mutagen reads them, the presented duration
(edit list or iTunSMPB), the real channel count (AudioSpecificConfig), iTunes tags."""

from __future__ import annotations

import struct
from typing import Any, BinaryIO

from mutagen.mp4 import MP4, Atoms

from publisher.media.probe.base import (
    ACCEPTED,
    MAX_TAG_BYTES,
    TAG_KEYS,
    AudioInfo,
    ProbeError,
    chapters_document,
    clean_text,
    cover_image,
    human_size,
    megabytes,
    tag_year,
)
from publisher.media.probe.mpeg import read_at


def probe_mp4(fileobj: BinaryIO, size: int) -> AudioInfo:
    _check_mp4_boxes(fileobj, size)
    fileobj.seek(0)
    atoms = Atoms(fileobj)
    try:
        moov = atoms[b"moov"]
    except KeyError:
        raise ProbeError(
            "This M4A file is incomplete: it has no index (the 'moov' box). The upload or "
            "the export was probably cut short.",
            details={"detected": "mp4"},
        ) from None
    for path in ([b"moov", b"udta", b"meta"], [b"moov", b"meta"]):
        if path in atoms and atoms.path(*path)[-1].length > MAX_TAG_BYTES:
            raise ProbeError(
                f"The tags in this M4A file take {megabytes(atoms.path(*path)[-1].length)} "
                "(usually an embedded cover picture); we accept at most "
                f"{megabytes(MAX_TAG_BYTES)}.",
                details={"detected": "mp4"},
            )
    handlers = {_track_handler(fileobj, trak): trak for trak in moov.findall(b"trak")}
    if b"soun" not in handlers:
        what = "video without sound" if b"vide" in handlers else "no audio track"
        raise ProbeError(
            f"This MP4 file contains {what}. Please upload {ACCEPTED} audio.",
            details={"detected": "mp4"},
        )
    if b"vide" in handlers:
        raise ProbeError(
            "This MP4 file contains video. Podcast episodes here are audio only: please "
            "upload the sound as M4A (for example `ffmpeg -i in.mp4 -vn -c:a copy out.m4a`).",
            details={"detected": "mp4-video"},
        )
    fileobj.seek(0)
    mp4 = MP4(fileobj)
    info = mp4.info
    if info is None:  # mutagen raises first; this keeps the types honest
        raise ProbeError(
            "This M4A file has no readable audio description.", details={"detected": "mp4"}
        )
    sound = handlers[b"soun"]
    duration = _mp4_presented_duration(fileobj, moov, sound, info.length, mp4.tags)
    channels = _aac_channels(fileobj, sound) or info.channels or None
    codec = info.codec or "unknown"
    codec = "aac" if codec.startswith("mp4a.40") else codec
    tags, cover, cover_mime = _from_mp4_tags(mp4.tags)
    chapters = None
    if mp4.chapters:
        chapters = chapters_document(
            [
                {"startTime": round(c.start, 3), "title": clean_text(c.title) or f"Chapter {n}"}
                for n, c in enumerate(mp4.chapters, start=1)
            ]
        )
    return AudioInfo(
        duration_seconds=duration,
        bitrate=info.bitrate or None,
        sample_rate=info.sample_rate or None,
        channels=channels,
        codec=codec,
        container="mp4",
        mime_type="audio/x-m4a",
        extension="m4a",
        tags=tags,
        cover_art=cover,
        cover_art_mime=cover_mime,
        chapters=chapters,
        audio_offset_bytes=0,
    )


def _check_mp4_boxes(fileobj: BinaryIO, size: int) -> None:
    """Walk the top-level boxes: one that runs past the end means a truncated file."""
    offset = 0
    while offset + 8 <= size:
        header = read_at(fileobj, offset, 16)
        length, name = struct.unpack(">I4s", header[:8])
        if length == 1 and len(header) >= 16:
            length = struct.unpack(">Q", header[8:16])[0]
        elif length == 0:
            length = size - offset
        if length < 8:
            raise ProbeError(
                "This M4A file is damaged (a box has an impossible size). Export it again.",
                details={"detected": "mp4"},
            )
        if offset + length > size:
            raise ProbeError(
                f"This M4A file is incomplete: its '{name.decode('latin-1')}' box needs "
                f"{human_size(offset + length)} but the file stops after {human_size(size)}. "
                "The upload or the export was probably cut short.",
                details={"detected": "mp4"},
            )
        offset += length


def _atom_payload(fileobj: BinaryIO, atom: Any, limit: int = 1024 * 1024) -> bytes:
    """The bytes of a (small) box after its 8-byte header."""
    return read_at(fileobj, atom.offset + 8, min(atom.length - 8, limit))


def _child_payload(container: bytes, name: bytes) -> bytes:
    """The payload of the child box ``name`` inside a container's payload (mutagen does
    not descend into every container, e.g. edts)."""
    pos = 0
    while pos + 8 <= len(container):
        length, kind = struct.unpack(">I4s", container[pos : pos + 8])
        if kind == name:
            return container[pos + 8 : pos + length]
        if length < 8:
            break
        pos += length
    raise KeyError(name)


def _track_handler(fileobj: BinaryIO, trak: Any) -> bytes:
    try:
        hdlr = _atom_payload(fileobj, trak[b"mdia", b"hdlr"])
    except KeyError:
        return b""
    return hdlr[8:12]


def _mp4_presented_duration(
    fileobj: BinaryIO, moov: Any, trak: Any, fallback: float, tags: Any
) -> float:
    """The duration a player presents: the edit list when there is one (it skips the AAC
    priming samples that mdhd counts), else mdhd minus iTunSMPB's priming/padding."""
    try:
        mvhd = _atom_payload(fileobj, moov[(b"mvhd",)])
        if mvhd[0] == 1:
            movie_scale = struct.unpack(">I", mvhd[20:24])[0]
        else:
            movie_scale = struct.unpack(">I", mvhd[12:16])[0]
        elst = _child_payload(_atom_payload(fileobj, trak[(b"edts",)]), b"elst")
        version, count = elst[0], struct.unpack(">I", elst[4:8])[0]
        total, cursor = 0, 8
        for _ in range(count):
            if version == 1:
                duration, media_time = struct.unpack(">Qq", elst[cursor : cursor + 16])
                cursor += 20
            else:
                duration, media_time = struct.unpack(">Ii", elst[cursor : cursor + 8])
                cursor += 12
            if media_time != -1:  # -1 is an empty edit (a pause), not media
                total += duration
        if total and movie_scale:
            return float(total / movie_scale)
    except (KeyError, struct.error, IndexError):
        pass
    smpb = (tags or {}).get("----:com.apple.iTunes:iTunSMPB")
    if smpb:
        try:
            fields = bytes(smpb[0]).decode("ascii").split()
            samples = int(fields[3], 16)
            sample_rate = _mdhd_timescale(fileobj, trak)
            if samples and sample_rate:
                return samples / sample_rate
        except (ValueError, IndexError, UnicodeDecodeError):
            pass
    return fallback


def _mdhd_timescale(fileobj: BinaryIO, trak: Any) -> int:
    mdhd = _atom_payload(fileobj, trak[b"mdia", b"mdhd"])
    timescale: int = struct.unpack(">I", mdhd[20:24] if mdhd[0] == 1 else mdhd[12:16])[0]
    return timescale


def _aac_channels(fileobj: BinaryIO, trak: Any) -> int | None:
    """Channels from the AudioSpecificConfig (the sample entry often says 2 for mono)."""
    try:
        stsd = _atom_payload(fileobj, trak[b"mdia", b"minf", b"stbl", b"stsd"], 64 * 1024)
    except KeyError:
        return None
    at = stsd.find(b"esds")
    if at < 0:
        return None
    data = stsd[at + 8 :]  # after "esds" and its version/flags
    asc = _find_descriptor(data, 0x05)
    if not asc or len(asc) < 2:
        return None
    bits = int.from_bytes(asc[:4].ljust(4, b"\x00"), "big")
    object_type = bits >> 27
    position = 5
    if object_type == 31:
        object_type = 32 + ((bits >> 21) & 0x3F)
        position = 11
    frequency_index = (bits >> (32 - position - 4)) & 0xF
    position += 4
    if frequency_index == 15:
        bits = int.from_bytes(asc[:8].ljust(8, b"\x00"), "big")
        position += 24
        config = (bits >> (64 - position - 4)) & 0xF
    else:
        config = (bits >> (32 - position - 4)) & 0xF
    if object_type == 29:  # HE-AAC v2: parametric stereo, mono core
        return 2
    return {1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 7: 8}.get(config)


def _find_descriptor(data: bytes, wanted: int) -> bytes | None:
    """The payload of the first MPEG-4 descriptor with tag ``wanted`` (ES → DecoderConfig →
    DecoderSpecificInfo nest inside each other)."""
    pos = 0
    while pos < len(data):
        tag = data[pos]
        pos += 1
        length = 0
        for _ in range(4):
            if pos >= len(data):
                return None
            byte = data[pos]
            pos += 1
            length = (length << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        if tag == wanted:
            return data[pos : pos + length]
        if tag == 0x03:  # ES_Descriptor: ES_ID, flags, then optional fields, then children
            flags = data[pos + 2]
            skip = 3
            if flags & 0x80:
                skip += 2
            if flags & 0x40:
                skip += 1 + data[pos + skip]
            if flags & 0x20:
                skip += 2
            pos += skip
        elif tag == 0x04:  # DecoderConfigDescriptor: 13 fixed bytes, then children
            pos += 13
        else:
            pos += length
    return None


def _from_mp4_tags(tags: Any) -> tuple[dict[str, str | None], bytes | None, str | None]:
    result = dict.fromkeys(TAG_KEYS)
    if not tags:
        return result, None, None

    def text(*keys: str) -> str | None:
        for key in keys:
            values = tags.get(key)
            if values:
                return clean_text(str(values[0]), multiline=key in ("©cmt", "desc"))
        return None

    result["title"] = text("©nam")
    result["artist"] = text("©ART", "aART")
    result["album"] = text("©alb")
    result["comment"] = text("©cmt", "desc")
    result["year"] = tag_year(text("©day"))
    result["genre"] = text("©gen")
    track = tags.get("trkn")
    if track and track[0][0]:
        result["track"] = str(track[0][0])
    cover = cover_mime = None
    if tags.get("covr"):
        cover, cover_mime = cover_image(bytes(tags["covr"][0]))
    return result, cover, cover_mime
