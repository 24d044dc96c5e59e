"""probe(): the type from the content, exact durations, tags, art and chapters, and
clear refusals. Files are real (ffmpeg); tags are written with mutagen where ffmpeg can't."""

from __future__ import annotations

import io

import mutagen
import pytest
from mutagen.id3 import APIC, CHAP, COMM, CTOC, ID3, TALB, TCON, TDRC, TIT2, TPE1, TRCK, CTOCFlags
from mutagen.mp4 import MP4, MP4Cover

from publisher.media.probe import ProbeError, probe
from tests.media.helpers import CountingReader, ffmpeg, png_bytes

EXPECTED = {
    # kind: (codec, container, mime, extension)
    "mp3": ("mp3", "mp3", "audio/mpeg", "mp3"),
    "mp3-vbr": ("mp3", "mp3", "audio/mpeg", "mp3"),
    "mp3-vbr-noxing": ("mp3", "mp3", "audio/mpeg", "mp3"),
    "m4a": ("aac", "mp4", "audio/x-m4a", "m4a"),
    "ogg": ("vorbis", "ogg", "audio/ogg", "ogg"),
    "opus": ("opus", "ogg", "audio/opus", "opus"),
    "flac": ("flac", "flac", "audio/flac", "flac"),
    "wav": ("pcm_s16le", "wav", "audio/wav", "wav"),
}


def probe_path(path, hint=None):
    with open(path, "rb") as handle:
        return probe(handle, hint or path.name)


@pytest.mark.parametrize("kind", EXPECTED)
@pytest.mark.parametrize("channels", [1, 2])
def test_each_format_is_identified_with_its_true_duration(audio, kind, channels):
    info = probe_path(audio(kind, seconds=4, channels=channels))
    assert (info.codec, info.container, info.mime_type, info.extension) == EXPECTED[kind]
    # No Xing header: the duration comes from counting frames, which also counts the
    # encoder's delay and padding (two frames at most, ~52 ms) that no header announces.
    tolerance = 0.06 if kind == "mp3-vbr-noxing" else 0.05
    assert info.duration_seconds == pytest.approx(4.0, abs=tolerance)
    assert info.channels == channels
    assert info.sample_rate == (48000 if kind == "opus" else 44100)
    assert info.bitrate and 16_000 < info.bitrate < 2_000_000
    assert info.audio_offset_bytes == 0 or kind.startswith("mp3")


def test_mp3_offset_is_the_id3_tag_size(audio):
    path = audio("mp3", seconds=2.5, title="Tagged")
    data = path.read_bytes()
    assert data.startswith(b"ID3")
    size = 10 + ((data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9])
    info = probe_path(path)
    assert info.audio_offset_bytes == size
    assert data[size] == 0xFF


def test_xing_mp3_excludes_encoder_delay_and_padding(audio):
    """mutagen ignores ffmpeg's 'Lavc' LAME tag and counts ~40 ms of padding."""
    path = audio("mp3", seconds=5)
    assert mutagen.File(path).info.length == pytest.approx(5.04, abs=0.01)
    assert probe_path(path).duration_seconds == pytest.approx(5.0, abs=0.002)


def test_vbr_mp3_without_xing_header_is_measured_by_counting_frames(audio):
    """mutagen's estimate from the first frame is far off (and flags nothing)."""
    path = audio("mp3-vbr-noxing", seconds=30)
    estimate = mutagen.File(path).info.length
    assert abs(estimate - 30) / 30 > 0.2  # the trap: off by far more than 1 %
    assert probe_path(path).duration_seconds == pytest.approx(30, rel=0.01)


def test_cbr_mp3_without_xing_header_is_read_without_scanning(long_mp3):
    reader = CountingReader(long_mp3(xing=False))
    info = probe(reader, "long.mp3")
    assert info.duration_seconds == pytest.approx(600, rel=0.002)
    assert info.bitrate == 32000
    assert reader.bytes_read < 400 * 1024  # of 2.4 MB


def test_probe_reads_a_small_part_of_a_long_file(long_mp3):
    reader = CountingReader(long_mp3(xing=True))
    info = probe(reader, "long.mp3")
    assert info.duration_seconds == pytest.approx(600, abs=0.05)
    assert reader.bytes_read < 256 * 1024


def test_mono_aac_reports_one_channel_and_no_priming_samples(audio):
    path = audio("m4a", seconds=3, channels=1)
    reference = mutagen.File(path).info
    assert (reference.channels, round(reference.length, 3)) == (2, 3.023)  # the traps
    info = probe_path(path)
    assert info.channels == 1
    assert info.duration_seconds == pytest.approx(3.0, abs=0.002)


def test_opus_reports_48_khz(audio):
    assert not hasattr(mutagen.File(audio("opus", seconds=1)).info, "sample_rate")
    assert probe_path(audio("opus", seconds=1)).sample_rate == 48000


def test_the_content_decides_not_the_name(audio, tmp_path):
    renamed = tmp_path / "episode.mp3"
    renamed.write_bytes(audio("flac", seconds=1).read_bytes())
    info = probe_path(renamed)
    assert (info.extension, info.mime_type) == ("flac", "audio/flac")


# -- tags, cover art, chapters -----------------------------------------------------------


@pytest.fixture
def tagged_mp3(audio, tmp_path):
    path = tmp_path / "tagged.mp3"
    path.write_bytes(audio("mp3", seconds=6).read_bytes())
    tags = ID3(path)
    tags.add(TIT2(encoding=3, text="The Title"))
    tags.add(TPE1(encoding=3, text="An Artist"))
    tags.add(TALB(encoding=3, text="The Album"))
    tags.add(COMM(encoding=3, lang="eng", desc="", text="Line one\nline two"))
    tags.add(TDRC(encoding=3, text="2024-05-01"))
    tags.add(TRCK(encoding=3, text="7/12"))
    tags.add(TCON(encoding=3, text="Podcast"))
    tags.add(APIC(encoding=3, mime="image/png", type=3, desc="", data=png_bytes()))
    tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                  child_element_ids=["b", "a"], sub_frames=[]))  # fmt: skip
    tags.add(CHAP(element_id="a", start_time=3000, end_time=6000,
                  sub_frames=[TIT2(encoding=3, text="Second")]))  # fmt: skip
    tags.add(CHAP(element_id="b", start_time=0, end_time=3000,
                  sub_frames=[TIT2(encoding=3, text="First")]))  # fmt: skip
    tags.save(path)
    return path


def test_id3_tags_cover_art_and_chapters(tagged_mp3):
    info = probe_path(tagged_mp3)
    assert info.tags == {
        "title": "The Title",
        "artist": "An Artist",
        "album": "The Album",
        "comment": "Line one\nline two",
        "year": "2024",
        "track": "7/12",
        "genre": "Podcast",
    }
    assert info.cover_art == png_bytes() and info.cover_art_mime == "image/png"
    assert info.chapters == {
        "version": "1.2.0",
        "chapters": [
            {"startTime": 0.0, "title": "First", "endTime": 3.0},
            {"startTime": 3.0, "title": "Second", "endTime": 6.0},
        ],
    }
    assert info.audio_offset_bytes > len(png_bytes())


def test_mp4_tags_cover_and_chapters(audio, tmp_path):
    meta = tmp_path / "meta.txt"
    meta.write_text(
        ";FFMETADATA1\ntitle=M4A title\nartist=Host\n"
        "[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1500\ntitle=Intro\n"
        "[CHAPTER]\nTIMEBASE=1/1000\nSTART=1500\nEND=3000\ntitle=Talk\n"
    )
    path = tmp_path / "chapters.m4a"
    ffmpeg("-i", str(audio("wav", seconds=3)), "-i", str(meta), "-map_metadata", "1",
           "-map_chapters", "1", "-c:a", "aac", "-b:a", "48k", str(path))  # fmt: skip
    tags = MP4(path)
    tags["covr"] = [MP4Cover(png_bytes(), imageformat=MP4Cover.FORMAT_PNG)]
    tags.save()
    info = probe_path(path)
    assert info.tags["title"] == "M4A title" and info.tags["artist"] == "Host"
    assert info.cover_art_mime == "image/png"
    assert info.chapters["chapters"] == [
        {"startTime": 0.0, "title": "Intro"},
        {"startTime": 1.5, "title": "Talk"},
    ]


@pytest.mark.parametrize("kind", ["ogg", "opus", "flac"])
def test_vorbis_comments(audio, kind):
    info = probe_path(audio(kind, seconds=1, title="Vorbis <title>"))
    assert info.tags["title"] == "Vorbis <title>"


def test_flac_picture(audio, tmp_path):
    from mutagen.flac import FLAC, Picture

    path = tmp_path / "art.flac"
    path.write_bytes(audio("flac", seconds=1).read_bytes())
    flac = FLAC(path)
    picture = Picture()
    picture.type, picture.mime, picture.data = 3, "image/png", png_bytes()
    flac.add_picture(picture)
    flac.save()
    assert probe_path(path).cover_art == png_bytes()


def test_control_characters_are_removed_and_markup_stays_text(audio, tmp_path):
    path = tmp_path / "nasty.mp3"
    path.write_bytes(audio("mp3", seconds=1).read_bytes())
    tags = ID3(path)
    tags.add(TIT2(encoding=3, text="<script>alert(1)</script>\x00Bad\x07\u202e title"))
    tags.save(path)
    # NUL separates ID3 values: both are kept, readable; other controls disappear.
    assert probe_path(path).tags["title"] == "<script>alert(1)</script> / Bad title"


# -- refusals ----------------------------------------------------------------------------


def refuse(data: bytes, name: str = "upload.mp3") -> ProbeError:
    with pytest.raises(ProbeError) as caught:
        probe(io.BytesIO(data), name)
    assert caught.value.status_code == 422 and caught.value.code == "unsupported_media"
    return caught.value


def test_refusals_explain_what_the_file_is():
    assert "empty" in refuse(b"").message
    assert "PNG image, not audio" in refuse(png_bytes()).message
    assert ".mp3" in refuse(png_bytes()).message
    assert "text file" in refuse(b"Hello, this is not audio at all.\n" * 20).message
    assert "PDF" in refuse(b"%PDF-1.7\n" + b"\x00" * 500).message
    assert "could not recognise" in refuse(bytes(range(256)) * 40).message


def test_truncated_files_are_called_incomplete(audio):
    for kind in ("mp3", "m4a", "wav"):
        data = audio(kind, seconds=3).read_bytes()
        assert "incomplete" in refuse(data[: len(data) // 3], f"cut.{kind}").message, kind
    assert "incomplete" in refuse(audio("mp3", seconds=3).read_bytes()[:1024]).message


def test_a_huge_embedded_picture_is_refused_before_reading_it(audio, tmp_path):
    path = tmp_path / "big-art.mp3"
    path.write_bytes(audio("mp3", seconds=1).read_bytes())
    tags = ID3(path)
    tags.add(APIC(encoding=3, mime="image/png", type=3, desc="", data=png_bytes(extra=20 << 20)))
    tags.save(path)
    reader = CountingReader(path)
    with pytest.raises(ProbeError, match=r"take 20\.0 MB .* at most 16\.0 MB"):
        probe(reader, "big-art.mp3")
    assert reader.bytes_read < 1024 * 1024


@pytest.mark.parametrize(
    ("args", "suffix", "message"),
    [
        (["-c:a", "mp2"], "mp2", "layer 2"),
        (["-c:a", "aac", "-f", "adts"], "aac", "raw AAC"),
        (["-c:a", "pcm_s16be", "-f", "aiff"], "aiff", "AIFF"),
        (["-c:a", "pcm_mulaw", "-f", "wav"], "wav", "compressed sound"),
        (["-c:a", "flac", "-f", "ogg"], "oga", "Ogg FLAC"),
    ],
)
def test_formats_we_do_not_serve(tmp_path, args, suffix, message):
    path = tmp_path / f"other.{suffix}"
    # Its own deterministic source: one second of a tone, encoded as the other format.
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=1", *args, str(path))
    with pytest.raises(ProbeError, match=message):
        probe_path(path)


def test_video_is_refused(tmp_path):
    path = tmp_path / "clip.mp4"
    ffmpeg("-f", "lavfi", "-i", "color=c=blue:s=32x32:d=1", "-f", "lavfi", "-i",
           "sine=duration=1", "-shortest", "-c:v", "mpeg4", "-c:a", "aac", str(path))  # fmt: skip
    with pytest.raises(ProbeError, match="contains video"):
        probe_path(path)
