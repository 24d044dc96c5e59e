"""Importing a show with media vs plainly downloading the same bytes (`python -m bench imports`).

A loopback server serves a feed of ``--episodes`` episodes (default 200) whose audio is
a real MP3 made by ffmpeg (``--seconds`` long, 128 kbit/s), each connection throttled to
``--mbps`` MB/s as a remote host would be. In the same run:

1. baseline: download every enclosure with ``--concurrency`` threads (urllib, streamed
   to files, nothing else);
2. the import: ``flask shows import`` (run_now, the same code as the job) with
   IMPORT_CONCURRENCY = ``--concurrency``: download, probe, hash, store, one
   transaction per episode, into a fresh SQLite database and a filesystem store.
Target: import time at most 1.3 times the baseline.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench.common import table, verdict

CHUNK = 64 * 1024


def make_mp3(directory: Path, seconds: int) -> bytes:
    path = directory / "episode.mp3"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
         f"sine=frequency=440:duration={seconds}", "-c:a", "libmp3lame", "-b:a", "128k",
         str(path)],
        check=True,
    )  # fmt: skip
    return path.read_bytes()


def serve(audio: bytes, episodes: int, mbps: float) -> tuple[ThreadingHTTPServer, str]:
    delay = CHUNK / (mbps * 1024 * 1024)
    feed: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            if self.path == "/feed.xml":
                body, kind = feed["xml"], "application/rss+xml"
            else:
                body, kind = audio, "audio/mpeg"
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            for offset in range(0, len(body), CHUNK):
                self.wfile.write(body[offset : offset + CHUNK])
                if kind == "audio/mpeg":
                    time.sleep(delay)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    items = "".join(
        f"<item><title>Episode {n}</title><guid>bench-{n}</guid>"
        f"<pubDate>Mon, 0{1 + n % 9} Jan 2024 09:00:00 GMT</pubDate>"
        f'<enclosure url="{base}/audio/{n}.mp3" length="{len(audio)}" type="audio/mpeg"/>'
        "</item>"
        for n in range(1, episodes + 1)
    )
    feed["xml"] = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Bench show</title>'
        f"<link>{base}/</link><description>Bench</description>{items}</channel></rss>"
    ).encode()
    return server, base


def plain_download(base: str, episodes: int, concurrency: int, directory: Path) -> float:
    directory.mkdir(parents=True, exist_ok=True)

    def fetch(n: int) -> None:
        url = f"{base}/audio/{n}.mp3"
        with (
            urllib.request.urlopen(url, timeout=60) as answer,
            open(directory / f"{n}.mp3", "wb") as out,
        ):
            while chunk := answer.read(256 * 1024):
                out.write(chunk)

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(fetch, range(1, episodes + 1)))
    return time.perf_counter() - started


def run_import(base: str, concurrency: int, workdir: Path) -> tuple[float, dict]:
    from flask_migrate import upgrade

    from publisher import create_app
    from publisher.jobs import runner

    app = create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.db'}",
        "SECRET_KEY": "bench", "MEDIA_ROOT": str(workdir / "media"),
        "JOBS_QUEUE_FILE": str(workdir / "jobs.db"),
        "IMPORT_WORK_DIR": str(workdir / "imports"), "IMPORT_CONCURRENCY": concurrency,
    })  # fmt: skip
    with app.app_context():
        upgrade()
    started = time.perf_counter()
    job = runner.run_now(app, "imports.run", {"source": f"{base}/feed.xml"})
    elapsed = time.perf_counter() - started
    if job.status != "done":
        raise SystemExit(f"The import failed: {job.error}")
    return elapsed, job.result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench imports", description=__doc__)
    parser.add_argument("--episodes", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=120, help="audio length per episode")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--mbps", type=float, default=8.0, help="MB/s per connection")
    args = parser.parse_args(argv)
    if shutil.which("ffmpeg") is None:
        print("ffmpeg is needed: `make system-deps` installs it.")
        return 1
    workdir = Path(tempfile.mkdtemp(prefix="publisher-bench-imports-"))
    try:
        audio = make_mp3(workdir, args.seconds)
        server, base = serve(audio, args.episodes, args.mbps)
        total_mb = len(audio) * args.episodes / 1048576
        print(f"{args.episodes} episodes of {len(audio) / 1048576:.2f} MB ({total_mb:.0f} MB), "
              f"{args.concurrency} at a time, {args.mbps:g} MB/s per connection.\n")  # fmt: skip
        baseline = plain_download(base, args.episodes, args.concurrency, workdir / "plain")
        shutil.rmtree(workdir / "plain")
        imported, result = run_import(base, args.concurrency, workdir)
        server.shutdown()
        ratio = imported / baseline
        ok = ratio <= 1.3 and len(result["created"]) == args.episodes
        print(table(
            ["run", "seconds", "MB/s", "ratio", "target ≤ 1.3x"],
            [["plain download (urllib, threads)", f"{baseline:.1f}",
              f"{total_mb / baseline:.1f}", "1.00", ""],
             ["import with media", f"{imported:.1f}", f"{total_mb / imported:.1f}",
              f"{ratio:.2f}", verdict(ok)]],
        ))  # fmt: skip
        print(f"\nImport report: {result['summary']}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
