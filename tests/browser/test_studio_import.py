"""Importing a show in a real Chromium, on both stores: a feed with real audio served on
loopback, the studio's form, a real job consumer (`flask jobs consume` in its own process,
on the live app's database and queue), the job page's progress bar reaching 100 % by
itself, the show with its episodes, and the dashboard listing the job; axe-core on the
import page, the job page and the dashboard with a job."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from publisher.extensions import db
from publisher.models import Episode, Show
from tests.browser.studio_support import check_accessibility, log_in
from tests.jobs.feedmaker import episodes, rss
from tests.jobs.httpserver import FileServer, Route
from tests.s3server import bucket_keys

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
# What the consumer process needs to work on the live app's database, queue and store.
CONSUMER_KEYS = ("SQLALCHEMY_DATABASE_URI", "MEDIA_ROOT", "PUBLIC_URL", "JOBS_QUEUE_FILE",
                 "IMPORT_WORK_DIR", "STORAGE", "S3_BUCKET", "S3_ENDPOINT_URL", "S3_REGION",
                 "S3_MAX_ATTEMPTS", "S3_CONNECT_TIMEOUT", "S3_READ_TIMEOUT")  # fmt: skip
EPISODES = 3


@pytest.fixture(scope="module")
def consumer(studio, tmp_path_factory) -> Iterator[Path]:
    """A real job consumer process on the live studio's queue; yields its log file."""
    log = tmp_path_factory.mktemp("consumer") / "consumer.log"
    env = {**os.environ, "PUBLISHER_SECRET_KEY": "test-secret",
           # The feed server is on loopback, a private address the importer refuses by default.
           "PUBLISHER_IMPORT_ALLOW_PRIVATE_ADDRESSES": "true",
           "PUBLISHER_AUDIO_ANALYZE_ON_UPLOAD": "false"}  # fmt: skip
    env.pop("PUBLISHER_REDIS_URL", None)
    for key in CONSUMER_KEYS:
        value = studio.app.config.get(key)
        if value is not None:
            env[f"PUBLISHER_{key}"] = json.dumps(value) if isinstance(value, bool) else str(value)
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "consume",
             "--workers", "1", "--no-periodic"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        yield log
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@pytest.fixture
def feed_server() -> Iterator[FileServer]:
    server = FileServer()
    yield server
    server.close()


def test_a_producer_imports_a_show_and_watches_the_job_finish(
    studio, consumer, feed_server, page, audio
):
    source = episodes(feed_server, audio("mp3", seconds=1), EPISODES, prefix=studio.store)
    for route in feed_server.routes.values():
        route.delay = 0.4  # a slow old host: the job is seen running
    feed_url = feed_server.add("/feed.xml", Route(
        body=rss(source, title=f"Old Show on {studio.store}").encode(),
        content_type="application/rss+xml"))  # fmt: skip
    producer = studio.factory.user(role="editor", name="Imogen Importer")
    log_in(page, studio, producer)
    expect(page.get_by_role("heading", name="Jobs")).to_be_visible()
    expect(page.get_by_text("No jobs yet.")).to_be_visible()

    page.get_by_role("link", name="Import a show").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import a show")
    check_accessibility(page)
    page.get_by_label("Feed URL").fill(feed_url)
    expect(page.get_by_label("Copy every episode's audio here")).to_be_checked()
    page.get_by_role("button", name="Import show").click()
    page.wait_for_url(re.compile(r"/studio/jobs/[0-9a-f]{32}$"))
    job_id = page.url.rsplit("/", 1)[1]
    expect(page.locator(".flash-success")).to_contain_text("The import has started")
    check_accessibility(page)

    bar = page.get_by_role("progressbar", name=f"Progress of Import of {feed_url}")
    seen: set[str] = set()
    for _ in range(600):  # up to 60 s: the consumer downloads, probes and stores 3 files
        seen.add(bar.get_attribute("aria-valuenow") or "")
        if "100" in seen:
            break
        page.wait_for_timeout(100)
    assert "100" in seen, consumer.read_text()[-3000:]
    assert seen - {"0", "100"} or "0" in seen  # it was followed, not loaded finished
    expect(page.locator(f'[data-job-id="{job_id}"] [data-job-status]')).to_have_text("Done")
    expect(page.locator("[data-job-announcer]")).to_have_text(f"Import of {feed_url}: done.")
    show_link = page.get_by_role("link", name=f"Open the show “Old Show on {studio.store}”")
    expect(show_link).to_be_visible()  # the page's details were refreshed in place
    expect(page.get_by_role("link", name="Refresh")).to_have_count(0)
    check_accessibility(page)

    show_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Old Show on {studio.store}")
    for item in source:
        expect(page.get_by_role("link", name=item.title, exact=True)).to_be_visible()
    with studio.app.app_context():
        show = db.session.scalar(db.select(Show).where(Show.title.startswith("Old Show on")))
        keys = db.session.scalars(
            db.select(Episode.storage_key).where(Episode.show_id == show.id)
        ).all()
        db.session.remove()
    assert len(keys) == EPISODES and all(keys)
    if studio.store == "s3":
        assert set(keys) <= set(bucket_keys(studio.s3, studio.bucket))
    else:
        assert all((Path(studio.app.config["MEDIA_ROOT"]) / key).is_file() for key in keys)

    page.goto(f"{studio.url}/studio/")
    job = page.locator(f'[data-job-id="{job_id}"]')
    expect(job.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    expect(job.locator("[data-job-status]")).to_have_text("Done")
    expect(page.get_by_role("link", name=f"Import of {feed_url}")).to_have_attribute(
        "href", f"/studio/jobs/{job_id}"
    )
    check_accessibility(page)
