"""A loopback HTTP server that serves feeds and audio, slow or failing on demand."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest


@dataclass
class Route:
    body: bytes | Path = b""
    status: int = 200
    content_type: str = "application/octet-stream"
    headers: dict[str, str] = field(default_factory=dict)
    fail_first: int = 0  # answer 503 to this many requests first
    delay: float = 0.0  # seconds per 64 KiB chunk (a slow host)
    cut_after: int | None = None  # the first GET closes after this many bytes
    hits: int = 0


class FileServer:
    """A loopback HTTP server: ``server.add("/feed.xml", Route(...))``, Range support."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                server.handle(self)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, route: Route) -> str:
        self.routes[path] = route
        return self.url(path)

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        path = request.path.split("?")[0]
        route = self.routes.get(path)
        if route is None:
            return self._send(request, 404, b"not found", "text/plain")
        with self.lock:
            route.hits += 1
            hit = route.hits
        if hit <= route.fail_first:
            return self._send(request, 503, b"busy", "text/plain")
        if route.status in (301, 302):
            request.send_response(route.status)
            for name, value in route.headers.items():
                request.send_header(name, value)
            request.send_header("Content-Length", "0")
            request.end_headers()
            return
        data = route.body.read_bytes() if isinstance(route.body, Path) else route.body
        status, start = route.status, 0
        headers = dict(route.headers)
        range_header = request.headers.get("Range")
        if range_header and status == 200 and range_header.startswith("bytes="):
            start = int(range_header[6:].split("-")[0])
            if start >= len(data):
                return self._send(request, 416, b"", "text/plain")
            headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
            status = 206
        body = data[start:]
        request.send_response(status)
        request.send_header("Content-Type", route.content_type)
        request.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            request.send_header(name, value)
        request.end_headers()
        limit = route.cut_after if (hit == route.fail_first + 1 and route.cut_after) else None
        sent = 0
        try:
            for offset in range(0, len(body), 65536):
                chunk = body[offset : offset + 65536]
                if limit is not None and sent + len(chunk) > limit:
                    request.wfile.write(chunk[: limit - sent])
                    request.wfile.flush()
                    request.close_connection = True
                    return
                request.wfile.write(chunk)
                sent += len(chunk)
                if route.delay:
                    time.sleep(route.delay)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _send(self, request, status: int, body: bytes, content_type: str) -> None:
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def files():
    server = FileServer()
    yield server
    server.close()
