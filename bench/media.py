"""Media benchmarks, against an S3-compatible server started as a separate process on
loopback: s3rver (Node, disk-backed; the default when installed under bench/.node/) or
moto's server (``--server moto``).

1. Ingest of a 500 MB audio file into the S3 store: peak memory growth of this process
   (≤ 64 MB) and wall time against a plain boto3 ``upload_file`` of the same file to the
   same endpoint in the same run (≤ 1.3x).
2. Probing a 60-minute MP3 held in S3: bytes read (≤ 512 KB) and time against
   downloading the whole object (≤ 0.1x).
3. Probe time per format for small files, so regressions show.

Run: ``python -m bench media`` (full sizes) or ``python -m bench.media --quick`` (or
``PUBLISHER_BENCH_QUICK=1``) for a 50 MB / 10-minute smoke run. Files are made with
ffmpeg at run time in a temporary folder and removed afterwards.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from bench.common import median_of, table, verdict

ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": "/dev/null",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    "AWS_EC2_METADATA_DISABLED": "true",
}
MB = 1024 * 1024


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", *args], check=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


S3RVER_VERSION = "3.7.1"
S3RVER_BIN = Path(__file__).with_name(".node") / "node_modules" / ".bin" / "s3rver"
# s3rver's built-in account (it checks signatures against it); moto accepts any key.
CREDENTIALS = {
    "moto": ("bench", "bench-secret"),
    "s3rver": ("S3RVER", "S3RVER"),
}


def s3rver_available() -> bool:
    return S3RVER_BIN.exists() and shutil.which("node") is not None


def _wait_for_port(port: int, process: subprocess.Popen, name: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited at start (code {process.returncode})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{name} did not start")


@contextmanager
def s3_server(kind: str, workdir: Path):
    """An S3-compatible server in its own process on loopback (its memory is not ours).

    ``s3rver`` (Node) keeps objects as files in a folder and serves a ranged GET by
    reading only that range from disk, as S3 does; ``moto`` keeps objects in memory and
    reads the whole object for every ranged GET (fine for tests, not for timing probes).
    """
    port = free_port()
    if kind == "s3rver":
        data = workdir / "s3rver"
        data.mkdir()
        command = [str(S3RVER_BIN), "-d", str(data), "-a", "127.0.0.1", "-p", str(port), "-s"]
    else:
        command = [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1",
                   "-p", str(port)]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_port(port, process, kind)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


# -- memory ---------------------------------------------------------------------------------


def _status_kb(field: str) -> int:
    text = Path("/proc/self/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", text, re.M)[1])


def reset_peak_rss() -> bool:
    """Reset VmHWM (peak RSS) to the current RSS (Linux: write 5 to clear_refs)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


# -- the parts ------------------------------------------------------------------------------


def make_app(endpoint: str, bucket: str, workdir: Path):
    from flask_migrate import upgrade

    from publisher import create_app
    from publisher.extensions import db
    from publisher.models import Show

    app = create_app(
        {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.db'}",
            "INSTANCE_PATH": str(workdir / "instance"),
            "MEDIA_ROOT": str(workdir / "media"),
            "UPLOAD_TEMP_DIR": str(workdir / "spool"),
            "STORAGE": "s3",
            "S3_BUCKET": bucket,
            "S3_ENDPOINT_URL": endpoint,
            "S3_REGION": "us-east-1",
            "MAX_UPLOAD_MB": 4096,
        }
    )
    with app.app_context():
        upgrade()
        show = Show(slug="bench", title="Bench", podcast_guid=str(uuid.uuid4()))
        db.session.add(show)
        db.session.commit()
        show_id = show.id
    return app, show_id


def bench_ingest(app, show_id: int, endpoint: str, bucket: str, path: Path, repeat: int):
    import boto3
    from botocore.config import Config

    from publisher.extensions import db
    from publisher.models import Episode, Show
    from publisher.operations.episodes import create_episode, delete_episode

    client = boto3.session.Session().client(
        "s3", endpoint_url=endpoint, config=Config(s3={"addressing_style": "path"})
    )

    def ingest_once() -> float:
        with app.app_context():
            start = time.perf_counter()
            with path.open("rb") as stream:
                episode = create_episode(db.session.get(Show, show_id), stream, path.name, {})
            db.session.commit()
            elapsed = time.perf_counter() - start
            delete_episode(db.session.get(Episode, episode.id))
            db.session.commit()
        return elapsed

    def baseline_once() -> float:
        start = time.perf_counter()
        client.upload_file(str(path), bucket, "baseline/audio.wav")
        elapsed = time.perf_counter() - start
        client.delete_object(Bucket=bucket, Key="baseline/audio.wav")
        return elapsed

    # Memory: the first ingest, from a fresh peak.
    with app.app_context():
        from publisher.media.storage import get_storage

        get_storage()  # create the client before measuring (a one-off cost)
    rss_before = _status_kb("VmRSS")
    exact = reset_peak_rss()
    ingest_once()
    growth_mb = (_status_kb("VmHWM") - rss_before) / 1024
    baseline_once()  # the first of each warms caches: timed rounds follow
    # Timed rounds in ABBA order, so that a load change on a shared machine hits both
    # sides alike; the verdict uses the median of the per-round ratios.
    ingest_times: list[float] = []
    baseline_times: list[float] = []
    for round_number in range(repeat):
        if round_number % 2:
            baseline_times.append(baseline_once())
            ingest_times.append(ingest_once())
        else:
            ingest_times.append(ingest_once())
            baseline_times.append(baseline_once())
    ingest_runs = [round(t, 2) for t in ingest_times]
    baseline_runs = [round(t, 2) for t in baseline_times]
    print(f"runs (s): ingest {ingest_runs}, upload_file {baseline_runs}\n")
    ratios = sorted(i / b for i, b in zip(ingest_times, baseline_times, strict=True))
    ratio = ratios[len(ratios) // 2]
    return min(ingest_times), min(baseline_times), ratio, growth_mb, exact


def bench_probe_in_s3(endpoint: str, bucket: str, path: Path, key: str):
    from publisher.media.probe import probe
    from publisher.media.storage import PROBE_PREFETCH, S3Storage

    storage = S3Storage(bucket, endpoint_url=endpoint, region="us-east-1")
    storage.save_file(key, path, content_type="audio/mpeg")
    fetched = {}

    def probe_once() -> None:
        with storage.open_seekable(key) as handle:
            info = probe(handle, key)
            fetched["bytes"], fetched["requests"] = handle.bytes_fetched, handle.fetches
        fetched["duration"] = info.duration_seconds

    def download_once() -> None:
        with storage.open(key) as body:
            while body.read(MB):
                pass

    def bare_range_once() -> None:
        # The floor: one ranged GET of the bytes the probe reads, no parsing. On moto it
        # grows with the object's size (moto reads the whole object for each range).
        storage.client.get_object(Bucket=bucket, Key=key, Range=f"bytes=0-{PROBE_PREFETCH - 1}")[
            "Body"
        ].read()

    probe_time = median_of(probe_once, 7)
    bare_time = median_of(bare_range_once, 7)
    download_time = median_of(download_once, 5)
    storage.delete(key)
    return probe_time, bare_time, download_time, fetched


def bench_formats(workdir: Path) -> list[list[object]]:
    from publisher.media.probe import probe

    rows = []
    kinds = {
        "mp3 (CBR, Xing)": ("mp3", ["-c:a", "libmp3lame", "-b:a", "128k"]),
        "mp3 (VBR, Xing)": ("mp3", ["-c:a", "libmp3lame", "-q:a", "4"]),
        "mp3 (VBR, no Xing: frame count)": (
            "mp3",
            ["-c:a", "libmp3lame", "-q:a", "4", "-write_xing", "0"],
        ),
        "m4a (AAC)": ("m4a", ["-c:a", "aac", "-b:a", "128k"]),
        "ogg (Vorbis)": ("ogg", ["-c:a", "libvorbis", "-q:a", "4"]),
        "opus": ("opus", ["-c:a", "libopus", "-b:a", "64k"]),
        "flac": ("flac", ["-c:a", "flac"]),
        "wav": ("wav", ["-c:a", "pcm_s16le"]),
    }
    for label, (extension, codec) in kinds.items():
        path = workdir / f"fmt-{len(rows)}.{extension}"
        rate = "48000" if extension == "opus" else "44100"
        tone = f"sine=frequency=330:sample_rate={rate}:duration=30"
        noise = f"anoisesrc=color=pink:amplitude=0.2:sample_rate={rate}:duration=30"
        mix = ["-filter_complex", "amix=inputs=2:duration=first", "-ac", "2"]
        ffmpeg("-f", "lavfi", "-i", tone, "-f", "lavfi", "-i", noise, *mix, *codec, str(path))
        data = path.read_bytes()

        def once(data: bytes = data, name: str = path.name) -> None:
            probe(io.BytesIO(data), name)

        seconds = median_of(once, 21)
        rows.append([label, f"{len(data) / 1024:.0f} KB", f"{seconds * 1000:.2f} ms"])
    return rows


# -- main -----------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.media")
    parser.add_argument("--quick", action="store_true", help="50 MB and 10 minutes")
    parser.add_argument("--repeat", type=int, default=5, help="ingest/baseline rounds")
    parser.add_argument("--ingest-mb", type=int, help="size of the ingested file")
    parser.add_argument("--probe-minutes", type=int, help="length of the probed MP3")
    parser.add_argument("--skip-probe", action="store_true", help="only the ingest part")
    parser.add_argument(
        "--server",
        choices=("moto", "s3rver"),
        default="s3rver" if s3rver_available() else "moto",
        help="the S3-compatible server (default: s3rver when installed, see `make bench`)",
    )
    args = parser.parse_args(argv)
    if args.server == "s3rver" and not s3rver_available():
        print(f"s3rver is not installed: npm install --prefix bench/.node s3rver@{S3RVER_VERSION}")
        return 2
    quick = args.quick or os.environ.get("PUBLISHER_BENCH_QUICK") == "1"
    ingest_mb = args.ingest_mb or (50 if quick else 500)
    probe_minutes = args.probe_minutes or (10 if quick else 60)
    os.environ.update(ENVIRONMENT)
    os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"] = CREDENTIALS[args.server]

    workdir = Path(tempfile.mkdtemp(prefix="publisher-bench-media-"))
    failed = False
    logging.disable(logging.INFO)  # migration and per-ingest INFO lines would drown the tables
    try:
        with s3_server(args.server, workdir) as endpoint:
            import boto3
            from botocore.config import Config

            bucket = "bench-media"
            boto3.session.Session().client(
                "s3", endpoint_url=endpoint, config=Config(s3={"addressing_style": "path"})
            ).create_bucket(Bucket=bucket)

            # 1. Ingest: a WAV of the wanted size (PCM, 44.1 kHz stereo: 176,400 B/s).
            wav = workdir / "big.wav"
            seconds = ingest_mb * MB / 176400
            tone = f"sine=frequency=220:sample_rate=44100:duration={seconds:.1f}"
            ffmpeg("-f", "lavfi", "-i", tone, "-ac", "2", "-c:a", "pcm_s16le", str(wav))
            os.sync()  # no write-back of the fresh file during the timed runs
            app, show_id = make_app(endpoint, bucket, workdir)
            size_mb = wav.stat().st_size / MB
            print(f"### Ingest of a {size_mb:.0f} MB WAV into S3 ({args.server} on loopback)\n")
            ingest_s, baseline_s, ratio, growth_mb, exact = bench_ingest(
                app, show_id, endpoint, bucket, wav, max(1, args.repeat)
            )
            wav.unlink()
            memory_ok, time_ok = growth_mb <= 64, ratio <= 1.3
            print(
                table(
                    ["measure", "value", "target", "verdict"],
                    [
                        [
                            "peak RSS growth of the app process",
                            f"{growth_mb:.1f} MB",
                            "≤ 64 MB",
                            verdict(memory_ok),
                        ],
                        ["create_episode + commit (best run)", f"{ingest_s:.2f} s", "", ""],
                        [
                            "boto3 upload_file, same file and endpoint",
                            f"{baseline_s:.2f} s",
                            "",
                            "",
                        ],
                        [
                            "ratio ingest / upload_file (median of rounds)",
                            f"{ratio:.2f}x",
                            "≤ 1.3x",
                            verdict(time_ok),
                        ],
                    ],
                )
            )
            if not exact:
                print("\n(peak RSS could not be reset: growth is measured from process start)")
            failed |= not (memory_ok and time_ok)

            if args.skip_probe:
                return 1 if failed else 0
            # 2. Probe a long MP3 in place.
            mp3 = workdir / "long.mp3"
            tone = f"sine=frequency=330:sample_rate=44100:duration={probe_minutes * 60}"
            ffmpeg("-f", "lavfi", "-i", tone, "-ac", "2", "-c:a", "libmp3lame", "-b:a", "128k",
                   str(mp3))  # fmt: skip
            probe_s, bare_s, download_s, fetched = bench_probe_in_s3(
                endpoint, bucket, mp3, "long.mp3"
            )
            ratio = probe_s / download_s
            bytes_ok, time_ok = fetched["bytes"] <= 512 * 1024, ratio <= 0.1
            print(
                f"\n### Probing a {probe_minutes}-minute MP3 "
                f"({mp3.stat().st_size / MB:.0f} MB, 128 kbit/s) held in S3 ({args.server})\n"
            )
            read = f"{fetched['bytes'] / 1024:.0f} KB in {fetched['requests']} ranged GET(s)"
            rows = [
                ["bytes read by probe", read, "≤ 512 KB", verdict(bytes_ok)],
                ["probe time (median of 7)", f"{probe_s * 1000:.1f} ms", "", ""],
                ["one bare ranged GET of the same bytes (median of 7)",
                 f"{bare_s * 1000:.1f} ms", "", ""],
                ["download of the whole object (median of 5)", f"{download_s * 1000:.0f} ms",
                 "", ""],
                ["ratio probe / download", f"{ratio:.3f}x", "≤ 0.1x", verdict(time_ok)],
                ["duration found", f"{fetched['duration']:.3f} s", f"{probe_minutes * 60} s", ""],
            ]  # fmt: skip
            print(table(["measure", "value", "target", "verdict"], rows))
            failed |= not (bytes_ok and time_ok)
            mp3.unlink()

        # 3. Probe time per format (30 s stereo files, in memory).
        print("\n### Probe time per format (30 s stereo, from memory, median of 21)\n")
        print(table(["format", "size", "probe time"], bench_formats(workdir)))
    finally:
        logging.disable(logging.NOTSET)
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
