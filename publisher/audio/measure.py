"""One streamed pass over an episode's decoded audio: loudness, silence, clipping, channel
use, and the waveform peaks.

Loudness is FFmpeg's own ``ebur128`` filter (ITU-R BS.1770-4 / EBU R128, with 4x true-peak
oversampling) run through PyAV's filter graph, so it is the code the reference
``ffmpeg -af ebur128=peak=true`` runs; its running values come back as frame metadata and
the last ones are the summary. The filter passes the samples through (as 64-bit floats),
and numpy reads them (as 32-bit floats, one array per channel) in batches for the rest:

- **silence**: leading and trailing runs where every channel stays below the threshold
  (``silencedetect``'s rule, default -60 dBFS), counted in samples from the first decoded
  sample, as a listener's player counts time;
- **clipping**: runs of ``CLIP_RUN`` or more consecutive samples of one channel within
  ``CLIP_MARGIN_DB`` of full scale (flat tops; a single loud sample is not clipping);
- **channels**: for stereo, the energy of the difference between the channels against
  their sum tells two identical channels (mono published as stereo) and a channel that
  carries nothing.

Memory stays flat: one batch of samples (about a second) at a time, the waveform's pixels,
and FFmpeg's own buffers.
"""

from __future__ import annotations

import math
import queue
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import av
import av.filter
import numpy as np

from publisher.audio.decode import AudioDecodeError, decoded_frames, open_audio
from publisher.audio.waveform import Waveform, WaveformBuilder

BATCH_SAMPLES = 1 << 16
WORKER_QUEUE = 4  # batches waiting for the worker (about 2 MB for stereo)
# Samples are first reduced to blocks (min and max over the channels and BLOCK samples);
# waveform, silence search and peak work on the blocks.
BLOCK = 256
CLIP_MARGIN_DB = 0.01
CLIP_RUN = 3
CLIP_TIMES_KEPT = 10
# Side (L-R) energy this far below mid (L+R): the two channels carry the same sound.
DUAL_MONO_DB = -50.0
# One channel this far below the other: it carries (almost) nothing.
ONE_SIDED_DB = -40.0
SILENT_LUFS = -70.0  # ebur128's floor: nothing above the absolute gate


@dataclass
class Measurements:
    """What the pass measured; plain numbers, stored as JSON."""

    duration_seconds: float
    sample_rate: int
    channels: int
    integrated_lufs: float
    loudness_range_lu: float
    true_peak_dbtp: float
    sample_peak_dbfs: float
    leading_silence_seconds: float
    trailing_silence_seconds: float
    silence_threshold_db: float
    clipping_runs: int
    clipped_seconds: float
    clipping_at: list[float] = field(default_factory=list)
    channel_use: str = "mono"  # mono | stereo | dual-mono | left-only | right-only | multi
    side_to_mid_db: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def db(value: float) -> float:
    """Amplitude to dB, with silence as -inf rounded to a floor of -200 dB."""
    return 20 * math.log10(value) if value > 1e-10 else -200.0


def measure(
    source: str | Path | BinaryIO,
    *,
    expected_seconds: float | None = None,
    silence_threshold_db: float = -60.0,
    waveform_points: int = 1000,
) -> tuple[Measurements, Waveform]:
    """Decode ``source`` once and measure it; AudioDecodeError if it cannot be decoded."""
    with open_audio(source) as (container, stream):
        rate = stream.rate or stream.codec_context.sample_rate
        if not rate:
            raise AudioDecodeError("The audio stream does not say its sample rate.")
        expected = int(expected_seconds * rate) if expected_seconds else None
        waveform = WaveformBuilder(rate, expected, waveform_points, block=BLOCK)
        pass_ = _Pass(rate, silence_threshold_db, waveform)
        graph, sink_pull = _loudness_graph(stream)
        try:
            for frame in decoded_frames(container, stream):
                frame.pts = None  # the graph needs no time stamps; some streams have gaps
                graph.push(frame)
                pass_.drain(sink_pull)
            graph.push(None)
            pass_.drain(sink_pull)
            return pass_.finish()
        except av.FFmpegError as exc:
            raise AudioDecodeError(f"The audio could not be measured ({exc}).") from exc
        finally:
            pass_.close()


def _loudness_graph(stream: Any):
    graph = av.filter.Graph()
    source = graph.add_abuffer(template=stream)
    ebur128 = graph.add("ebur128", "peak=true:metadata=1")
    # After the filter, planar 32-bit floats: FFmpeg de-interleaves faster than numpy,
    # and half the bytes halve numpy's work.
    planar = graph.add("aformat", "sample_fmts=fltp")
    sink = graph.add("abuffersink")
    source.link_to(ebur128)
    ebur128.link_to(planar)
    planar.link_to(sink)
    graph.configure()
    return graph, graph.pull


class _Pass:
    """The running state of one measuring pass."""

    def __init__(self, rate: int, silence_threshold_db: float, waveform: WaveformBuilder):
        self.rate = rate
        self.silence_threshold_db = silence_threshold_db
        self.silence_level = 10 ** (silence_threshold_db / 20)
        self.clip_level = 10 ** (-CLIP_MARGIN_DB / 20)
        self.waveform = waveform
        self.metadata: dict[str, str] = {}
        self.batch: list[list[np.ndarray]] = []  # frames: one array per channel
        self.batched = 0
        self.channels = 0
        self.samples = 0
        self.first_loud: int | None = None
        self.last_loud = -1
        self.peak = 0.0
        self.clip_runs = 0
        self.clipped_samples = 0
        self.clip_times: list[float] = []
        self.clip_carry: list[int] = []
        self.energy = np.zeros(4)  # left², right², (L-R)², (L+R)²

    def drain(self, pull) -> None:
        while True:
            try:
                frame = pull()
            except (av.BlockingIOError, av.EOFError):
                break
            if frame.metadata:
                self.metadata = frame.metadata
            channels = frame.layout.nb_channels
            if self.channels and channels != self.channels:
                raise AudioDecodeError("The number of channels changes inside the file.")
            self.channels = channels
            # Reading the planes directly costs a fraction of to_ndarray() per small frame.
            count = frame.samples
            planes = frame.planes
            self.batch.append(
                [np.frombuffer(planes[c], dtype=np.float32, count=count) for c in range(channels)]
            )
            self.batched += count
            if self.batched >= BATCH_SAMPLES:
                self._hand_off(self.batch)
                self.batch, self.batched = [], 0

    # The numbers are computed by a worker thread while this one decodes and runs the
    # filter graph: numpy releases the GIL in its loops, so on a machine with two cores
    # the pass takes little more than the decoding (a bounded queue keeps memory flat).

    def _start_worker(self) -> None:
        self._queue: queue.Queue = queue.Queue(maxsize=WORKER_QUEUE)
        self._error: BaseException | None = None
        self._rest: list[list[np.ndarray]] = []
        self._worker = threading.Thread(target=self._work, name="publisher-measure", daemon=True)
        self._worker.start()

    def _hand_off(self, batch: list[list[np.ndarray]] | None, final: bool = False) -> None:
        if not hasattr(self, "_worker"):
            self._start_worker()
        while True:
            if self._error is not None:
                raise self._error
            try:
                self._queue.put((batch, final), timeout=0.5)
                return
            except queue.Full:
                continue

    def close(self) -> None:
        """Stop the worker (after a failure in the decoding thread too)."""
        worker = getattr(self, "_worker", None)
        if worker is None or not worker.is_alive():
            return
        self._error = self._error or RuntimeError("measurement abandoned")
        while worker.is_alive():
            try:
                self._queue.put((None, True), timeout=0.5)
                break
            except queue.Full:
                continue
        worker.join()

    def _work(self) -> None:
        while True:
            batch, final = self._queue.get()
            if batch is None:
                return
            if self._error is not None:
                continue  # keep draining so the decoder never blocks
            try:
                self._process(batch, final)
            except BaseException as exc:  # re-raised in the decoding thread
                self._error = exc

    def _process(self, batch: list[list[np.ndarray]], final: bool = False) -> None:
        batch = self._rest + batch
        if not batch:
            return
        x = [np.concatenate([frame[c] for frame in batch]) for c in range(self.channels)]
        size = x[0].size
        usable = size if final else size - size % BLOCK
        # Whole blocks now; the rest starts the next batch.
        self._rest = [] if usable == size else [[row[usable:] for row in x]]
        if usable == 0:
            return
        x = [row[:usable] for row in x]
        offset = self.samples
        self.samples += usable
        lows, highs = x[0], x[0]
        for row in x[1:]:  # per sample frame, over the channels
            lows, highs = np.minimum(lows, row), np.maximum(highs, row)
        block_lows, block_highs = _blocks(lows, np.minimum), _blocks(highs, np.maximum)
        self.waveform.add(block_lows, block_highs)
        block_amplitude = np.maximum(block_highs, -block_lows)
        loud = np.flatnonzero(block_amplitude >= self.silence_level)
        if loud.size:
            if self.first_loud is None:
                self.first_loud = offset + self._loud_in(lows, highs, int(loud[0]), first=True)
            self.last_loud = offset + self._loud_in(lows, highs, int(loud[-1]), first=False)
        batch_peak = float(block_amplitude.max())
        self.peak = max(self.peak, batch_peak)
        if not self.clip_carry:
            self.clip_carry = [0] * len(x)
        if batch_peak >= self.clip_level or any(self.clip_carry):
            self._clipping(x, offset)
        if len(x) == 2:
            left, right = x[0], x[1]
            # einsum's own loops, not np.dot: BLAS threads only contend on a busy machine.
            ll, rr, lr = (
                float(np.einsum("i,i->", a, b, dtype=np.float64))
                for a, b in ((left, left), (right, right), (left, right))
            )
            self.energy += (ll, rr, ll + rr - 2 * lr, ll + rr + 2 * lr)

    def _loud_in(self, lows: np.ndarray, highs: np.ndarray, block: int, first: bool) -> int:
        """The first (or last) sample of ``block`` at or above the silence threshold."""
        span = slice(block * BLOCK, (block + 1) * BLOCK)
        amplitude = np.maximum(highs[span], -lows[span])
        found = np.flatnonzero(amplitude >= self.silence_level)
        return block * BLOCK + int(found[0] if first else found[-1])

    def _clipping(self, x: list[np.ndarray], offset: int) -> None:
        for channel in range(len(x)):
            mask = np.abs(x[channel]) >= self.clip_level
            carry = self.clip_carry[channel]
            if not mask.any():
                self._clip_run(offset - carry, carry)
                self.clip_carry[channel] = 0
                continue
            edges = np.diff(np.concatenate(([0], mask.view(np.int8), [0])))
            starts = np.flatnonzero(edges == 1)
            ends = np.flatnonzero(edges == -1)
            runs = list(zip(starts.tolist(), ends.tolist(), strict=True))
            if carry:
                if runs and runs[0][0] == 0:
                    runs[0] = (-carry, runs[0][1])
                else:
                    self._clip_run(offset - carry, carry)
            self.clip_carry[channel] = 0
            if runs and runs[-1][1] == mask.size:
                start, end = runs.pop()
                self.clip_carry[channel] = end - start
            for start, end in runs:
                self._clip_run(offset + start, end - start)

    def _clip_run(self, start: int, length: int) -> None:
        if length < CLIP_RUN:
            return
        self.clip_runs += 1
        self.clipped_samples += length
        if len(self.clip_times) < CLIP_TIMES_KEPT:
            self.clip_times.append(round(start / self.rate, 3))

    def finish(self) -> tuple[Measurements, Waveform]:
        self._hand_off(self.batch, final=True)
        self.batch = []
        self._hand_off(None)
        self._worker.join()
        if self._error is not None:
            raise self._error
        for channel, carry in enumerate(self.clip_carry):
            self._clip_run(self.samples - carry, carry)
            self.clip_carry[channel] = 0
        self.clip_times.sort()
        rate, total = self.rate, self.samples
        if self.first_loud is None:
            leading = trailing = total / rate
        else:
            leading = self.first_loud / rate
            trailing = (total - self.last_loud - 1) / rate
        meta = self.metadata
        true_peak_linear = max(_number(meta, "lavfi.r128.true_peak", 0.0), self.peak)
        use, side_to_mid = self._channel_use()
        measurements = Measurements(
            duration_seconds=round(total / rate, 3),
            sample_rate=rate,
            channels=self.channels,
            integrated_lufs=round(_number(meta, "lavfi.r128.I", SILENT_LUFS), 2),
            loudness_range_lu=round(_number(meta, "lavfi.r128.LRA", 0.0), 2),
            true_peak_dbtp=round(db(true_peak_linear), 2),
            sample_peak_dbfs=round(db(self.peak), 2),
            leading_silence_seconds=round(leading, 3),
            trailing_silence_seconds=round(trailing, 3),
            silence_threshold_db=self.silence_threshold_db,
            clipping_runs=self.clip_runs,
            clipped_seconds=round(self.clipped_samples / rate, 3),
            clipping_at=self.clip_times,
            channel_use=use,
            side_to_mid_db=side_to_mid,
        )
        return measurements, self.waveform.finish()

    def _channel_use(self) -> tuple[str, float | None]:
        if self.channels == 1:
            return "mono", None
        if self.channels != 2:
            return "multi", None
        left, right, side, mid = self.energy.tolist()
        if mid <= 0 and side <= 0:
            return "stereo", None
        side_to_mid = round(10 * math.log10(max(side, 1e-20) / max(mid, 1e-20)), 1)
        if side_to_mid <= DUAL_MONO_DB:
            return "dual-mono", side_to_mid
        louder = max(left, right)
        if louder > 0 and 10 * math.log10(max(min(left, right), 1e-20) / louder) <= ONE_SIDED_DB:
            return ("left-only" if left > right else "right-only"), side_to_mid
        return "stereo", side_to_mid


def _number(metadata: dict[str, str], key: str, default: float) -> float:
    try:
        value = float(metadata[key])
    except (KeyError, ValueError):
        return default
    return value if math.isfinite(value) else default


def _blocks(values: np.ndarray, reduce: np.ufunc) -> np.ndarray:
    """``reduce`` over each BLOCK of values (the last block may be short)."""
    whole = values.size - values.size % BLOCK
    reduced = reduce.reduce(values[:whole].reshape(-1, BLOCK), axis=1)
    if whole < values.size:
        reduced = np.append(reduced, reduce.reduce(values[whole:]))
    return reduced
