"""Renditions: an episode's audio re-encoded, optionally normalized to a loudness target.

Normalization takes two passes: the first is our measurement (``measure``: integrated
loudness, range, true peak). When the gain to the target keeps the true peak under the
ceiling, the second pass applies that one gain (``volume``); otherwise the same gain
followed by a look-ahead peak limiter (``alimiter``) just under the ceiling. (FFmpeg's
``loudnorm`` does the same in its two-pass linear mode but falls back to a dynamic mode at
192 kHz that took longer than real time here: a 60-minute episode would take an hour.) Encoding uses
the encoders PyAV's wheels ship: LAME for MP3, FFmpeg's AAC in an M4A (``faststart``, so
players start before the whole file is there). Everything streams: frames go from the
decoder through the filter graph to the encoder and the output file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from itertools import pairwise
from pathlib import Path
from typing import Any, BinaryIO

import av
import av.filter

from publisher.audio.decode import AudioDecodeError, decoded_frames, open_audio
from publisher.audio.measure import SILENT_LUFS, Measurements

# codec -> (PyAV encoder, container format, file extension, samples per frame, options)
ENCODERS: dict[str, tuple[str, str, str, int, dict[str, str]]] = {
    "mp3": ("libmp3lame", "mp3", "mp3", 1152, {}),
    "aac": ("aac", "ipod", "m4a", 1024, {"movflags": "+faststart"}),
}
# Sample rates MP3 can carry; anything else is resampled to 44.1 kHz.
MP3_RATES = frozenset({32000, 44100, 48000, 22050, 24000, 16000})
AAC_RATES = frozenset({96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000})


LIMITER_MARGIN_DB = 0.5


class RenditionError(AudioDecodeError):
    """The rendition could not be made (the original is left as it was)."""

    code = "rendition_failed"


@dataclass(frozen=True)
class Loudness:
    """Normalize to ``target_lufs`` with peaks at most ``max_true_peak_dbtp``, from the
    first pass's ``measured`` values."""

    target_lufs: float
    max_true_peak_dbtp: float
    measured: Measurements


@dataclass(frozen=True)
class Plan:
    codec: str  # "mp3" or "aac"
    bitrate: int  # bits per second
    sample_rate: int
    channels: int  # 1 or 2
    loudness: Loudness | None = None
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def extension(self) -> str:
        return ENCODERS[self.codec][2]


def output_rate(codec: str, rate: int) -> int:
    allowed = MP3_RATES if codec == "mp3" else AAC_RATES
    return rate if rate in allowed else 44100


def linear_gain(loudness: Loudness) -> float | None:
    """The one gain that reaches the target when the peaks stay under the ceiling (what
    ``loudnorm`` does in linear mode); None when a limiter is needed."""
    m = loudness.measured
    gain = loudness.target_lufs - m.integrated_lufs
    return gain if m.true_peak_dbtp + gain <= loudness.max_true_peak_dbtp else None


def limiter_options(loudness: Loudness) -> str:
    """A look-ahead peak limiter a little under the ceiling: encoders and the
    reconstruction between samples add a few tenths of a dB."""
    ceiling = 10 ** ((loudness.max_true_peak_dbtp - LIMITER_MARGIN_DB) / 20)
    return f"limit={ceiling:.4f}:attack=5:release=50:level=false"


def render(source: str | Path | BinaryIO, output: Path, plan: Plan) -> None:
    """Decode ``source``, normalize when the plan says so, encode into ``output``."""
    if plan.loudness and plan.loudness.measured.integrated_lufs <= SILENT_LUFS:
        raise RenditionError("The episode is silent: there is nothing to normalize.")
    encoder, container_format, _, frame_size, options = ENCODERS[plan.codec]
    layout = "mono" if plan.channels == 1 else "stereo"
    with open_audio(source) as (container, stream):
        try:
            graph = _graph(stream, plan, layout, frame_size)
            with av.open(str(output), "w", format=container_format, options=options) as out:
                out.metadata.update(plan.metadata)
                target: Any = out.add_stream(encoder, rate=plan.sample_rate)
                target.layout = layout
                target.bit_rate = plan.bitrate
                written = 0
                for frame in decoded_frames(container, stream):
                    frame.pts = None
                    graph.push(frame)
                    written = _encode_ready(graph, target, out, written)
                graph.push(None)
                written = _encode_ready(graph, target, out, written)
                for packet in target.encode(None):
                    out.mux(packet)
        except av.FFmpegError as exc:
            raise RenditionError(f"The rendition could not be encoded ({exc}).") from exc
    if written == 0:
        raise RenditionError("The rendition came out empty: the audio has no samples.")


def _graph(stream: Any, plan: Plan, layout: str, frame_size: int) -> av.filter.Graph:
    graph = av.filter.Graph()
    chain = [graph.add_abuffer(template=stream)]
    if plan.loudness is not None:
        gain = plan.loudness.target_lufs - plan.loudness.measured.integrated_lufs
        chain.append(graph.add("volume", f"volume={gain:.2f}dB:precision=double"))
        if linear_gain(plan.loudness) is None:
            chain.append(graph.add("alimiter", limiter_options(plan.loudness)))
    # The plan's rate, and the sample format and layout the encoder takes.
    chain.append(graph.add("aresample", str(plan.sample_rate)))
    chain.append(
        graph.add(
            "aformat",
            f"sample_fmts=fltp:sample_rates={plan.sample_rate}:channel_layouts={layout}",
        )
    )
    chain.append(graph.add("abuffersink"))
    for upstream, downstream in pairwise(chain):
        upstream.link_to(downstream)
    graph.configure()
    graph.set_audio_frame_size(frame_size)
    return graph


def _encode_ready(graph: av.filter.Graph, target: Any, out: Any, written: int) -> int:
    while True:
        try:
            frame: Any = graph.pull()
        except (av.BlockingIOError, av.EOFError):
            return written
        frame.pts = written
        frame.time_base = Fraction(1, frame.sample_rate)
        written += frame.samples
        for packet in target.encode(frame):
            out.mux(packet)
