"""``probe()``: decide the type from the first bytes, then hand the file to its reader.
Files people upload by mistake (pictures, documents, archives, video) are named in the
refusal."""

from __future__ import annotations

import io
import logging
import os
import struct
from typing import BinaryIO

import mutagen

from publisher.media.probe.base import ACCEPTED, MAX_TAG_BYTES, AudioInfo, ProbeError, megabytes
from publisher.media.probe.flac import probe_flac
from publisher.media.probe.mp3 import probe_mp3
from publisher.media.probe.mp4 import probe_mp4
from publisher.media.probe.mpeg import find_frame_run, find_other_layer, id3_total_size, read_at
from publisher.media.probe.ogg import probe_opus, probe_vorbis
from publisher.media.probe.wav import probe_wav

logger = logging.getLogger(__name__)


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
        "mp3": probe_mp3,
        "mp4": probe_mp4,
        "vorbis": probe_vorbis,
        "opus": probe_opus,
        "flac": probe_flac,
        "wav": probe_wav,
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


_FORMAT_NAMES = {
    "mp3": "MP3",
    "mp4": "M4A",
    "vorbis": "Ogg Vorbis",
    "opus": "Opus",
    "flac": "FLAC",
    "wav": "WAV",
}


def _size_of(fileobj: BinaryIO) -> int:
    try:
        fileobj.seek(0, os.SEEK_END)
        size = fileobj.tell()
        fileobj.seek(0)
    except (OSError, AttributeError, io.UnsupportedOperation) as exc:
        raise TypeError("probe() needs a seekable binary file object") from exc
    return size


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
                f"The tags at the start of this file take {megabytes(tag_size)} (usually an "
                f"embedded cover picture); we accept at most {megabytes(MAX_TAG_BYTES)}. Remove "
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
