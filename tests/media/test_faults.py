"""Faults with a real S3 server on loopback: the store vanishing before or during an
upload, or while old objects are removed. A proxy in front of moto plays the network:
``down()`` drops every connection and refuses new ones; ``up()`` is the restart."""

from __future__ import annotations

import io
import logging

import pytest
from flask import request
from sqlalchemy import func, select

from publisher.extensions import csrf, db
from publisher.media.storage import StorageError
from publisher.models import Episode, Show
from publisher.operations.episodes import create_episode, delete_episode
from tests.media.helpers import ffmpeg
from tests.s3server import bucket_keys, s3_config

pytestmark = pytest.mark.s3


@pytest.fixture
def app_config(s3_server, s3_bucket, flaky_s3):
    """An app whose S3 endpoint is the proxy; 5 MB parts so uploads span several requests."""
    return s3_config(
        s3_server,
        s3_bucket,
        S3_ENDPOINT_URL=flaky_s3.endpoint_url,
        S3_MULTIPART_THRESHOLD_MB=5,
        S3_MULTIPART_CHUNK_MB=5,
        S3_MAX_CONCURRENCY=2,
    )


@pytest.fixture
def upload_route(app):
    """A minimal upload view, as the API and studio have: ingest, commit once."""

    @csrf.exempt
    def upload(show_id: int):
        show = db.get_or_404(Show, show_id)
        audio = request.files["audio"]
        episode = create_episode(show, audio.stream, audio.filename or "", {})
        db.session.commit()
        return {"id": episode.id}, 201

    app.add_url_rule("/api/v1/test-upload/<int:show_id>", view_func=upload, methods=["POST"])
    return "/api/v1/test-upload/{}"


@pytest.fixture(scope="session")
def twelve_mb_wav(tmp_path_factory):
    path = tmp_path_factory.mktemp("fault-audio") / "long.wav"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=220:sample_rate=44100:duration=72",
           "-ac", "2", "-c:a", "pcm_s16le", str(path))  # fmt: skip
    return path


def rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Episode.id)))


def test_store_down_before_the_upload_answers_503_and_keeps_nothing(
    app, client, factory, audio, flaky_s3, upload_route, s3_client, s3_bucket
):
    show = factory.show()
    flaky_s3.down()
    response = client.post(
        upload_route.format(show.id),
        data={"audio": (io.BytesIO(audio("mp3", seconds=2).read_bytes()), "ep.mp3")},
    )
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["code"] == "storage_unavailable"
    assert "unreachable" in error["message"] and "Nothing was saved" in error["message"]
    assert rows(app) == 0
    flaky_s3.up()  # the restart
    assert bucket_keys(s3_client, s3_bucket) == []


def test_store_down_during_a_multipart_upload(
    app, factory, twelve_mb_wav, flaky_s3, s3_client, s3_bucket
):
    show = factory.show()
    flaky_s3.cut_after(7 * 1024 * 1024)  # in the middle of the second 5 MB part
    with app.app_context(), twelve_mb_wav.open("rb") as stream:
        with pytest.raises(StorageError) as caught:
            create_episode(db.session.get(Show, show.id), stream, "long.wav", {})
        db.session.rollback()
    assert caught.value.status_code == 503
    assert flaky_s3.forwarded >= 7 * 1024 * 1024  # the upload really was under way
    assert rows(app) == 0
    flaky_s3.up()
    assert bucket_keys(s3_client, s3_bucket) == []
    # A half-finished multipart upload is not an object (nothing is readable), and
    # `storage orphans --delete` aborts those left behind.


def test_store_down_while_removing_old_objects_logs_and_leaves_an_orphan(
    app, factory, audio, flaky_s3, s3_client, s3_bucket, caplog
):
    episode = factory.ingested_episode(audio("mp3", seconds=1))
    assert bucket_keys(s3_client, s3_bucket) == [episode.storage_key]
    flaky_s3.down()
    with app.app_context(), caplog.at_level(logging.WARNING, "publisher.media.cleanup"):
        delete_episode(db.session.get(Episode, episode.id))
        db.session.commit()  # the row goes; the delete fails after the commit
    assert rows(app) == 0
    assert "left for `storage orphans`" in caplog.text
    flaky_s3.up()
    assert bucket_keys(s3_client, s3_bucket) == [episode.storage_key]
