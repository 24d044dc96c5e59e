"""What an uploaded file really is: format, duration, tags, cover art and chapters.

The only module that imports mutagen. ``probe(fileobj)`` decides the type from the bytes
(never from the name or the client's Content-Type), reads only what it needs (it seeks;
over an S3 object every read is a ranged GET), and returns a plain ``AudioInfo``.
Anything we cannot serve raises ``ProbeError`` with a message a producer can act on.

Traps handled here on purpose (measured on ffmpeg-made files; see docs/media.md):
- MP3 without a Xing/VBRI header: mutagen estimates the duration from the first frame's
  bitrate, which for VBR is wildly wrong and flagged nowhere. We sample frame headers
  across the file; when the bitrate varies we count every frame (streamed, constant
  memory) for the exact duration.
- MP3 with a Xing header written by ffmpeg ("Lavc" instead of "LAME"): mutagen does not
  recognise the encoder delay/padding fields and reports ~40 ms too much; we read them.
- M4A: mutagen counts the 1,024 AAC priming samples (we use the edit list, or iTunSMPB)
  and reports 2 channels for mono AAC (we read the AudioSpecificConfig).
- Opus has no sample_rate in mutagen: Opus always decodes at 48 kHz.
- Tags with a huge embedded picture: mutagen would read all of it; we refuse tag blocks
  above MAX_TAG_BYTES before handing the file to mutagen.
"""

from __future__ import annotations

import base64
import io
import logging
import os
import re
import struct
import unicodedata
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import mutagen
from mutagen.flac import FLAC, Picture
from mutagen.id3 import ID3, ID3NoHeaderError
from mutagen.mp4 import MP4, Atoms
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE

from publisher.errors import ValidationError
from publisher.media.mpeg import (
    audio_bounds,
    duration_without_header,
    find_frame_run,
    find_other_layer,
    frame_at,
    id3_total_size,
    id3v2_end,
    parse_vbr_header,
    read_at,
)

logger = logging.getLogger(__name__)

ACCEPTED = "MP3, M4A (AAC), Ogg Vorbis, Opus, FLAC or WAV"
# Tags (ID3 block, MP4 metadata, FLAC metadata blocks) larger than this are refused:
# they are almost always a huge embedded picture, and we would have to read all of it.
MAX_TAG_BYTES = 16 * 1024 * 1024
TAG_KEYS = ("title", "artist", "album", "comment", "year", "track", "genre")


class ProbeError(ValidationError):
    """The file is not audio we can serve; the message says why, for a person."""

    code = "unsupported_media"


@dataclass(frozen=True)
class AudioInfo:
    duration_seconds: float
    bitrate: int | None  # bits per second
    sample_rate: int | None
    channels: int | None
    codec: str
    container: str
    mime_type: str
    extension: str  # canonical: mp3, m4a, ogg, opus, flac, wav
    tags: dict[str, str | None] = field(default_factory=dict)
    cover_art: bytes | None = None
    cover_art_mime: str | None = None
    chapters: dict[str, Any] | None = None  # Podcasting 2.0 JSON chapters
    audio_offset_bytes: int = 0  # bytes before the first MP3 frame (the ID3 tag)

    def __repr__(self) -> str:  # keep cover bytes out of logs and test output
        art = f"{len(self.cover_art)} bytes" if self.cover_art else None
        return (
            f"AudioInfo({self.container}/{self.codec}, {self.duration_seconds:.3f}s, "
            f"{self.bitrate} bit/s, {self.sample_rate} Hz, {self.channels} ch, art={art})"
        )


def probe(fileobj: BinaryIO, filename_hint: str | None = None) -> AudioInfo:
    """Identify and describe the audio in a seekable binary file object.

    ``filename_hint`` only improves error messages; the content decides the type.
    """
    size = _size_of(fileobj)
    if size == 0:
        raise ProbeError("The file is empty (0 bytes). Please choose the audio file again.")
    head = read_at(fileobj, 0, 64)
    kind = _sniff(fileobj, head, size, filename_hint)
    reader = {
        "mp3": _probe_mp3,
        "mp4": _probe_mp4,
        "vorbis": _probe_vorbis,
        "opus": _probe_opus,
        "flac": _probe_flac,
        "wav": _probe_wav,
    }[kind]
    try:
        fileobj.seek(0)
        info = reader(fileobj, size)
    except ProbeError:
        raise
    except (mutagen.MutagenError, struct.error, ValueError, IndexError, KeyError, EOFError) as exc:
        # Damaged files make parsers fail in many ways; all of them mean the same to a person.
        logger.info("probe of %s failed: %r", filename_hint, exc)
        raise ProbeError(
            f"This {_FORMAT_NAMES[kind]} file is damaged or incomplete and cannot be read "
            f"({exc.__class__.__name__}). Export it again and re-upload it.",
            details={"detected": kind},
        ) from exc
    if not info.duration_seconds or info.duration_seconds <= 0:
        raise ProbeError(
            f"This {_FORMAT_NAMES[kind]} file contains no audio (its duration is 0 seconds).",
            details={"detected": kind},
        )
    return info


_FORMAT_NAMES = {
    "mp3": "MP3",
    "mp4": "M4A",
    "vorbis": "Ogg Vorbis",
    "opus": "Opus",
    "flac": "FLAC",
    "wav": "WAV",
}


# -- input helpers ----------------------------------------------------------------------


def _size_of(fileobj: BinaryIO) -> int:
    try:
        fileobj.seek(0, os.SEEK_END)
        size = fileobj.tell()
        fileobj.seek(0)
    except (OSError, AttributeError, io.UnsupportedOperation) as exc:
        raise TypeError("probe() needs a seekable binary file object") from exc
    return size


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return _mb(size)


# -- sniffing ------------------------------------------------------------------------------

# (magic at offset 0, what it is): files people upload by mistake.
_NOT_AUDIO = [
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\x7fELF", "a program (ELF executable)"),
    (b"MZ", "a Windows program"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x1aE\xdf\xa3", "a Matroska/WebM file, which we do not serve"),
    (b"0&\xb2u\x8ef\xcf\x11", "a Windows Media (WMA/WMV) file, which we do not serve"),
    (b"#!AMR", "an AMR voice recording, which we do not serve"),
    (b"MThd", "a MIDI file (notes, not recorded sound)"),
    (b"MAC ", "a Monkey's Audio (APE) file, which we do not serve"),
    (b"wvpk", "a WavPack file, which we do not serve"),
    (b"RF64", "an RF64 (64-bit WAV) file, which we do not serve"),
]


def _sniff(fileobj: BinaryIO, head: bytes, size: int, filename_hint: str | None) -> str:
    """The kind of audio in the file, or ProbeError saying what it is instead."""
    if head.startswith(b"ID3"):
        tag_size = id3_total_size(head)
        if tag_size > MAX_TAG_BYTES:
            raise ProbeError(
                f"The tags at the start of this file take {_mb(tag_size)} (usually an "
                f"embedded cover picture); we accept at most {_mb(MAX_TAG_BYTES)}. Remove "
                "or shrink the embedded picture and upload again.",
                details={"detected": "id3", "tag_bytes": tag_size},
            )
        after = read_at(fileobj, tag_size, 4)
        if after == b"fLaC":
            return "flac"
        if len(after) < 4 and tag_size >= size:
            raise ProbeError(
                "This file holds only tags and no audio (it stops right after the ID3 tag). "
                "The upload or the export was probably cut short.",
                details={"detected": "id3"},
            )
        return _sniff_mpeg(fileobj, tag_size, size, filename_hint)
    if head.startswith(b"fLaC"):
        return "flac"
    if head.startswith(b"OggS"):
        return _sniff_ogg(head)
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        raise _not_audio("an AVI video", filename_hint)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        raise _not_audio("a WebP image", filename_hint)
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        raise ProbeError(
            f"This is an AIFF file, which podcast apps do not play. Please export {ACCEPTED}.",
            details={"detected": "aiff"},
        )
    if head[4:8] == b"ftyp":
        return "mp4"
    for magic, what in _NOT_AUDIO:
        if head.startswith(magic):
            raise _not_audio(what, filename_hint)
    if head[:2] == b"\xff\xf1" or head[:2] == b"\xff\xf9":
        raise ProbeError(
            "This is a raw AAC (ADTS) stream. Please upload AAC audio in an M4A file "
            "(for example `ffmpeg -i in.aac -c copy out.m4a`).",
            details={"detected": "adts"},
        )
    if _looks_like_text(fileobj):
        raise _not_audio("a text file", filename_hint)
    return _sniff_mpeg(fileobj, 0, size, filename_hint)


def _not_audio(what: str, filename_hint: str | None) -> ProbeError:
    named = ""
    if filename_hint and "." in filename_hint:
        named = f" (even though its name ends in .{filename_hint.rsplit('.', 1)[-1][:10]})"
    return ProbeError(
        f"This file is {what}, not audio{named}. Please upload {ACCEPTED} audio.",
        details={"detected": what},
    )


def _looks_like_text(fileobj: BinaryIO) -> bool:
    sample = read_at(fileobj, 0, 4096)
    if b"\x00" in sample:
        return False
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the sample's end is still text.
        if exc.start < len(sample) - 4:
            return False
        text = sample[: exc.start].decode("utf-8")
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return bool(text) and printable / len(text) > 0.97


def _sniff_ogg(head: bytes) -> str:
    segments = head[26] if len(head) > 26 else 0
    packet = head[27 + segments : 27 + segments + 8]
    if packet.startswith(b"\x01vorbis"):
        return "vorbis"
    if packet.startswith(b"OpusHead"):
        return "opus"
    if packet.startswith(b"\x7fFLAC"):
        what = "Ogg FLAC"
    elif packet.startswith(b"Speex"):
        what = "Ogg Speex"
    elif packet.startswith(b"\x80theora"):
        raise ProbeError(
            "This Ogg file contains video (Theora). Please upload the audio only.",
            details={"detected": "theora"},
        )
    else:
        what = "an Ogg stream of an unknown kind"
    raise ProbeError(
        f"This is {what}, which podcast apps do not play. Please export {ACCEPTED}.",
        details={"detected": "ogg"},
    )


def _sniff_mpeg(fileobj: BinaryIO, start: int, size: int, filename_hint: str | None) -> str:
    """MP3 if a run of valid MPEG layer III frames starts near ``start``."""
    window = read_at(fileobj, start, 64 * 1024)
    found = find_frame_run(window, 0, run=4)
    if found is not None:
        return "mp3"
    other_layer = find_other_layer(window)
    if other_layer:
        raise ProbeError(
            f"This is MPEG audio layer {other_layer} (MP{other_layer}), not MP3. Please "
            f"export {ACCEPTED}.",
            details={"detected": f"mp{other_layer}"},
        )
    if start and len(window) < 1024:
        raise ProbeError(
            "This MP3 file is incomplete: it stops shortly after its tags, before any "
            "audio. The upload or the export was probably cut short.",
            details={"detected": "mp3"},
        )
    hint = ""
    if filename_hint and "." in filename_hint:
        hint = f" The name ends in .{filename_hint.rsplit('.', 1)[-1][:10]}, but the content is"
        hint += " not that format."
    raise ProbeError(
        f"We could not recognise this file as audio.{hint} Please upload {ACCEPTED}.",
        details={"detected": "unknown"},
    )


# -- MPEG audio (MP3) ------------------------------------------------------------------------


def _load_id3(fileobj: BinaryIO, has_v2: bool) -> ID3 | None:
    """The ID3 tags: the ID3v2 tag when there is one (then the legacy ID3v1 at the end is
    not read: one request less over S3), else an ID3v1 tag if present."""
    fileobj.seek(0)
    try:
        return ID3(fileobj, load_v1=not has_v2)
    except ID3NoHeaderError:
        return None


def _probe_mp3(fileobj: BinaryIO, size: int) -> AudioInfo:
    audio_start = id3v2_end(fileobj)
    window = read_at(fileobj, audio_start, 64 * 1024)
    found = find_frame_run(window, 0, run=4)
    if found is None:
        raise ProbeError(
            "This MP3 file has no readable audio frames. It may be damaged; export it again.",
            details={"detected": "mp3"},
        )
    first_offset = audio_start + found[0]
    first = frame_at(window, found[0])
    assert first is not None
    frame_length, samples_per_frame, sample_rate, _bitrate = first
    channels = 1 if (window[found[0] + 3] >> 6) & 3 == 3 else 2
    vbr = parse_vbr_header(window[found[0] : found[0] + frame_length + 64])

    if vbr is not None and vbr.frames:
        # The header has it all: no need to read the end of the file (over S3 that
        # saves a request; a trailing ID3v1/APE tag is noise for this check).
        audio_bytes = size - first_offset
        announced = vbr.bytes or 0
        if announced and audio_bytes < announced * 0.95:
            raise ProbeError(
                f"This MP3 file is incomplete: its header announces {_human_size(announced)} "
                f"of audio but the file stops after {_human_size(audio_bytes)}. The upload "
                "or the export was probably cut short.",
                details={"detected": "mp3", "announced_bytes": announced},
            )
        samples = vbr.frames * samples_per_frame - vbr.delay - vbr.padding
        duration = max(samples, 0) / sample_rate
        payload = (announced or audio_bytes) - frame_length  # the header frame is silent
        bitrate = round(payload * 8 / duration) if duration > 0 else None
    else:
        _start, audio_end = audio_bounds(fileobj, size)
        duration, bitrate = duration_without_header(fileobj, first_offset, audio_end)

    tags, cover, cover_mime, chapters = _from_id3(_load_id3(fileobj, has_v2=audio_start > 0))
    return AudioInfo(
        duration_seconds=duration,
        bitrate=bitrate,
        sample_rate=sample_rate,
        channels=channels,
        codec="mp3",
        container="mp3",
        mime_type="audio/mpeg",
        extension="mp3",
        tags=tags,
        cover_art=cover,
        cover_art_mime=cover_mime,
        chapters=chapters,
        audio_offset_bytes=first_offset,
    )


# -- ID3 tags --------------------------------------------------------------------------------


def _from_id3(
    tags: ID3 | None,
) -> tuple[dict[str, str | None], bytes | None, str | None, dict[str, Any] | None]:
    result = dict.fromkeys(TAG_KEYS)
    if tags is None:
        return result, None, None, None

    def text(frame_id: str) -> str | None:
        frame = tags.get(frame_id)
        if frame is None or not getattr(frame, "text", None):
            return None
        # ID3 separates several values with NUL; keep them all, readable.
        return clean_text(" / ".join(str(value) for value in frame.text))

    result["title"] = text("TIT2")
    result["artist"] = text("TPE1") or text("TPE2")
    result["album"] = text("TALB")
    result["year"] = _year(text("TDRC") or text("TYER"))
    result["track"] = text("TRCK")
    genre = tags.get("TCON")
    if genre is not None and genre.genres:
        result["genre"] = clean_text(genre.genres[0])
    comments = tags.getall("COMM")
    if comments:
        preferred = [c for c in comments if not c.desc] or comments
        if preferred[0].text:
            result["comment"] = clean_text(str(preferred[0].text[0]), multiline=True)

    pictures = tags.getall("APIC")
    cover = cover_mime = None
    if pictures:
        front = [p for p in pictures if p.type == 3] or pictures
        cover, cover_mime = _image(front[0].data)
    return result, cover, cover_mime, _id3_chapters(tags)


def _id3_chapters(tags: ID3) -> dict[str, Any] | None:
    chaps = {frame.element_id: frame for frame in tags.getall("CHAP")}
    if not chaps:
        return None
    order: list[str] = []
    for toc in tags.getall("CTOC"):
        if toc.flags & 1 or not order:  # the top-level table of contents decides
            order = [cid for cid in toc.child_element_ids if cid in chaps]
    remaining = sorted(set(chaps) - set(order), key=lambda cid: chaps[cid].start_time)
    chapters = []
    for number, cid in enumerate(order + remaining, start=1):
        frame = chaps[cid]
        entry: dict[str, Any] = {"startTime": round(frame.start_time / 1000, 3)}
        title = frame.sub_frames.get("TIT2")
        entry["title"] = clean_text(str(title.text[0])) if title and title.text else None
        entry["title"] = entry["title"] or f"Chapter {number}"
        if frame.end_time not in (0xFFFFFFFF, 0) and frame.end_time > frame.start_time:
            entry["endTime"] = round(frame.end_time / 1000, 3)
        for key, sub in frame.sub_frames.items():
            if key.startswith("WXXX") and getattr(sub, "url", None):
                url = clean_text(sub.url)
                if url and url.startswith(("http://", "https://")):
                    entry["url"] = url
        chapters.append(entry)
    chapters.sort(key=lambda c: c["startTime"])
    return _chapters_document(chapters)


def _chapters_document(chapters: list[dict[str, Any]]) -> dict[str, Any] | None:
    return {"version": "1.2.0", "chapters": chapters} if chapters else None


# -- MP4 / M4A ------------------------------------------------------------------------------


def _probe_mp4(fileobj: BinaryIO, size: int) -> AudioInfo:
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
                f"The tags in this M4A file take {_mb(atoms.path(*path)[-1].length)} "
                f"(usually an embedded cover picture); we accept at most {_mb(MAX_TAG_BYTES)}.",
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
    sound = handlers[b"soun"]
    duration = _mp4_presented_duration(fileobj, moov, sound, info.length, mp4.tags)
    channels = _aac_channels(fileobj, sound) or info.channels or None
    codec = info.codec or "unknown"
    codec = "aac" if codec.startswith("mp4a.40") else codec
    tags, cover, cover_mime = _from_mp4_tags(mp4.tags)
    chapters = None
    if mp4.chapters:
        chapters = _chapters_document(
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
                f"{_human_size(offset + length)} but the file stops after {_human_size(size)}. "
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
            return total / movie_scale
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
    return struct.unpack(">I", mdhd[20:24] if mdhd[0] == 1 else mdhd[12:16])[0]


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
    result["year"] = _year(text("©day"))
    result["genre"] = text("©gen")
    track = tags.get("trkn")
    if track and track[0][0]:
        result["track"] = str(track[0][0])
    cover = cover_mime = None
    if tags.get("covr"):
        cover, cover_mime = _image(bytes(tags["covr"][0]))
    return result, cover, cover_mime


# -- Ogg Vorbis, Opus, FLAC (Vorbis comments) ---------------------------------------------


def _from_vorbis_comments(
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
        result["year"] = _year(text("date", "year"))
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
        cover, cover_mime = _image(front[0].data)
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
    return _chapters_document(chapters)


def _probe_vorbis(fileobj: BinaryIO, size: int) -> AudioInfo:
    return _probe_ogg(OggVorbis, fileobj, size, codec="vorbis", mime_type="audio/ogg")


def _probe_opus(fileobj: BinaryIO, size: int) -> AudioInfo:
    return _probe_ogg(OggOpus, fileobj, size, codec="opus", mime_type="audio/opus")


def _probe_ogg(kind: Any, fileobj: BinaryIO, size: int, *, codec: str, mime_type: str) -> AudioInfo:
    fileobj.seek(0)
    ogg = kind(fileobj)
    tags, cover, cover_mime, chapters = _from_vorbis_comments(ogg.tags)
    info = ogg.info
    return AudioInfo(
        duration_seconds=info.length,
        bitrate=_average_bitrate(size, info.length) or getattr(info, "bitrate", None) or None,
        # Opus always decodes at 48 kHz, and mutagen's OggOpusInfo has no sample_rate.
        sample_rate=getattr(info, "sample_rate", 48000),
        channels=info.channels,
        codec=codec,
        container="ogg",
        mime_type=mime_type,
        extension="opus" if codec == "opus" else "ogg",
        tags=tags,
        cover_art=cover,
        cover_art_mime=cover_mime,
        chapters=chapters,
    )


def _check_flac_blocks(fileobj: BinaryIO, start: int, size: int) -> None:
    """Walk the metadata block headers before mutagen reads them whole."""
    offset, total = start + 4, 0
    while offset + 4 <= size:
        header = read_at(fileobj, offset, 4)
        last, length = header[0] & 0x80, int.from_bytes(header[1:4], "big")
        total += length
        if total > MAX_TAG_BYTES:
            raise ProbeError(
                f"The tags in this FLAC file take more than {_mb(MAX_TAG_BYTES)} (usually an "
                "embedded cover picture). Remove or shrink the picture and upload again.",
                details={"detected": "flac"},
            )
        offset += 4 + length
        if last:
            return


def _probe_flac(fileobj: BinaryIO, size: int) -> AudioInfo:
    start = 0
    if read_at(fileobj, 0, 3) == b"ID3":
        start = id3_total_size(read_at(fileobj, 0, 10))
    _check_flac_blocks(fileobj, start, size)
    fileobj.seek(0)
    flac = FLAC(fileobj)
    tags, cover, cover_mime, chapters = _from_vorbis_comments(flac.tags, flac.pictures)
    info = flac.info
    return AudioInfo(
        duration_seconds=info.length,
        bitrate=_average_bitrate(size, info.length) or info.bitrate or None,
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


# -- WAV ------------------------------------------------------------------------------------


def _probe_wav(fileobj: BinaryIO, size: int) -> AudioInfo:
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
                    f"This WAV file is incomplete: it announces {_human_size(length)} of "
                    f"sound but holds {_human_size(available)}. The upload or the export was "
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
        tags, cover, cover_mime, chapters = _from_id3(wave.tags)
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


# -- shared helpers ---------------------------------------------------------------------------


def _average_bitrate(size: int, duration: float) -> int | None:
    return round(size * 8 / duration) if duration > 0 else None


def _image(data: bytes) -> tuple[bytes | None, str | None]:
    """The picture and its real type, if it is a JPEG or PNG (what podcast apps show)."""
    if data.startswith(b"\xff\xd8\xff"):
        return data, "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return data, "image/png"
    return None, None


def _year(value: str | None) -> str | None:
    match = re.match(r"\s*(\d{4})", value or "")
    return match[1] if match else None


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def clean_text(value: str | None, *, multiline: bool = False, max_length: int = 1000) -> str | None:
    """Tag text made safe to store: no NUL or control characters, no bidi overrides,
    whitespace collapsed (newlines kept for comments), trimmed, bounded. It stays plain
    text: templates and feed writers escape it."""
    if value is None:
        return None
    value = unicodedata.normalize("NFC", str(value))
    value = _CONTROL.sub(" ", value.replace("\r\n", "\n"))
    if multiline:
        value = "\n".join(" ".join(line.split()) for line in value.split("\n")).strip()
    else:
        value = " ".join(value.split())
    return value[:max_length] or None
