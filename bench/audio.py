"""``python -m bench audio``: the analysis pass against ``ffmpeg -af ebur128`` on the same
60-minute files, in the same run.

For a 60-minute stereo MP3 (128 kbit/s) and M4A (AAC, 128 kbit/s), made once with ffmpeg
into the git-ignored ``bench/.audio/``: the wall time of
``ffmpeg -af ebur128=peak=true:framelog=verbose -f null -`` (the reference measurement,
without its per-frame log lines) and of ``publisher.audio.measure.measure`` (loudness, true
peak, silence, clipping, channel use and waveform in one pass), each run in its own
process, alternating, best of ``--repeat`` runs. Ours also reports its peak memory growth:
the process's peak resident set (VmHWM) minus its resident set just before the pass.

Targets (issue 15): at most 1.2x ffmpeg's wall time; at most 64 MB of peak memory growth.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from bench.common import table, verdict

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".audio"
MINUTES = 60
MAX_RATIO = 1.2
MAX_GROWTH_MB = 64

SOURCE = (
    "sine=frequency=330:sample_rate=44100:duration={seconds}[a];"
    "anoisesrc=color=pink:amplitude=0.2:sample_rate=44100:duration={seconds}:seed=3[b];"
    "anoisesrc=color=pink:amplitude=0.2:sample_rate=44100:duration={seconds}:seed=4[c];"
    "[a]asplit[a1][a2];[a1][b]amix=inputs=2:duration=first[l];"
    "[a2][c]amix=inputs=2:duration=first[r];"
    "[l][r]join=inputs=2:channel_layout=stereo,volume=6dB"
)
FILES = {
    "mp3": ["-c:a", "libmp3lame", "-b:a", "128k"],
    "m4a": ["-c:a", "aac", "-b:a", "128k"],
}

OURS = """
import json, resource, sys, time
from publisher.audio.measure import measure
def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) * 1024
before = status("VmRSS:")
start = time.perf_counter()
measured, waveform = measure(sys.argv[1], expected_seconds=float(sys.argv[2]))
wall = time.perf_counter() - start
print(json.dumps({"wall": wall, "growth": status("VmHWM:") - before,
                  "integrated": measured.integrated_lufs,
                  "waveform_bytes": len(waveform.to_json())}))
"""


def fixture(kind: str, minutes: int) -> Path:
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"bench-{minutes}min.{kind}"
    if not path.exists():
        print(f"Making {path.name} (once)...", flush=True)
        partial = path.with_suffix(".part" + path.suffix)
        subprocess.run(
            ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-filter_complex",
             SOURCE.format(seconds=minutes * 60), *FILES[kind], str(partial)],
            check=True,
        )  # fmt: skip
        partial.rename(path)
    return path


def run_ffmpeg(path: Path) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-i", str(path),
         "-af", "ebur128=peak=true:framelog=verbose", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    wall = time.perf_counter() - start
    integrated = result.stderr.rsplit("I:", 1)[-1].split("LUFS", 1)[0].strip()
    return wall, integrated


def run_ours(path: Path, seconds: float) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", OURS, str(path), str(seconds)],
        capture_output=True, text=True, check=True, cwd=HERE.parent,
    )  # fmt: skip
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench audio")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each (best kept)")
    parser.add_argument("--minutes", type=int, default=MINUTES, help="length of the files")
    args = parser.parse_args(argv)
    rows, ok = [], True
    for kind in FILES:
        path = fixture(kind, args.minutes)
        reference_walls, ours = [], []
        for _ in range(args.repeat):  # alternate, so both see the same machine
            wall, reference_integrated = run_ffmpeg(path)
            reference_walls.append(wall)
            ours.append(run_ours(path, args.minutes * 60))
        best = min(ours, key=lambda run: run["wall"])
        reference_wall = min(reference_walls)
        ratio = best["wall"] / reference_wall
        growth_mb = max(run["growth"] for run in ours) / 1024 / 1024
        passed = ratio <= MAX_RATIO and growth_mb <= MAX_GROWTH_MB
        ok &= passed
        rows.append([
            f"{args.minutes}-min {kind.upper()}", f"{reference_wall:.1f} s",
            f"{best['wall']:.1f} s", f"{ratio:.2f}x", f"{growth_mb:.1f} MB",
            f"{reference_integrated} / {best['integrated']:.1f}",
            f"{best['waveform_bytes'] / 1024:.1f} KB", verdict(passed),
        ])  # fmt: skip
    print(table(
        ["file", "ffmpeg ebur128", "ours (one pass)", "ratio (<= 1.2x)",
         "peak memory growth (<= 64 MB)", "LUFS ffmpeg / ours", "waveform", "verdict"],
        rows,
    ))  # fmt: skip
    return 0 if ok else 1
