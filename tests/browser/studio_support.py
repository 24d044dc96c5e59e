"""Helpers for the studio's browser tests: a live studio on either store with a request
log, producers, axe-core, and the uploader's progress bar."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.browser.live import live_site
from tests.support.app import delete_all_rows, test_config
from tests.support.factory import Factory

AXE = Path(__file__).resolve().parents[1] / ".node" / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "correct horse"


class RequestLog:
    """Every request the app received: (method, path, body bytes declared)."""

    def __init__(self, app) -> None:
        self.entries: list[tuple[str, str, int]] = []
        self.lock = threading.Lock()
        inner = app.wsgi_app

        def logged(environ, start_response):
            length = int(environ.get("CONTENT_LENGTH") or 0)
            with self.lock:
                self.entries.append((environ["REQUEST_METHOD"], environ["PATH_INFO"], length))
            return inner(environ, start_response)

        app.wsgi_app = logged

    def largest_body(self) -> int:
        with self.lock:
            return max((length for _m, _p, length in self.entries), default=0)

    def paths(self) -> list[str]:
        with self.lock:
            return [path for _m, path, _l in self.entries]


@dataclass
class Studio:
    url: str
    app: object
    factory: Factory
    log: RequestLog
    store: str
    bucket: str | None = None
    s3: object = None
    admins: list = field(default_factory=list)


@contextmanager
def live_studio(migrated_database, tmp_path, store: str, s3_server=None) -> Iterator[Studio]:
    extra = {"SITE_NAME": "The Harbour Post", "STUDIO_LOGIN_LIMITS_ENABLED": False}
    bucket = None
    if store == "s3":
        from tests.s3server import s3_config

        bucket = f"studio-{uuid.uuid4().hex[:10]}"
        client = s3_server.client
        client.create_bucket(Bucket=bucket)
        # The browser PUTs parts straight to the bucket: it must allow this origin and
        # expose the ETag that completing the upload needs.
        client.put_bucket_cors(
            Bucket=bucket,
            CORSConfiguration={
                "CORSRules": [
                    {
                        "AllowedOrigins": ["*"],
                        "AllowedMethods": ["PUT", "GET", "HEAD"],
                        "AllowedHeaders": ["*"],
                        "ExposeHeaders": ["ETag"],
                        "MaxAgeSeconds": 600,
                    }
                ]
            },
        )
        extra.update(s3_config(s3_server, bucket))
    config = test_config(migrated_database, tmp_path, **extra)
    server = None
    try:
        with live_site(config) as server:
            log = RequestLog(server.app)
            yield Studio(
                server.url,
                server.app,
                Factory(server.app),
                log,
                store,
                bucket,
                s3_server.client if s3_server else None,
            )
    finally:
        if server is not None:
            delete_all_rows(server.app)


def log_in(page, studio: Studio, user) -> None:
    page.goto(f"{studio.url}/studio/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{studio.url}/studio/")


def check_accessibility(page) -> None:
    """axe-core finds no serious or critical violation on the page."""
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: {violations}"


def axe_violations(page) -> list[dict]:
    """Serious and critical accessibility violations axe-core finds on the page."""
    if not AXE.exists():
        raise RuntimeError(f"{AXE} is missing: run `make test-tools` (part of `make test`)")
    page.evaluate(AXE.read_text())
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
