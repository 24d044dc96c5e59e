"""What the measurements mean for a producer: findings with a sentence to act on.

Each finding is ``{"code", "severity", "message", "action", "value"}``: ``severity`` is
``error`` (the episode is broken for listeners), ``warning`` (it falls outside what Apple
and the big apps recommend) or ``info``; ``action`` names the fix Publisher can make
(``normalize``: a loudness-normalized rendition; ``compatible``: an MP3/AAC rendition),
or is None when only the producer can fix it (re-export, re-record). docs/audio.md
explains each one. The targets are settings (``Targets.from_config``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from publisher.audio.measure import SILENT_LUFS, Measurements

# Formats Apple Podcasts plays: MP3, and AAC in MP4/M4A.
APPLE_CODECS = frozenset({"mp3", "aac"})
CODEC_NAMES = {
    "opus": "Opus",
    "vorbis": "Ogg Vorbis",
    "flac": "FLAC",
    "alac": "Apple Lossless",
}


@dataclass(frozen=True)
class Targets:
    """Loudness targets and thresholds (defaults: Apple's recommendations)."""

    stereo_lufs: float = -16.0
    mono_lufs: float = -19.0
    tolerance_lu: float = 1.0
    max_true_peak_dbtp: float = -1.0
    silence_threshold_db: float = -60.0
    silence_warning_seconds: float = 2.0
    max_loudness_range_lu: float = 15.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Targets:
        return cls(
            stereo_lufs=float(config["AUDIO_TARGET_LUFS_STEREO"]),
            mono_lufs=float(config["AUDIO_TARGET_LUFS_MONO"]),
            tolerance_lu=float(config["AUDIO_TARGET_TOLERANCE_LU"]),
            max_true_peak_dbtp=float(config["AUDIO_MAX_TRUE_PEAK_DBTP"]),
            silence_threshold_db=float(config["AUDIO_SILENCE_THRESHOLD_DB"]),
            silence_warning_seconds=float(config["AUDIO_SILENCE_WARNING_SECONDS"]),
            max_loudness_range_lu=float(config["AUDIO_MAX_LOUDNESS_RANGE_LU"]),
        )

    def loudness_for(self, channels: int) -> float:
        """Mono files are played on both speakers, so they sound 3 LU louder: -19 LUFS
        mono matches -16 LUFS stereo."""
        return self.mono_lufs if channels == 1 else self.stereo_lufs

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


MINUS = "\N{MINUS SIGN}"


def signed(value: float, unit: str) -> str:
    """'-23.4 LUFS', '+0.3 dBTP', '-16 LUFS', written with a real minus sign."""
    text = f"{value:+.1f}" if unit == "dBTP" else f"{value:.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return f"{text.replace('-', MINUS)} {unit}"


def clock(seconds: float) -> str:
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def findings_for(m: Measurements, codec: str | None, targets: Targets) -> list[dict[str, Any]]:
    """Every finding about ``m`` (the audio's codec as the probe named it)."""
    found: list[dict[str, Any]] = []

    def add(code: str, severity: str, message: str, action: str | None, value: Any) -> None:
        found.append(
            {
                "code": code,
                "severity": severity,
                "message": message,
                "action": action,
                "value": value,
            }
        )

    if m.integrated_lufs <= SILENT_LUFS:
        add(
            "silent",
            "error",
            "The episode is silent: nothing in it is louder than "
            f"{signed(SILENT_LUFS, 'LUFS')}. Check the export (a muted track, the wrong file).",
            None,
            m.integrated_lufs,
        )
        return found
    target = targets.loudness_for(m.channels)
    layout = "mono" if m.channels == 1 else "stereo"
    recommended = f"Apple recommends {signed(target, 'LUFS')} ±{targets.tolerance_lu:g} LU"
    integrated = signed(m.integrated_lufs, "LUFS")
    if m.integrated_lufs < target - targets.tolerance_lu:
        add(
            "too_quiet",
            "warning",
            f"{integrated} integrated: {recommended} for {layout}; "
            "listeners will turn it up and other episodes will blast. Normalize?",
            "normalize",
            m.integrated_lufs,
        )
    elif m.integrated_lufs > target + targets.tolerance_lu:
        add(
            "too_loud",
            "warning",
            f"{integrated} integrated: {recommended} for {layout}; "
            "it will sound louder than other shows and tire listeners. Normalize?",
            "normalize",
            m.integrated_lufs,
        )
    if m.true_peak_dbtp > targets.max_true_peak_dbtp:
        add(
            "true_peak",
            "warning",
            f"True peak {signed(m.true_peak_dbtp, 'dBTP')}: above "
            f"{signed(targets.max_true_peak_dbtp, 'dBTP')}, it will clip on some players once "
            "decoded. A normalized rendition limits it.",
            "normalize",
            m.true_peak_dbtp,
        )
    if m.clipping_runs:
        first = ", ".join(clock(t) for t in m.clipping_at[:3])
        runs = "1 place" if m.clipping_runs == 1 else f"{m.clipping_runs} places"
        add(
            "clipping",
            "warning",
            f"Clipping in {runs} ({m.clipped_seconds:.2f} s in all, "
            f"first at {first}): the recording hit full scale and the peaks were cut flat. "
            "Lower the recording or mixing gain and export again; normalizing cannot "
            "restore them.",
            None,
            m.clipping_runs,
        )
    if m.leading_silence_seconds >= targets.silence_warning_seconds:
        add(
            "leading_silence",
            "warning",
            f"{m.leading_silence_seconds:.1f} s of silence at "
            "the start: listeners may think the episode is broken. Trim it and upload the "
            "audio again.",
            None,
            m.leading_silence_seconds,
        )
    if m.trailing_silence_seconds >= targets.silence_warning_seconds:
        add(
            "trailing_silence",
            "info",
            f"{m.trailing_silence_seconds:.1f} s of silence at "
            "the end: apps that play the next episode automatically will wait that long.",
            None,
            m.trailing_silence_seconds,
        )
    if m.loudness_range_lu > targets.max_loudness_range_lu:
        add(
            "wide_range",
            "info",
            f"Loudness range {m.loudness_range_lu:.1f} LU: quiet and "
            "loud passages differ a lot, so listeners in a car or on a train will keep "
            "reaching for the volume. Level the voices (compression) before export.",
            None,
            m.loudness_range_lu,
        )
    if m.channel_use == "dual-mono":
        add(
            "dual_mono",
            "info",
            "Both channels carry the same sound: this is mono "
            "published as stereo. Exporting it as mono halves the file at the same quality "
            f"(then aim for {signed(targets.mono_lufs, 'LUFS')}).",
            None,
            m.side_to_mid_db,
        )
    elif m.channel_use in ("left-only", "right-only"):
        side = m.channel_use.split("-")[0]
        add(
            "one_channel",
            "warning",
            f"Only the {side} channel carries sound: listeners "
            "with headphones hear the episode in one ear. Export it as mono.",
            None,
            m.channel_use,
        )
    if codec and codec not in APPLE_CODECS:
        name = CODEC_NAMES.get(codec, codec.upper())
        add(
            "not_apple_playable",
            "warning",
            f"{name} does not play in Apple Podcasts: make "
            "an MP3 rendition for the enclosure (the original stays available to apps that "
            "play it).",
            "compatible",
            codec,
        )
    return found
