"""Media delivery and download counting under a real server (gunicorn on loopback).

1. Throughput: our ``/media/<guid>.mp3`` against Werkzeug's plain ``send_file`` of the
   same file on the same server setup, whole file and 1 MiB ranges (wrk). Target: ours
   >= 0.8x.
2. Counting cost: the same media requests with counting on and off, every request from
   a new client (the worst case: each one writes a progress row and a download).
   Target: counting adds <= 10 % to a media request's time.
3. Load: 100 concurrent listeners (a Python asyncio client) fetch the show's podcast
   feed and episodes the way apps do: HEAD,
   probes, range walks that stop early or go on, whole files, repeats, a few bots. Target:
   zero 5xx, and the stored download counts equal the count expected from what was sent.

Run: ``python -m bench delivery`` (about 3 minutes) or ``python -m bench.delivery --quick``.
PostgreSQL at 127.0.0.1:5432 is used when reachable (a fresh database, dropped after),
else SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import table, verdict

PG_SERVER = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PYTHON = sys.executable
VENV_BIN = Path(PYTHON).parent
APP_UA = "AntennaPod/3.4.0 (Linux;Android 14) ExoPlayerLib/2.19.1"
MiB = 1024 * 1024


# --------------------------------------------------------------------------- setup


def bench_app():
    """The gunicorn app: Publisher plus a ``/baseline/<key>`` route doing plain send_file."""
    from flask import send_file

    from publisher import create_app

    app = create_app()
    media_root = Path(app.config["MEDIA_ROOT"])

    @app.get("/baseline/<path:key>")
    def baseline(key: str):
        return send_file(media_root / key, mimetype="audio/mpeg")

    return app


@dataclass
class Fixture:
    workdir: Path
    database_url: str
    episodes: list[dict] = field(default_factory=list)  # guid, key, size, threshold


def _free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def database():
    """A fresh PostgreSQL database when the server answers, else a SQLite file."""
    try:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        server = make_url(PG_SERVER)
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        name = f"publisher_bench_{os.getpid()}"
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # no server: SQLite
        print(f"(PostgreSQL not reachable: {exc.__class__.__name__}; using SQLite)")
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/bench.db"
        return
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def make_mp3(directory: Path, seconds: int) -> Path:
    """A real 64 kb/s MP3 of ``seconds``: 10 s encoded by ffmpeg, then stream-copied."""
    seed = directory / "seed.mp3"
    if not seed.exists():
        subprocess.run(
            ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
             "sine=frequency=330:sample_rate=44100:duration=10", "-ac", "1",
             "-c:a", "libmp3lame", "-b:a", "64k", str(seed)],
            check=True,
        )  # fmt: skip
    path = directory / f"episode-{seconds}s.mp3"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-stream_loop", "-1", "-i", str(seed),
         "-t", str(seconds), "-c", "copy", str(path)],
        check=True,
    )  # fmt: skip
    return path


def prepare(workdir: Path, database_url: str, lengths: list[int]) -> Fixture:
    """Migrate, then store one public episode per length (seconds) with probed metadata."""
    import mutagen
    from flask_migrate import upgrade

    from publisher import create_app
    from publisher.extensions import db
    from publisher.media.storage import get_storage
    from publisher.models import Episode, Show, podcast_guid_for, utcnow

    fixture = Fixture(workdir, database_url)
    app = create_app(server_config(fixture))
    with app.app_context():
        upgrade()
        show = Show(
            slug="bench", title="Bench", description="", author="A", owner_name="A",
            owner_email="a@example.com", category="News",
            podcast_guid=podcast_guid_for("http://127.0.0.1/shows/bench/feed.xml"),
        )  # fmt: skip
        db.session.add(show)
        db.session.flush()
        for n, seconds in enumerate(lengths):
            path = make_mp3(workdir, seconds)
            info = mutagen.File(path).info
            key = f"shows/{show.id}/bench-{n}/episode-{n}.mp3"
            get_storage().save_file(key, path, content_type="audio/mpeg")
            episode = Episode(
                show_id=show.id, slug=f"episode-{n}", title=f"Episode {n}", status="published",
                publish_at=utcnow() - timedelta(hours=1), storage_key=key,
                mime_type="audio/mpeg", size_bytes=path.stat().st_size,
                duration_seconds=info.length, bitrate=info.bitrate, audio_offset_bytes=0,
            )  # fmt: skip
            db.session.add(episode)
            db.session.flush()
            size = path.stat().st_size
            # Computed here from the rule's words, not with the app's function.
            threshold = min(size, round(info.bitrate / 8 * 60))
            fixture.episodes.append(
                {"guid": episode.guid, "key": key, "size": size, "threshold": threshold}
            )
        db.session.commit()
        db.engine.dispose()
    return fixture


def server_config(fixture: Fixture, **extra) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": fixture.database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "pool_size": 20, "max_overflow": 20},
        "SECRET_KEY": "bench-secret",
        "MEDIA_ROOT": str(fixture.workdir / "media"),
        "INSTANCE_PATH": str(fixture.workdir / "instance"),
        "LOG_LEVEL": "WARNING",
        **extra,
    }


@contextmanager
def gunicorn(fixture: Fixture, *, workers: int = 2, threads: int = 1, **config):
    """A gunicorn serving bench_app() on a free loopback port; yields its base URL."""
    port = _free_port()
    env = dict(os.environ)
    for key, value in server_config(fixture, **config).items():
        if key != "INSTANCE_PATH":
            env[f"PUBLISHER_{key}"] = value if isinstance(value, str) else json.dumps(value)
    worker_class = ["-k", "gthread", "--threads", str(threads)] if threads > 1 else []
    command = [str(VENV_BIN / "gunicorn"), "-w", str(workers), *worker_class,
               "-b", f"127.0.0.1:{port}", "--backlog", "2048", "--log-level", "warning",
               "bench.delivery:bench_app()"]  # fmt: skip
    log = open(fixture.workdir / f"gunicorn-{port}.log", "w")  # noqa: SIM115
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start; see {log.name}") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


# --------------------------------------------------------------------------- wrk runs

WRK_SCRIPT = r"""
local mode, size, chunk, ua_prefix = "%(mode)s", %(size)d, %(chunk)d, "%(ua)s"
local counter = 0
thread_id = 0  -- a global: setup() sets it in each thread's state
local threads = {}
function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end
function request()
  counter = counter + 1
  local headers = {}
  headers["User-Agent"] = ua_prefix
  if mode ~= "same" then
    -- A new listener for each request ("unique") or for each walk through the file
    -- ("walk"): another address (198.18.0.0/15, the benchmarking range, only ever
    -- written in this header), the same app.
    local listener = counter
    if mode == "walk" then listener = math.floor((counter - 1) / math.ceil(size / chunk)) end
    headers["X-Forwarded-For"] = string.format("198.%%d.%%d.%%d", 17 + thread_id,
      math.floor(listener / 256) %% 256, listener %% 256)
  end
  if chunk > 0 then
    local start = ((counter - 1) * chunk) %% size
    local stop = math.min(start + chunk, size) - 1
    headers["Range"] = "bytes=" .. start .. "-" .. stop
  end
  return wrk.format("GET", nil, headers)
end
function done(summary, latency, requests)
  io.write(string.format(
    '{"requests": %%d, "bytes": %%d, "duration_us": %%d, "status_errors": %%d, ' ..
    '"socket_errors": %%d, "latency_mean_us": %%f}\n',
    summary.requests, summary.bytes, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout, latency.mean))
end
"""


def wrk(url: str, *, seconds: int, connections: int, size: int, chunk: int = 0,
        clients: str = "same", workdir: Path) -> dict:  # fmt: skip
    script = workdir / f"wrk-{time.monotonic_ns()}.lua"
    script.write_text(
        WRK_SCRIPT
        % {
            "mode": clients,
            "size": size,
            "chunk": chunk,
            "ua": APP_UA,
        }
    )
    out = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "30s",
         "-s", str(script), url],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    result = json.loads(out.strip().splitlines()[-1])
    result["seconds"] = result["duration_us"] / 1e6
    result["mb_per_s"] = result["bytes"] / result["seconds"] / 1e6
    result["rps"] = result["requests"] / result["seconds"]
    if result["status_errors"] or result["socket_errors"]:
        raise RuntimeError(f"wrk saw errors against {url}: {result}")
    return result


def median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def throughput(fixture: Fixture, seconds: int) -> tuple[list[list[object]], bool]:
    episode = fixture.episodes[0]
    size = episode["size"]
    rows, ok = [], True
    # wrk hammers from one address, far past any per-address limit: this measures
    # delivery, so the limits are off here (the load run keeps them on).
    with gunicorn(fixture, workers=2, RATELIMIT_ENABLED=False) as base:
        media = f"{base}/media/{episode['guid']}.mp3"
        plain = f"{base}/baseline/{episode['key']}"
        for label, chunk in (("whole file (200)", 0), ("1 MiB ranges (206)", MiB)):
            ours, theirs = [], []
            for _ in range(3):  # interleaved, median of three: the machine is shared
                kw = {"seconds": seconds, "connections": 4, "size": size, "chunk": chunk}
                theirs.append(wrk(plain, workdir=fixture.workdir, **kw))
                ours.append(wrk(media, workdir=fixture.workdir, **kw))
            o, t = median(ours, "mb_per_s"), median(theirs, "mb_per_s")
            ratio = o / t
            ok &= ratio >= 0.8
            rows.append([label, f"{t:.0f}", f"{o:.0f}",
                         f"{ratio:.2f}x", verdict(ratio >= 0.8)])  # fmt: skip
    return rows, ok


def counting_cost(fixture: Fixture, seconds: int) -> tuple[list[list[object]], bool]:
    episode = fixture.episodes[0]
    rows, ok = [], True
    with ExitStack() as stack:
        # New clients come from new addresses, passed in X-Forwarded-For (ProxyFix on).
        on = stack.enter_context(gunicorn(fixture, workers=2, PROXY_FIX_X_FOR=1))
        off = stack.enter_context(
            gunicorn(fixture, workers=2, PROXY_FIX_X_FOR=1, ANALYTICS_ENABLED=False)
        )
        path = f"/media/{episode['guid']}.mp3"
        for label, chunk, clients, target in (
            ("whole episode, a new client each time", 0, "unique", True),
            ("1 MiB ranges walking the episode, a new client each walk", MiB, "walk", True),
            ("1 MiB range, a new client each time (worst case)", MiB, "unique", False),
        ):
            kw = {"seconds": seconds, "connections": 2, "size": episode["size"], "chunk": chunk,
                  "clients": clients, "workdir": fixture.workdir}  # fmt: skip
            with_counting, without = [], []
            for _ in range(5):  # interleaved, median of five: the machine is shared
                without.append(wrk(off + path, **kw))
                with_counting.append(wrk(on + path, **kw))
            # Milliseconds of server time per request.
            per_on, per_off = 1000 / median(with_counting, "rps"), 1000 / median(without, "rps")
            added = per_on / per_off - 1
            if target:
                ok &= added <= 0.10
            rows.append([label, f"{per_off:.2f}", f"{per_on:.2f}", f"{added:+.1%}",
                         verdict(added <= 0.10) if target else "info"])  # fmt: skip
    return rows, ok


# --------------------------------------------------------------------------- load run


@dataclass
class Expectation:
    """What the listeners sent, and so what must have been counted."""

    spans: dict[tuple[str, str], list[list[int]]] = field(default_factory=lambda: defaultdict(list))
    bots: set[str] = field(default_factory=set)
    statuses: Counter = field(default_factory=Counter)
    per_address: Counter = field(default_factory=Counter)
    requests: int = 0
    bytes: int = 0

    def add(self, ua: str, guid: str, start: int, stop: int, size: int, ranged: bool) -> None:
        if ranged and not (start == 0 and stop >= size) and stop - start < 1024:
            return  # a probe
        spans = self.spans[(ua, guid)]
        spans.append([start, stop])
        spans.sort()
        merged: list[list[int]] = []
        for s, e in spans:
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        self.spans[(ua, guid)] = merged

    def expected(self, episodes: dict[str, dict]) -> tuple[Counter, Counter]:
        people, bots = Counter(), Counter()
        for (ua, guid), spans in self.spans.items():
            if sum(e - s for s, e in spans) >= episodes[guid]["threshold"]:
                (bots if ua in self.bots else people)[guid] += 1
        return people, bots


async def http(host: str, port: int, method: str, path: str, headers: dict[str, str]):
    """One request on a fresh connection; returns (status, headers, body length)."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split()[1])
        response_headers = {}
        for line in header_lines:
            if ":" in line:
                name, value = line.split(":", 1)
                response_headers[name.strip().lower()] = value.strip()
        length = int(response_headers.get("content-length", 0)) if method != "HEAD" else 0
        received = 0
        while received < length:
            chunk = await reader.read(min(256 * 1024, length - received))
            if not chunk:
                raise ConnectionError("body cut short")
            received += len(chunk)
        return status, response_headers, received
    finally:
        writer.close()
        await writer.wait_closed()


APPS = [
    APP_UA,
    "Overcast/3.0 (+http://overcast.fm/; iOS podcast app)",
    "Pocket Casts",
    "Spotify/8.9.0 iOS/17.2 (iPhone15,2)",
    "Podcasts/1650.20 CFNetwork/1490.0.4 Darwin/23.2.0",
]
BOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
FEED = "/shows/bench/feed.xml"  # the podcast feed of the bench show


async def listener(number: int, base: str, episodes: list[dict], deadline: float,
                   expect: Expectation, rng: random.Random) -> None:  # fmt: skip
    host, port = base.removeprefix("http://").split(":")
    iteration = 0
    while time.monotonic() < deadline:
        iteration += 1
        bot = rng.random() < 0.1
        ua = BOT + f" l{number}-{iteration}" if bot else f"{rng.choice(APPS)} l{number}-{iteration}"
        # Each new client is a household of its own: its own /24 (the user-agent cap's
        # unit), passed in X-Forwarded-For (ProxyFix on), as behind a reverse proxy.
        address = f"10.{iteration % 250}.{number}.1"
        if bot:
            expect.bots.add(ua)
        status, _h, n = await http(
            host, int(port), "GET", FEED, {"User-Agent": ua, "X-Forwarded-For": address}
        )
        expect.statuses[status] += 1
        expect.per_address[address] += 1
        expect.requests += 1
        expect.bytes += n
        for _ in range(rng.randint(1, 2)):  # sometimes a second episode, or the same again
            episode = rng.choice(episodes)
            await listen(host, int(port), ua, address, episode, expect, rng)
            if time.monotonic() >= deadline:
                break


async def listen(host: str, port: int, ua: str, address: str, episode: dict,
                 expect: Expectation, rng: random.Random) -> None:  # fmt: skip
    path, size = f"/media/{episode['guid']}.mp3", episode["size"]

    async def get(byte_range: tuple[int, int] | None, method: str = "GET") -> None:
        headers = {"User-Agent": ua, "X-Forwarded-For": address}
        if byte_range is not None:
            headers["Range"] = f"bytes={byte_range[0]}-{byte_range[1] - 1}"
        status, _h, received = await http(host, port, method, path, headers)
        expect.statuses[status] += 1
        expect.per_address[address] += 1
        expect.requests += 1
        expect.bytes += received
        if method == "GET" and status in (200, 206):
            start, stop = byte_range if status == 206 and byte_range else (0, size)
            expect.add(ua, episode["guid"], start, stop, size, ranged=status == 206)

    if rng.random() < 0.3:
        await get(None, "HEAD")
    if rng.random() < 0.5:
        await get((0, 2))  # the bytes=0-1 probe
    if rng.random() < 0.25:
        await get(None)  # the whole file
    else:
        # Walk the file in chunks and stop somewhere: before or after the minute.
        chunk = rng.choice([64 * 1024, 128 * 1024, 256 * 1024])
        stop_at = int(size * rng.uniform(0.05, 1.0))
        start = rng.choice([0, 0, 0, size // 3])  # some seek first
        while start < stop_at:
            await get((start, min(start + chunk, size)))
            start += chunk


async def load_run(base: str, episodes: list[dict], seconds: int, listeners: int) -> Expectation:
    expect = Expectation()
    deadline = time.monotonic() + seconds
    rng = random.Random(20240531)
    await asyncio.gather(
        *(listener(n, base, episodes, deadline, expect, random.Random(rng.random()))
          for n in range(listeners))
    )  # fmt: skip
    return expect


def stored_counts(fixture: Fixture, guids: list[str]) -> tuple[Counter, Counter]:
    from sqlalchemy import func, select

    from publisher import create_app
    from publisher.extensions import db
    from publisher.models import Download, Episode

    app = create_app(server_config(fixture))
    with app.app_context():
        rows = db.session.execute(
            select(Episode.guid, Download.is_bot, func.count())
            .join(Episode, Episode.id == Download.episode_id)
            .where(Episode.guid.in_(guids))
            .group_by(Episode.guid, Download.is_bot)
        ).all()
        db.engine.dispose()
    people, bots = Counter(), Counter()
    for guid, is_bot, count in rows:
        (bots if is_bot else people)[guid] += count
    return people, bots


def load(fixture: Fixture, seconds: int, listeners: int) -> tuple[list[list[object]], bool]:
    episodes = fixture.episodes[1:]
    day = datetime.now(UTC).date()
    # Rate limits on (the defaults): well-behaved apps must never see a 429.
    with gunicorn(fixture, workers=2, threads=16, PROXY_FIX_X_FOR=1) as base:
        started = time.monotonic()
        expect = asyncio.run(load_run(base, episodes, seconds, listeners))
        elapsed = time.monotonic() - started
    if datetime.now(UTC).date() != day:
        print("(The run crossed UTC midnight: counts restart per day; run it again.)")
    people, bots = stored_counts(fixture, [e["guid"] for e in episodes])
    want_people, want_bots = expect.expected({e["guid"]: e for e in episodes})
    errors_5xx = sum(n for status, n in expect.statuses.items() if status >= 500)
    statuses = ", ".join(f"{s}: {n}" for s, n in sorted(expect.statuses.items()))
    match = people == want_people and bots == want_bots
    refused = expect.statuses.get(429, 0)
    busiest = max(expect.per_address.values(), default=0) / max(elapsed, 1) * 60
    rows = [
        ["listeners x seconds", f"{listeners} x {elapsed:.0f}", "", ""],
        ["requests (by status)", f"{expect.requests} ({statuses})", "", ""],
        ["MB received", f"{expect.bytes / 1e6:.0f}", "", ""],
        ["5xx answers", str(errors_5xx), "0", verdict(errors_5xx == 0)],
        ["429 answers (rate limits on)", str(refused), "0", verdict(refused == 0)],
        ["busiest address, requests/min", f"{busiest:.0f}", "", "info"],
        [
            "downloads counted",
            str(sum(people.values())),
            str(sum(want_people.values())),
            verdict(people == want_people),
        ],
        [
            "bot downloads (excluded)",
            str(sum(bots.values())),
            str(sum(want_bots.values())),
            verdict(bots == want_bots),
        ],
    ]
    return rows, errors_5xx == 0 and refused == 0 and match


# --------------------------------------------------------------------------- main


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.delivery", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short runs (about 40 s)")
    args = parser.parse_args(argv)
    run_seconds, load_seconds = (2, 10) if args.quick else (6, 60)
    if shutil.which("wrk") is None or shutil.which("ffmpeg") is None:
        print("wrk and ffmpeg are needed: `make system-deps` installs them.")
        return 1
    workdir = Path(tempfile.mkdtemp(prefix="publisher-bench-delivery-"))
    try:
        with database() as url:
            # A 30-minute episode for throughput; three 5-minute ones for the load run.
            fixture = prepare(workdir, url, [1800, 300, 300, 300])
            print(f"Episode for throughput: {fixture.episodes[0]['size'] / MiB:.1f} MiB MP3; "
                  f"database: {url.split(':')[0]}\n")  # fmt: skip
            rows, ok_throughput = throughput(fixture, run_seconds)
            print("### Throughput from the local store (gunicorn, 2 sync workers, wrk -c4)\n")
            print(table(["request", "send_file MB/s", "ours MB/s", "ratio", "target 0.8x"], rows))
            rows, ok_counting = counting_cost(fixture, run_seconds)
            print("\n### Cost of counting (server ms per request, wrk -c2)\n")
            print(table(["request", "counting off", "counting on", "added", "target 10 %"], rows))
            rows, ok_load = load(fixture, load_seconds, 100)
            print("\n### Load: 100 concurrent listeners (gunicorn 2 workers x 16 threads)\n")
            print(table(["measure", "value", "expected", "verdict"], rows))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok_throughput and ok_counting and ok_load else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
