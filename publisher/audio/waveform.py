"""Waveform peaks in BBC audiowaveform's JSON format (version 2, 8 bits, one channel).

The document peaks.js and our player read: ``{"version": 2, "channels": 1, "sample_rate",
"samples_per_pixel", "bits": 8, "length", "data": [min0, max0, min1, max1, …]}`` where each
pair is the lowest and highest sample (all channels together) over ``samples_per_pixel``
samples, scaled to -128..127.

Its size is bounded whatever the length of the episode: ``samples_per_pixel`` is chosen
from the expected duration so that about ``points`` pixels come out, pixels are merged
in pairs while decoding if the audio is much longer than expected, and the finished
document is merged down to at most ``points`` pixels (a 3-hour episode gives the
same few kilobytes as a 3-minute one).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np

VERSION = 2
BITS = 8
MIN_SAMPLES_PER_PIXEL = 256
CONTENT_TYPE = "application/json"


@dataclass(frozen=True)
class Waveform:
    sample_rate: int
    samples_per_pixel: int
    data: list[int]  # min, max pairs

    @property
    def length(self) -> int:
        return len(self.data) // 2

    def to_json(self) -> bytes:
        """The audiowaveform JSON document, compact."""
        document = {
            "version": VERSION,
            "channels": 1,
            "sample_rate": self.sample_rate,
            "samples_per_pixel": self.samples_per_pixel,
            "bits": BITS,
            "length": self.length,
            "data": self.data,
        }
        return json.dumps(document, separators=(",", ":")).encode()


class WaveformBuilder:
    """Accumulates minima and maxima into pixels, in bounded memory. Each value given to
    ``add`` covers ``block`` samples; a pixel covers a whole number of blocks."""

    def __init__(
        self, sample_rate: int, expected_samples: int | None, points: int = 1000, block: int = 1
    ):
        self.sample_rate = sample_rate
        self.points = max(16, int(points))
        self.block = block
        wanted = math.ceil((expected_samples or 0) / self.points / block)
        self._blocks_per_pixel = max(math.ceil(MIN_SAMPLES_PER_PIXEL / block), wanted)
        self._mins: list[np.ndarray] = []
        self._maxs: list[np.ndarray] = []
        self._count = 0
        self._carry_lo = np.empty(0)
        self._carry_hi = np.empty(0)

    @property
    def samples_per_pixel(self) -> int:
        return self._blocks_per_pixel * self.block

    def add(self, lows: np.ndarray, highs: np.ndarray) -> None:
        """Per block: the lowest and highest value over the channels."""
        if self._carry_lo.size:
            lows = np.concatenate((self._carry_lo, lows))
            highs = np.concatenate((self._carry_hi, highs))
        spp = self._blocks_per_pixel
        full = (lows.size // spp) * spp
        if full:
            self._mins.append(lows[:full].reshape(-1, spp).min(axis=1))
            self._maxs.append(highs[:full].reshape(-1, spp).max(axis=1))
            self._count += full // spp
        self._carry_lo, self._carry_hi = lows[full:].copy(), highs[full:].copy()
        # Much longer than expected: halve the resolution (an even count keeps the
        # carried samples aligned with the doubled pixels).
        if self._count > 8 * self.points and self._count % 2 == 0:
            mins, maxs = np.concatenate(self._mins), np.concatenate(self._maxs)
            self._mins = [mins.reshape(-1, 2).min(axis=1)]
            self._maxs = [maxs.reshape(-1, 2).max(axis=1)]
            self._count //= 2
            self._blocks_per_pixel *= 2

    def finish(self) -> Waveform:
        mins = list(self._mins)
        maxs = list(self._maxs)
        if self._carry_lo.size:
            mins.append(np.array([self._carry_lo.min()]))
            maxs.append(np.array([self._carry_hi.max()]))
        low = np.concatenate(mins) if mins else np.zeros(0)
        high = np.concatenate(maxs) if maxs else np.zeros(0)
        spp = self.samples_per_pixel
        limit = self.points
        if low.size > limit:
            factor = math.ceil(low.size / limit)
            pad = (-low.size) % factor
            low = np.concatenate((low, np.full(pad, low[-1]))).reshape(-1, factor).min(axis=1)
            high = np.concatenate((high, np.full(pad, high[-1]))).reshape(-1, factor).max(axis=1)
            spp *= factor
        scaled_low = np.clip(np.floor(low * 128), -128, 127).astype(np.int16)
        scaled_high = np.clip(np.ceil(high * 128), -128, 127).astype(np.int16)
        data = np.empty(scaled_low.size * 2, dtype=np.int16)
        data[0::2], data[1::2] = scaled_low, scaled_high
        return Waveform(self.sample_rate, spp, data.tolist())
