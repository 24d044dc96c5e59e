"""The media store vanishing in the middle of an analysis (a real S3 server behind a proxy
that is cut): nothing half-written — no analysis row, no waveform object — and running the
analysis again, as the job queue's retry does, finishes it."""

from __future__ import annotations

import time

import pytest

from publisher.extensions import db
from publisher.media.storage import StorageError
from publisher.models import AudioAnalysis
from publisher.operations.audio import analyze_episode
from tests.s3server import bucket_keys, s3_config

pytestmark = pytest.mark.s3


@pytest.fixture
def app_config(s3_server, s3_bucket, flaky_s3):
    return s3_config(s3_server, s3_bucket, S3_ENDPOINT_URL=flaky_s3.endpoint_url)


def test_a_store_lost_mid_analysis_leaves_nothing_and_a_retry_finishes(
    app, factory, sound, flaky_s3, s3_client, s3_bucket
):
    episode = factory.ingested_episode(sound("wav", "padded"))  # 2.4 MB: several reads
    before = set(bucket_keys(s3_client, s3_bucket))
    start = flaky_s3.forwarded
    flaky_s3.cut_after(start + 2500)  # a few ranged GETs in, the store goes away
    with app.app_context():
        with pytest.raises(StorageError) as caught:
            analyze_episode(episode.id)
        db.session.rollback()
        assert caught.value.status_code == 503
        assert db.session.scalar(db.select(AudioAnalysis)) is None
    assert flaky_s3.forwarded > start + 1000  # it really was reading
    deadline = time.monotonic() + 10
    while flaky_s3._listener is not None and time.monotonic() < deadline:
        time.sleep(0.05)  # the cut runs in the proxy's own thread: let it finish
    flaky_s3.up()
    assert set(bucket_keys(s3_client, s3_bucket)) == before
    with app.app_context():  # the retry
        analysis = analyze_episode(episode.id)
        db.session.commit()
        assert analysis.status == "done"
        assert analysis.measurements["leading_silence_seconds"] == pytest.approx(3.0, abs=0.05)
        waveform_key = analysis.waveform_key
    assert set(bucket_keys(s3_client, s3_bucket)) == before | {waveform_key}
