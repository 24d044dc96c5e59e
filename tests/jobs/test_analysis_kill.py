"""Issue 15: an upload queues its audio analysis; a real consumer killed (SIGKILL) in the
middle of the analysis leaves nothing half-stored, and the next consumer finishes it."""

from __future__ import annotations

import signal
import time

import pytest

from publisher.extensions import db
from publisher.media.storage import get_storage
from publisher.models import AudioAnalysis, Job
from tests.jobs.test_consumer_kill import job_state, start_consumer, wait_for
from tests.support.redis import CONSUMER_DB, redis_url


@pytest.fixture
def app_config(backend, tmp_path):
    config = {
        "JOBS_QUEUE_FILE": str(tmp_path / "jobs.db"),
        "JOBS_STALL_SECONDS": 2,
        "JOBS_HEARTBEAT_SECONDS": 0.5,
    }
    if backend == "redis":
        config["REDIS_URL"] = redis_url(CONSUMER_DB)
    yield config
    if backend == "redis":
        redis_url(CONSUMER_DB)


def analysis_of(app, episode_id: int) -> AudioAnalysis | None:
    with app.app_context():
        found = db.session.scalar(
            db.select(AudioAnalysis).where(AudioAnalysis.episode_id == episode_id)
        )
        if found is not None:
            db.session.expunge(found)
        db.session.remove()
        return found


def test_a_consumer_killed_mid_analysis_leaves_nothing_and_the_retry_finishes(
    app, factory, audio, tmp_path
):
    # Ten minutes of audio: the analysis takes some seconds, long enough to be cut short.
    episode = factory.ingested_episode(audio("mp3", seconds=600), show=factory.show())
    with app.app_context():
        job_id = db.session.scalar(
            db.select(Job.id).where(Job.kind == "audio.analyze")
        )  # queued by the upload itself
        assert job_id is not None
        keys_before = set(get_storage().list_keys(""))
    log = tmp_path / "consumer.log"

    first = start_consumer(app, log)
    try:
        wait_for(lambda: job_state(app, job_id).status == "running", 60, "the analysis", log)
        time.sleep(1.0)  # in the middle of the decoding pass
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    assert job_state(app, job_id).status == "running"  # cut short, not finished
    assert analysis_of(app, episode.id) is None  # nothing half-stored
    with app.app_context():
        assert set(get_storage().list_keys("")) == keys_before  # no waveform written

    time.sleep(app.config["JOBS_STALL_SECONDS"] + 0.5)  # its heartbeat is now stale
    second = start_consumer(app, log)
    try:
        done = wait_for(
            lambda: job_state(app, job_id).finished and job_state(app, job_id), 240,
            "the analysis to finish", log,
        )  # fmt: skip
    finally:
        second.send_signal(signal.SIGINT)
        second.wait(30)
    assert done.status == "done" and done.attempts == 2, log.read_text()[-3000:]
    analysis = analysis_of(app, episode.id)
    assert analysis is not None and analysis.status == "done"
    assert analysis.measurements["duration_seconds"] == pytest.approx(600, abs=1)
    with app.app_context():
        new_keys = set(get_storage().list_keys("")) - keys_before
    assert new_keys == {analysis.waveform_key}  # one waveform, no leftover from attempt one
