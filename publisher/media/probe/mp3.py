"""MP3: frames read by ``mpeg.py`` (duration, bitrate, encoder delay), ID3 tags, cover
and chapters (CHAP/CTOC) read by mutagen. ID3 tags also appear in WAV files."""

from __future__ import annotations

from typing import Any, BinaryIO

from mutagen.id3 import ID3, ID3NoHeaderError

from publisher.media.probe.base import (
    TAG_KEYS,
    AudioInfo,
    ProbeError,
    chapters_document,
    clean_text,
    cover_image,
    human_size,
    tag_year,
)
from publisher.media.probe.mpeg import (
    audio_bounds,
    duration_without_header,
    find_frame_run,
    frame_at,
    id3v2_end,
    parse_vbr_header,
    read_at,
)


def _load_id3(fileobj: BinaryIO, has_v2: bool) -> ID3 | None:
    """The ID3 tags: the ID3v2 tag when there is one (then the legacy ID3v1 at the end is
    not read: one request less over S3), else an ID3v1 tag if present."""
    fileobj.seek(0)
    try:
        return ID3(fileobj, load_v1=not has_v2)
    except ID3NoHeaderError:
        return None


def probe_mp3(fileobj: BinaryIO, size: int) -> AudioInfo:
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
                f"This MP3 file is incomplete: its header announces {human_size(announced)} "
                f"of audio but the file stops after {human_size(audio_bytes)}. The upload "
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

    tags, cover, cover_mime, chapters = from_id3(_load_id3(fileobj, has_v2=audio_start > 0))
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


def from_id3(
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
    result["year"] = tag_year(text("TDRC") or text("TYER"))
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
        cover, cover_mime = cover_image(front[0].data)
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
    return chapters_document(chapters)
