"""The production set-up under load (issue 16, #6-8): gunicorn started the way the README
says keeps a slow upload going, turns a full temporary disk into a 503 people can act
on, and reloads its code on SIGHUP without refusing a single connection."""

from __future__ import annotations

import signal
import socket
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from publisher.extensions import db
from publisher.models import Episode
from tests.concurrency.live import Gunicorn, gunicorn, multipart, request, upload
from tests.media.helpers import ffmpeg

pytestmark = pytest.mark.parametrize("store", ["filesystem"], indirect=True)


def wav(directory: Path, megabytes: int) -> bytes:
    """A real WAV of about ``megabytes`` MB (stereo 16-bit 44.1 kHz: 176 KB a second)."""
    path = directory / f"tone-{megabytes}mb.wav"
    seconds = megabytes * 1024 * 1024 // 176_400
    ffmpeg("-f", "lavfi", "-i", f"sine=frequency=220:sample_rate=44100:duration={seconds}",
           "-ac", "2", "-c:a", "pcm_s16le", str(path))  # fmt: skip
    return path.read_bytes()


def throttled(body: bytes, bytes_per_second: int, chunk: int = 64 * 1024):
    """The body as chunks sent no faster than ``bytes_per_second``."""
    start = time.monotonic()
    for offset in range(0, len(body), chunk):
        yield body[offset : offset + chunk]
        ahead = (offset + chunk) / bytes_per_second - (time.monotonic() - start)
        if ahead > 0:
            time.sleep(ahead)


def slow_upload(url: str, token: str, show: str, audio: bytes, rate: int, title: str):
    body, content_type = multipart({"title": title}, {"audio": ("slow.wav", audio)})
    return request(
        url,
        "POST",
        f"/api/v1/shows/{show}/episodes",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": content_type,
            "Content-Length": str(len(body)),
        },
        body=throttled(body, rate),
        timeout=120,
    )


def episode_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Episode.id)))


def test_a_50_mb_upload_at_1_mb_per_second_gets_201(app, live, factory, token, tmp_path):
    """50 s of sending: past gunicorn's worker timeout, which used to cut it at 30 s."""
    show = factory.show()
    audio = wav(tmp_path, 50)
    started = time.monotonic()
    answer = slow_upload(live.url, token, show.slug, audio, 1024 * 1024, "Slow upload")
    elapsed = time.monotonic() - started
    assert answer.status == 201, (answer.status, answer.body[:300], live.log())
    assert answer.json()["media"]["size"] == len(audio)
    assert elapsed > 45  # it really was slow


def test_a_full_temporary_disk_while_the_body_is_read_is_a_503(app, factory, token, tmp_path):
    """UPLOAD_TEMP_DIR on a 200 KB tmpfs (a mount namespace of gunicorn's own): the body
    spooled by the request parser (3 MB) and the upload spooled by ingest (400 KB) both
    run out of space."""
    tiny = tmp_path / "tiny-tmp"
    tiny.mkdir()
    wrap = ["unshare", "--map-root-user", "--mount", "sh", "-c",
            f'mount -t tmpfs -o size=200k tmpfs "{tiny}" && exec "$@"', "sh"]  # fmt: skip
    show = factory.show()
    config = {**app.config, "UPLOAD_TEMP_DIR": str(tiny)}
    whole = wav(tmp_path, 3)
    with gunicorn(config, tmp_path, wrap=wrap) as server:
        for megabytes in (3, 0.4):
            audio = whole[: int(megabytes * 1024 * 1024)]
            answer = upload(server.url, token, show.slug, audio, title="Too big for /tmp")
            assert answer.status == 503, (megabytes, answer.status, answer.body[:300])
            error = answer.json()["error"]
            assert error["code"] == "temporary_storage_unavailable"
            assert "run out of space" in error["message"]
            assert "Nothing was saved" in error["message"]
    assert episode_count(app) == 0
    assert list(Path(app.config["MEDIA_ROOT"]).rglob("*.wav")) == []


def hammer(url: str, stop: threading.Event, failures: list[str], waits: list[float]) -> None:
    """A client opening a new connection for every request until ``stop``."""
    while not stop.is_set():
        started = time.monotonic()
        try:
            status = request(url, "GET", "/robots.txt", timeout=60).status
        except OSError as exc:  # refused, reset, timed out
            failures.append(repr(exc))
            continue
        waits.append(time.monotonic() - started)
        if status != 200:
            failures.append(f"status {status}")


def test_sighup_reloads_every_worker_without_refusing_a_connection(app, factory, token, tmp_path):
    """Ten clients open a new connection for every request while the master is sent
    SIGHUP; an upload in flight across the reload finishes on its old worker. Requests
    that arrive while the new workers load the app wait in the listen backlog (the
    master keeps the socket): slower, never refused."""
    show = factory.show()
    audio = wav(tmp_path, 3)
    with gunicorn(app.config, tmp_path) as server:
        old_workers = server.wait_for_workers(2)
        stop = threading.Event()
        failures: list[str] = []
        waits: list[float] = []
        in_flight: list = []
        uploader = threading.Thread(
            target=lambda: in_flight.append(
                slow_upload(server.url, token, show.slug, audio, 1024 * 1024, "Across HUP")
            )
        )
        clients = [
            threading.Thread(target=hammer, args=(server.url, stop, failures, waits))
            for _ in range(10)
        ]
        for thread in [uploader, *clients]:
            thread.start()
        time.sleep(1)
        server.signal(signal.SIGHUP)
        new_workers = server.wait_for_workers(2, exclude=old_workers, timeout=60)
        deadline = time.monotonic() + 60
        while server.workers() & old_workers and time.monotonic() < deadline:
            time.sleep(0.1)
        before = len(waits)
        while len(waits) < before + 50 and time.monotonic() < deadline:
            time.sleep(0.1)  # the new workers answer
        stop.set()
        for thread in [uploader, *clients]:
            thread.join(timeout=90)
        assert failures == [], failures[:5]
        assert len(waits) > 100
        assert new_workers and not (server.workers() & old_workers)
        assert in_flight and in_flight[0].status == 201, in_flight and in_flight[0].body[:300]
        print(f"longest wait across the reload: {max(waits):.2f} s")


# What systemd does for an activated service: the socket on fd 3, LISTEN_FDS and
# LISTEN_PID (the service's own pid: set here, then exec keeps it).
SOCKET_ACTIVATION = (
    "import os, sys; os.dup2(int(sys.argv[1]), 3); os.environ['LISTEN_FDS'] = '1'; "
    "os.environ['LISTEN_PID'] = str(os.getpid()); os.execv(sys.argv[2], sys.argv[2:])"
)


def test_a_restart_behind_a_held_socket_refuses_no_connection(app, tmp_path):
    """systemd socket activation (docs/deployment.md): the socket belongs to systemd (here,
    the test), gunicorn inherits it (LISTEN_FDS); stopping gunicorn (SIGTERM) and starting
    it again, as ``systemctl restart`` does, leaves connections waiting, never refused."""
    stop = threading.Event()
    failures: list[str] = []
    waits: list[float] = []
    servers: list[Gunicorn] = []
    clients: list[threading.Thread] = []
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(1024)
        port, fd = listener.getsockname()[1], listener.fileno()
        activated = [sys.executable, "-c", SOCKET_ACTIVATION, str(fd)]

        def start() -> None:
            server = Gunicorn(app.config, tmp_path, activated, port=port, pass_fds=(fd,))
            servers.append(server)
            server.start()

        try:
            start()
            url = servers[0].url
            clients = [
                threading.Thread(target=hammer, args=(url, stop, failures, waits))
                for _ in range(10)
            ]
            for thread in clients:
                thread.start()
            time.sleep(1)
            servers[0].stop()  # SIGTERM, then wait for it to exit
            served_before = len(waits)
            start()
            deadline = time.monotonic() + 60
            while len(waits) < served_before + 50 and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            stop.set()
            for thread in clients:
                thread.join(timeout=90)
            for server in servers:
                server.stop()
    assert failures == [], failures[:5]
    assert len(waits) > served_before + 50
    print(f"longest wait across the restart: {max(waits):.2f} s")
