"""The done-when of the import: 200 episodes with media, from a feed on loopback, run by a
real consumer process that is killed (SIGKILL) halfway; a second consumer finishes the
job with no duplicate and no orphan object; a re-run is a no-op; our feed lists the same
episodes, guids and dates as the source (podcastparser and feedparser)."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import feedparser
import podcastparser
import pytest

from publisher.extensions import db
from publisher.jobs import runner as job_runner
from publisher.media.storage import get_storage
from publisher.models import Episode, Job
from tests.jobs.feedmaker import episodes, rss
from tests.jobs.httpserver import Route
from tests.support.redis import CONSUMER_DB, redis_url

EPISODES = 200
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_config(backend, tmp_path):
    config = {
        "JOBS_QUEUE_FILE": str(tmp_path / "jobs.db"),
        "JOBS_STALL_SECONDS": 2,
        "JOBS_HEARTBEAT_SECONDS": 0.5,
        "IMPORT_WORK_DIR": str(tmp_path / "imports"),
        "IMPORT_CONCURRENCY": 4,
        "FEED_PAGE_SIZE": 1000,
        "IMPORT_ALLOW_PRIVATE_ADDRESSES": True,  # the feed is served on loopback
        # 200 analyses would outlast the test (tests/jobs/test_analysis_kill.py kills one).
        "AUDIO_ANALYZE_ON_UPLOAD": False,
    }
    if backend == "redis":
        config["REDIS_URL"] = redis_url(CONSUMER_DB)
    yield config
    if backend == "redis":
        redis_url(CONSUMER_DB)


def start_consumer(app, log: Path) -> subprocess.Popen:
    """`flask --app wsgi jobs consume` in its own process, on the test's database/queue."""
    env = {**os.environ, "PUBLISHER_SECRET_KEY": "test-secret"}
    for key in ("SQLALCHEMY_DATABASE_URI", "MEDIA_ROOT", "PUBLIC_URL", "JOBS_QUEUE_FILE",
                "JOBS_STALL_SECONDS", "JOBS_HEARTBEAT_SECONDS", "IMPORT_WORK_DIR",
                "IMPORT_CONCURRENCY", "REDIS_URL", "IMPORT_ALLOW_PRIVATE_ADDRESSES",
                "AUDIO_ANALYZE_ON_UPLOAD"):  # fmt: skip
        value = app.config.get(key)
        if value is not None:
            env[f"PUBLISHER_{key}"] = json.dumps(value) if isinstance(value, bool) else str(value)
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "consume", "--workers", "2"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def job_state(app, job_id) -> Job:
    with app.app_context():
        job = db.session.get(Job, job_id)
        db.session.expunge(job)
        db.session.remove()
        return job


def wait_for(condition, timeout: float, what: str, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"Timed out waiting for {what}. Consumer log:\n{log.read_text()[-3000:]}")


def test_a_killed_consumer_leaves_nothing_half_done_and_the_import_finishes(
    app, client, files, audio, tmp_path
):
    source = episodes(files, audio("mp3", seconds=1), EPISODES)
    for item in source:  # a slow host: the import takes a few seconds
        files.routes[item.audio_url.removeprefix(files.base)].delay = 0.06
    url = files.add("/feed.xml", Route(body=rss(source).encode(), content_type="text/xml"))
    with app.app_context():
        job = Job.request("imports.run", {"source": url, "media": "download"})
        db.session.commit()
        job_id = job.id
    log = tmp_path / "consumer.log"

    first = start_consumer(app, log)
    try:
        wait_for(lambda: job_state(app, job_id).progress_done >= 40, 120, "40 episodes", log)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    killed_at = job_state(app, job_id)
    assert killed_at.status == "running" and killed_at.progress_done < EPISODES

    time.sleep(app.config["JOBS_STALL_SECONDS"] + 0.5)  # its heartbeat is now stale
    second = start_consumer(app, log)
    try:
        done = wait_for(lambda: job_state(app, job_id).finished and job_state(app, job_id),
                        240, "the job to finish", log)  # fmt: skip
    finally:
        second.send_signal(signal.SIGINT)
        second.wait(30)
    assert done.status == "done", (done.error, log.read_text()[-3000:])
    assert done.attempts == 2
    assert done.progress_done == EPISODES

    with app.app_context():
        rows = db.session.execute(db.select(Episode.guid, Episode.storage_key)).all()
        keys = set(get_storage().list_keys(""))
        show_slug = db.session.scalar(db.select(Episode).limit(1)).show.slug
    assert sorted(guid for guid, _key in rows) == sorted(item.guid for item in source)
    assert keys == {key for _guid, key in rows}  # no orphan, none missing
    assert not list(Path(app.config["IMPORT_WORK_DIR"]).rglob("*.part"))

    again = job_runner.run_now(app, "imports.run", {"source": url, "media": "download"})
    assert again.result["summary"] == f"Nothing new: all {EPISODES} episodes were already imported."

    body = client.get(f"/shows/{show_slug}/feed.xml").data
    ours = podcastparser.parse("http://publisher.test/feed.xml", io.BytesIO(body))["episodes"]
    expected = sorted((item.guid, int(item.published.timestamp())) for item in source)
    assert sorted((e["guid"], e["published"]) for e in ours) == expected
    entries = feedparser.parse(body).entries
    assert sorted((e.id, e.published_parsed[:6]) for e in entries) == sorted(
        (item.guid, item.published.timetuple()[:6]) for item in source
    )
