"""A real S3-compatible server on loopback for the tests: moto's standalone server.

Fixtures:
- ``s3_server`` (session): moto's ThreadedMotoServer on a free 127.0.0.1 port, with fake
  credentials in the environment so boto3 never looks for real ones.
- ``s3_bucket``: a fresh, empty bucket for one test.
- ``s3_app_config``: app configuration for an S3-backed app, e.g.
  ``@pytest.fixture\\ndef app_config(s3_app_config): return s3_app_config``.
- ``s3_client``: a plain boto3 client on the server, to look behind the app's back.
"""

from __future__ import annotations

import contextlib
import functools
import socket
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.config import Config

FAKE_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "publisher-test",
    "AWS_SECRET_ACCESS_KEY": "publisher-test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": "/dev/null",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    "AWS_EC2_METADATA_DISABLED": "true",
}


@dataclass
class S3Server:
    endpoint_url: str
    port: int

    @functools.cached_property
    def client(self):
        """A plain boto3 client on the server (not the app's), to look behind its back."""
        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
        )


def start_moto(port: int = 0):
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in FAKE_ENVIRONMENT.items():
            patch.setenv(name, value)
        server = start_moto()
        _host, port = server.get_host_and_port()
        try:
            yield S3Server(f"http://127.0.0.1:{port}", port)
        finally:
            server.stop()


@pytest.fixture
def s3_client(s3_server: S3Server):
    return s3_server.client


@pytest.fixture
def s3_bucket(s3_server: S3Server, s3_client) -> Iterator[str]:
    name = f"publisher-test-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(Bucket=name)
    yield name
    for upload in s3_client.list_multipart_uploads(Bucket=name).get("Uploads", []):
        s3_client.abort_multipart_upload(
            Bucket=name, Key=upload["Key"], UploadId=upload["UploadId"]
        )
    for page in s3_client.get_paginator("list_objects_v2").paginate(Bucket=name):
        for item in page.get("Contents", []):
            s3_client.delete_object(Bucket=name, Key=item["Key"])
    s3_client.delete_bucket(Bucket=name)


def s3_config(server: S3Server, bucket: str, **extra: Any) -> dict[str, Any]:
    return {
        "STORAGE": "s3",
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": server.endpoint_url,
        "S3_REGION": "us-east-1",
        # Fail fast in tests when the server is made unreachable on purpose.
        "S3_MAX_ATTEMPTS": 2,
        "S3_CONNECT_TIMEOUT": 2,
        "S3_READ_TIMEOUT": 10,
        **extra,
    }


@pytest.fixture
def s3_app_config(s3_server: S3Server, s3_bucket: str) -> dict[str, Any]:
    """Configuration for an app whose media store is the loopback S3 server."""
    return s3_config(s3_server, s3_bucket)


def bucket_keys(client, bucket: str) -> list[str]:
    keys = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        keys += [item["Key"] for item in page.get("Contents", [])]
    return sorted(keys)


class FlakyProxy:
    """A TCP proxy in front of the S3 server that the test can take down: ``down()`` drops
    every open connection and refuses new ones (the store vanished), ``up()`` serves again
    on the same port, ``cut_after(n)`` goes down once n request bytes have passed."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.endpoint_url = f"http://127.0.0.1:{self.port}"
        self._listener: socket.socket | None = None
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._budget: int | None = None
        self.forwarded = 0

    def up(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            connections, self._connections = self._connections, set()
        if listener is not None:
            listener.close()
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()

    def cut_after(self, request_bytes: int) -> None:
        self._budget = request_bytes

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._listener is not listener:
                    client.close()
                    upstream.close()
                    return
                self._connections |= {client, upstream}
            threading.Thread(target=self._pipe, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, False), daemon=True).start()

    def _pipe(self, source: socket.socket, target: socket.socket, request: bool) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
                if request:
                    self.forwarded += len(data)
                    if self._budget is not None and self.forwarded >= self._budget:
                        self._budget = None
                        threading.Thread(target=self.down, daemon=True).start()
                        return
        except OSError:
            pass
        finally:
            for conn in (source, target):
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def flaky_s3(s3_server: S3Server) -> Iterator[FlakyProxy]:
    proxy = FlakyProxy(s3_server.port)
    proxy.up()
    yield proxy
    proxy.down()
