"""Fixtures made with ffmpeg at known levels, and what the reference tools say about them:
``ffmpeg -af ebur128=peak=true`` (its summary) and ``silencedetect`` (its periods), run
in the test, as a producer would run them by hand."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.audio import FORMATS

SILENCE_DB = -60


@dataclass
class Reference:
    integrated: float
    loudness_range: float
    true_peak: float
    leading_silence: float
    trailing_silence: float


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", *args], check=True)


def make_fixture(directory: Path, kind: str, variant: str, seconds: float = 8.0) -> Path:
    """``variant``: ``padded`` (tone + pink noise, 3 s of silence before, 2.5 s
    after, stereo), ``mono`` (the same, one channel), ``dual-mono`` (one signal on both
    channels), ``left-only``, ``clipped`` (a loud tone cut flat at full scale from 2 s to
    4 s), ``quiet`` (10 dB lower) or ``loud`` (hot, peaks over -1 dBTP)."""
    extension, codec_args = FORMATS[kind]
    path = directory / f"{variant}-{kind}.{extension}"
    if path.exists():
        return path
    rate = 48000 if kind == "opus" else 44100
    noise = (
        f"sine=frequency=330:sample_rate={rate}:duration={seconds}[a];"
        f"anoisesrc=color=pink:amplitude=0.3:sample_rate={rate}:duration={seconds}:seed=7[b];"
    )
    other_noise = (
        f"anoisesrc=color=pink:amplitude=0.3:sample_rate={rate}:duration={seconds}:seed=8[c];"
    )
    gain = {"quiet": -10, "loud": 16}.get(variant, 0)
    if variant == "clipped":
        # A -18 dBFS tone pushed 24 dB up from 2 s to 4 s: the conversion to 16-bit
        # samples cuts it flat at full scale there.
        graph = (
            f"sine=frequency=220:sample_rate={rate}:duration={seconds},"
            "volume=enable='between(t,2,4)':volume=24dB,aformat=sample_fmts=s16"
        )
    elif variant in ("mono", "dual-mono", "left-only"):
        layout = {
            "mono": "anull",
            "dual-mono": "pan=stereo|c0=c0|c1=c0",
            "left-only": "pan=stereo|c0=c0|c1=0*c0",
        }[variant]
        graph = (
            f"{noise}[a][b]amix=inputs=2:duration=first,volume={gain}dB,"
            f"adelay=3000:all=1,apad=pad_dur=2.5,{layout}"
        )
    else:  # padded, quiet, loud: two different noises, real stereo
        graph = (
            f"{noise}{other_noise}[a]asplit[a1][a2];[a1][b]amix=inputs=2:duration=first[l];"
            f"[a2][c]amix=inputs=2:duration=first[r];[l][r]join=inputs=2:channel_layout=stereo,"
            f"volume={gain}dB,adelay=3000:all=1,apad=pad_dur=2.5"
        )
    if variant == "clipped":
        source = directory / f"clipped-source-{rate}.wav"
        if not source.exists():
            ffmpeg("-f", "lavfi", "-i", graph, "-c:a", "pcm_s16le", str(source))
        ffmpeg("-i", str(source), *codec_args, str(path))
    else:
        ffmpeg("-filter_complex", graph, "-ar", str(rate), *codec_args, str(path))
    return path


def reference(path: Path) -> Reference:
    """What ffmpeg's own ebur128 and silencedetect report for the file."""
    result = subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-i", str(path), "-af",
         f"ebur128=peak=true:framelog=verbose,silencedetect=noise={SILENCE_DB}dB:d=0.2",
         "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    log = result.stderr
    summary = log[log.index("Summary:") :]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    lra = float(re.search(r"LRA:\s+(-?[\d.]+) LU", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))
    starts = [float(x) for x in re.findall(r"silence_start: (-?[\d.e-]+)", log)]
    ends = [float(x) for x in re.findall(r"silence_end: (-?[\d.e-]+)", log)]
    duration = _duration(path)
    leading = ends[0] if starts and starts[0] <= 0.01 else 0.0
    trailing = (
        duration - starts[-1]
        if starts and len(ends) >= len(starts) and abs(ends[-1] - duration) < 0.05
        else 0.0
    )
    return Reference(integrated, lra, peak, leading, trailing)


def _duration(path: Path) -> float:
    """The decoded duration (what silencedetect's last period ends at)."""
    result = subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-i", str(path), "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    times = re.findall(r"time=(\d+):(\d+):([\d.]+)", result.stderr)
    if not times:
        pytest.fail(f"ffmpeg did not report a duration for {path}")
    h, m, s = times[-1]
    return int(h) * 3600 + int(m) * 60 + float(s)
