"""The analysis pass agrees with the reference tools, run in the test on the same file:
``ffmpeg -af ebur128=peak=true`` (integrated loudness, loudness range, true peak) within
0.1 LU / 0.1 dB, ``silencedetect`` (leading and trailing silence) within 0.05 s, on files
of every format we accept."""

from __future__ import annotations

import json

import numpy as np
import pytest

from publisher.audio.decode import AudioDecodeError
from publisher.audio.measure import measure
from publisher.audio.waveform import WaveformBuilder
from tests.listening.reference import reference

FORMATS = ["mp3", "m4a", "ogg", "opus", "flac", "wav"]


def assert_agrees(path):
    ours, _ = measure(path)
    ref = reference(path)
    assert ours.integrated_lufs == pytest.approx(ref.integrated, abs=0.1)
    assert ours.loudness_range_lu == pytest.approx(ref.loudness_range, abs=0.1)
    assert ours.true_peak_dbtp == pytest.approx(ref.true_peak, abs=0.1)
    assert ours.leading_silence_seconds == pytest.approx(ref.leading_silence, abs=0.05)
    assert ours.trailing_silence_seconds == pytest.approx(ref.trailing_silence, abs=0.05)
    return ours


@pytest.mark.parametrize("kind", FORMATS)
def test_padded_stereo_agrees_with_ebur128_and_silencedetect(sound, kind):
    ours = assert_agrees(sound(kind, "padded"))
    # What the fixture holds, give or take the codec's own delay and tail.
    assert ours.leading_silence_seconds == pytest.approx(3.0, abs=0.15)
    assert ours.trailing_silence_seconds == pytest.approx(2.5, abs=0.15)
    assert ours.channels == 2 and ours.channel_use == "stereo"
    assert ours.clipping_runs == 0


@pytest.mark.parametrize(
    ("kind", "variant"),
    [("mp3", "quiet"), ("m4a", "loud"), ("flac", "mono"), ("opus", "mono"), ("ogg", "quiet")],
)
def test_levels_and_layouts_agree(sound, kind, variant):
    ours = assert_agrees(sound(kind, variant))
    assert ours.channels == (1 if variant == "mono" else 2)


@pytest.mark.parametrize("kind", ["wav", "mp3", "m4a", "opus", "flac"])
def test_clipping_is_found_where_the_tone_was_cut_flat(sound, kind):
    ours = assert_agrees(sound(kind, "clipped"))
    assert ours.clipping_runs > 0
    assert all(2.0 <= at <= 4.05 for at in ours.clipping_at)  # only the loud part


def test_a_clean_loud_tone_is_not_clipping(sound):
    ours, _ = measure(sound("flac", "padded"))
    assert ours.clipping_runs == 0 and ours.clipped_seconds == 0


@pytest.mark.parametrize(
    ("kind", "variant", "use"),
    [("mp3", "dual-mono", "dual-mono"), ("wav", "dual-mono", "dual-mono"),
     ("opus", "left-only", "left-only"), ("m4a", "padded", "stereo")],
)  # fmt: skip
def test_mono_in_stereo_is_told_apart_from_stereo(sound, kind, variant, use):
    ours, _ = measure(sound(kind, variant))
    assert ours.channel_use == use


def test_the_waveform_is_audiowaveform_json_of_the_whole_file(sound):
    ours, waveform = measure(sound("wav", "padded"), expected_seconds=13.5)
    document = json.loads(waveform.to_json())
    assert document["version"] == 2 and document["bits"] == 8 and document["channels"] == 1
    assert document["length"] * 2 == len(document["data"])
    covered = document["length"] * document["samples_per_pixel"]
    total = round(ours.duration_seconds * document["sample_rate"])
    assert total <= covered < total + document["samples_per_pixel"]
    lows, highs = document["data"][0::2], document["data"][1::2]
    assert all(-128 <= low <= high <= 127 for low, high in zip(lows, highs, strict=True))
    # 3 s of silence first: flat; then sound.
    pixels_per_second = document["sample_rate"] / document["samples_per_pixel"]
    assert max(highs[: int(2.5 * pixels_per_second)]) <= 1
    assert max(highs[int(4 * pixels_per_second) : int(9 * pixels_per_second)]) > 20


@pytest.mark.parametrize("expected", [3 * 3600, None, 60])
def test_waveform_of_a_three_hour_episode_stays_small(expected):
    """Three hours at 44.1 kHz, fed as the pass feeds it (256-sample blocks), with the
    right, no, or a wildly wrong expected duration: the document stays a few KB."""
    rate, block, points = 44100, 256, 1000
    builder = WaveformBuilder(rate, expected and expected * rate, points, block=block)
    blocks = 3 * 3600 * rate // block
    rng = np.random.default_rng(3)
    for start in range(0, blocks, 100_000):
        size = min(100_000, blocks - start)
        highs = rng.uniform(0, 0.9, size).astype(np.float32)
        builder.add(-highs, highs)
    document = builder.finish().to_json()
    parsed = json.loads(document)
    assert parsed["length"] <= points
    assert len(document) < 10 * 1024
    assert parsed["length"] * parsed["samples_per_pixel"] >= blocks * block


def test_not_audio_is_a_clear_error(tmp_path):
    path = tmp_path / "notes.mp3"
    path.write_bytes(b"these are my show notes, not audio" * 100)
    with pytest.raises(AudioDecodeError) as raised:
        measure(path)
    assert "not audio we can decode" in raised.value.message
    assert raised.value.status_code == 422
