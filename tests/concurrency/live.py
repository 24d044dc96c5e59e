"""Publisher under gunicorn, started exactly the way the README's Production section says
(its command, the repository's gunicorn.conf.py), on a free port, for tests that send
real parallel requests, kill workers and reload the server."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"


def readme_gunicorn_command() -> list[str]:
    """The gunicorn command of the README's "Production" section, as a list."""
    text = README.read_text()
    section = text.split("\n## Production", 1)[1].split("\n## ", 1)[0]
    lines = [line.strip() for line in section.splitlines()]
    commands = [line for line in lines if line.startswith(".venv/bin/gunicorn ")]
    assert len(commands) == 1, "the README's Production section has one gunicorn command"
    return shlex.split(commands[0])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(config: dict[str, Any], url: str, **extra: str) -> dict[str, str]:
    """The environment that gives the live server the test app's configuration."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PUBLISHER_")}
    for key in (
        "SQLALCHEMY_DATABASE_URI",
        "MEDIA_ROOT",
        "STORAGE",
        "S3_BUCKET",
        "S3_ENDPOINT_URL",
        "S3_REGION",
        "S3_MAX_ATTEMPTS",
        "S3_CONNECT_TIMEOUT",
        "S3_READ_TIMEOUT",
        "S3_MULTIPART_THRESHOLD_MB",
        "S3_MULTIPART_CHUNK_MB",
        "S3_MAX_CONCURRENCY",
        "UPLOAD_TEMP_DIR",
    ):
        value = config.get(key)
        if value is not None:
            env[f"PUBLISHER_{key}"] = value if isinstance(value, str) else json.dumps(value)
    env.update(
        {
            "PUBLISHER_PUBLIC_URL": url,
            "PUBLISHER_SECRET_KEY": "live-server-test-secret",
            "PUBLISHER_RATELIMIT_ENABLED": "false",
            "PUBLISHER_LOG_LEVEL": "WARNING",
            "GUNICORN_ACCESSLOG": "/dev/null",
            "WEB_CONCURRENCY": "2",
            **extra,
        }
    )
    return env


class Gunicorn:
    """The README's gunicorn command on a free port; ``stop()`` always cleans up."""

    def __init__(
        self,
        config: dict[str, Any],
        log_dir: Path,
        wrap: list[str] = (),
        *,
        port: int | None = None,
        pass_fds: tuple[int, ...] = (),
        **env: str,
    ) -> None:
        self.port = port or free_port()
        self.pass_fds = pass_fds
        self.url = f"http://127.0.0.1:{self.port}"
        command = readme_gunicorn_command()
        command[0] = str(Path(sys.executable).parent / "gunicorn")
        bind = command.index("--bind")
        command[bind + 1] = f"127.0.0.1:{self.port}"
        self.command = [*wrap, *command]  # wrap: e.g. a namespace with a tiny disk
        self.env = server_environment(config, self.url, **env)
        self.log_path = log_dir / f"gunicorn-{uuid.uuid4().hex[:8]}.log"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> Gunicorn:
        with self.log_path.open("wb") as log:  # the child keeps its own descriptor
            self.process = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=self.pass_fds,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{self.log()}")
            with contextlib.suppress(OSError):
                if request(self.url, "GET", "/robots.txt", timeout=2).status == 200:
                    return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {timeout} s:\n{self.log()}")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def workers(self) -> set[int]:
        """The worker processes (children of the master)."""
        return children_of(self.master_pid())

    def master_pid(self) -> int:
        """gunicorn's master (a wrapper such as ``unshare`` execs it in place)."""
        return self.pid

    def wait_for_workers(self, count: int, exclude: Iterable[int] = (), timeout: float = 30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            workers = self.workers() - set(exclude)
            if len(workers) >= count:
                return workers
            time.sleep(0.05)
        raise AssertionError(f"gunicorn did not start {count} workers:\n{self.log()}")

    def signal(self, signum: int) -> None:
        os.kill(self.master_pid(), signum)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def children_of(pid: int) -> set[int]:
    children = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                children.add(int(stat.parent.name))
    return children


@contextlib.contextmanager
def gunicorn(
    config: dict[str, Any], log_dir: Path, wrap: list[str] = (), **env: str
) -> Iterator[Gunicorn]:
    server = Gunicorn(config, log_dir, wrap, **env).start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def request(
    base_url: str,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes | Iterable[bytes] | None = None,
    timeout: float = 30,
) -> Answer:
    """One HTTP request on a new connection (http.client: nothing between us and the
    server); the body may be an iterable of chunks, sent as they come."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Answer(
            response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        )
    finally:
        connection.close()


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body and its Content-Type."""
    boundary = uuid.uuid4().hex
    chunks: list[bytes] = []
    for name, value in fields.items():
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    for name, (filename, data) in files.items():
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
        )
        chunks.append(data + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def api(base_url: str, token: str, method: str, path: str, payload: Any = None) -> Answer:
    headers = {"Authorization": f"Bearer {token}"}
    body = None
    if payload is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(payload).encode()
    return request(base_url, method, f"/api/v1{path}", headers=headers, body=body)


def upload(base_url: str, token: str, show: str, audio: bytes, **fields: str) -> Answer:
    body, content_type = multipart(fields, {"audio": ("episode.mp3", audio)})
    return request(
        base_url,
        "POST",
        f"/api/v1/shows/{show}/episodes",
        headers={"Authorization": f"Bearer {token}", "Content-Type": content_type},
        body=body,
        timeout=60,
    )


TITLE_RE = re.compile(rb"rev-(\d+)")
