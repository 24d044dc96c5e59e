"""Direct uploads end to end: the server presigns a multipart upload, a client PUTs the
parts over HTTP to the loopback S3 server, then completion probes the object in place."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest

from publisher.errors import NotFound, ValidationError
from publisher.extensions import db
from publisher.media.direct import DirectUploadUnavailable
from publisher.media.ingest import UploadTooLarge
from publisher.media.probe import ProbeError
from publisher.models import Episode, Show
from publisher.operations.episodes import complete_direct_upload
from publisher.operations.episodes import start_direct_upload as create_direct_upload
from tests.media.helpers import ffmpeg, png_bytes
from tests.s3server import bucket_keys


@pytest.fixture
def backend() -> str:
    return "s3"


def put_parts(plan: dict, data: bytes) -> list[dict]:
    """What a browser or CLI client does: PUT each slice to its URL, keep the ETags."""
    done = []
    size = plan["part_size"]
    for part in plan["parts"]:
        start = (part["part_number"] - 1) * size
        body = data[start : start + size]
        request = urllib.request.Request(part["url"], data=body, method="PUT")
        request.add_header("Content-Type", "application/octet-stream")
        with urllib.request.urlopen(request, timeout=30) as response:  # loopback only
            assert response.status == 200
            done.append({"part_number": part["part_number"], "etag": response.headers["ETag"]})
    return done


def upload_directly(app, show, data: bytes, filename: str, fields=None, parts=None):
    with app.app_context():
        row = db.session.get(Show, show.id)
        plan = create_direct_upload(row, filename, len(data), "audio/mpeg")
        sent = put_parts(plan, data)
        episode = complete_direct_upload(
            row, plan["upload_id"], plan["key"], sent if parts is None else parts, fields or {}
        )
        db.session.commit()
        db.session.refresh(episode)
        db.session.expunge(episode)
        return plan, episode


@pytest.mark.s3
def test_direct_upload_creates_the_episode(app, factory, audio, s3_client, s3_bucket):
    show = factory.show()
    # (the audio fixture caches titled files by kind and length only: keep lengths unique)
    path = audio("mp3", seconds=3.5, title="Direct title")
    plan, episode = upload_directly(app, show, path.read_bytes(), "My Episode.mp3",
                                    fields={"status": "draft"})  # fmt: skip
    assert plan["key"].startswith(f"uploads/{show.id}/") and len(plan["parts"]) == 1
    assert plan["expires_at"].endswith("+00:00")
    assert episode.title == "Direct title" and episode.original_filename == "My Episode.mp3"
    assert episode.storage_key == f"shows/{show.id}/{episode.guid}/direct-title.mp3"
    assert episode.size_bytes == path.stat().st_size
    assert episode.duration_seconds == pytest.approx(3.5, abs=0.05)
    # Only the episode's object remains: the staging copy is gone, no upload left open.
    assert bucket_keys(s3_client, s3_bucket) == [episode.storage_key]
    head = s3_client.head_object(Bucket=s3_bucket, Key=episode.storage_key)
    assert head["ContentType"] == "audio/mpeg"
    assert s3_client.list_multipart_uploads(Bucket=s3_bucket).get("Uploads", []) == []


@pytest.fixture(scope="session")
def wav_12mb(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("direct") / "long.wav"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=220:sample_rate=44100:duration=72",
           "-ac", "2", "-c:a", "pcm_s16le", str(path))  # fmt: skip
    return path


@pytest.mark.s3
def test_a_large_file_goes_in_several_parts(app, factory, wav_12mb, s3_client, s3_bucket):
    plan, episode = upload_directly(
        app, factory.show(), wav_12mb.read_bytes(), "long.wav", parts=[]
    )  # fmt: skip  (the server lists the parts)
    assert plan["part_size"] == 8 * 1024 * 1024 and len(plan["parts"]) == 2
    assert episode.size_bytes == wav_12mb.stat().st_size
    assert episode.duration_seconds == pytest.approx(72, abs=0.01)
    assert bucket_keys(s3_client, s3_bucket) == [episode.storage_key]


@pytest.mark.s3
def test_a_file_that_is_not_audio_is_deleted_and_explained(app, factory, s3_client, s3_bucket):
    show = factory.show()
    with pytest.raises(ProbeError, match=r"PNG image, not audio.*was deleted"):
        upload_directly(app, show, png_bytes(), "cover.mp3")
    assert bucket_keys(s3_client, s3_bucket) == []
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Episode.id))) == 0


@pytest.mark.s3
@pytest.mark.parametrize("extra_config", [{"MAX_UPLOAD_MB": 1}])
def test_sizes_over_the_limit_are_refused(app, factory, audio, s3_client, s3_bucket):
    show = factory.show()
    with app.app_context(), pytest.raises(UploadTooLarge, match="1 MB upload limit"):
        create_direct_upload(db.session.get(Show, show.id), "a.mp3", 2 * 1024 * 1024, None)
    # A client that sends more than it announced is caught at completion.
    with app.app_context():
        row = db.session.get(Show, show.id)
        plan = create_direct_upload(row, "a.mp3", 1000, None)
        put_parts({**plan, "part_size": 2 * 1024 * 1024}, b"\xff" * (2 * 1024 * 1024))
        with pytest.raises(UploadTooLarge):
            complete_direct_upload(row, plan["upload_id"], plan["key"], [], {})
    assert bucket_keys(s3_client, s3_bucket) == []
    assert s3_client.list_multipart_uploads(Bucket=s3_bucket).get("Uploads", []) == []


@pytest.mark.s3
def test_keys_uploads_and_parts_are_checked(app, factory, audio):
    show, other = factory.show(), factory.show()
    data = audio("mp3", seconds=1).read_bytes()
    with app.app_context():
        row = db.session.get(Show, show.id)
        plan = create_direct_upload(row, "a.mp3", len(data), None)
        with pytest.raises(ValidationError, match="No part"):
            complete_direct_upload(row, plan["upload_id"], plan["key"], [], {})
        sent = put_parts(plan, data)
        with pytest.raises(ValidationError, match="does not belong"):
            complete_direct_upload(db.session.get(Show, other.id), plan["upload_id"],
                                   plan["key"], sent, {})  # fmt: skip
        with pytest.raises(ValidationError, match="Part 1 does not match"):
            complete_direct_upload(row, plan["upload_id"], plan["key"],
                                   [{"part_number": 1, "etag": "0" * 32}], {})  # fmt: skip
        with pytest.raises(ValidationError, match="Part 2 has not been uploaded"):
            complete_direct_upload(row, plan["upload_id"], plan["key"],
                                   [{"part_number": 2, "etag": "x"}], {})  # fmt: skip
        with pytest.raises(NotFound):
            complete_direct_upload(row, "no-such-upload", plan["key"], sent, {})
        episode = complete_direct_upload(row, plan["upload_id"], plan["key"], sent, {})
        db.session.commit()
        assert episode.id
        with pytest.raises(NotFound, match="already completed"):
            complete_direct_upload(row, plan["upload_id"], plan["key"], sent, {})


@pytest.mark.parametrize("backend", ["filesystem"])
def test_the_filesystem_store_has_no_direct_uploads(app, factory):
    show = factory.show()
    with app.app_context(), pytest.raises(DirectUploadUnavailable) as caught:
        create_direct_upload(db.session.get(Show, show.id), "a.mp3", 1000, "audio/mpeg")
    assert caught.value.status_code == 409
    assert caught.value.code == "direct_upload_unavailable"
    assert "STORAGE=s3" in caught.value.message


@pytest.mark.s3
def test_a_rollback_after_completion_leaves_nothing(app, factory, audio, s3_client, s3_bucket):
    show = factory.show()
    data = audio("ogg", seconds=1).read_bytes()
    with app.app_context():
        row = db.session.get(Show, show.id)
        plan = create_direct_upload(row, "a.ogg", len(data), None)
        sent = put_parts(plan, data)
        episode = complete_direct_upload(row, plan["upload_id"], plan["key"], sent, {})
        assert sorted(bucket_keys(s3_client, s3_bucket)) == sorted(
            [plan["key"], episode.storage_key]
        )
        db.session.rollback()
    assert bucket_keys(s3_client, s3_bucket) == []
