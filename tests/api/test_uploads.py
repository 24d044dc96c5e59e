"""Direct uploads through the API, against the loopback S3 server: presign, PUT, complete."""

from __future__ import annotations

import urllib.request

import pytest

from publisher.jobs import get_queue
from tests.s3server import bucket_keys
from tests.support.api import error_fields

pytestmark = pytest.mark.s3


@pytest.fixture
def app_config(s3_app_config):
    return s3_app_config


def put_parts(plan: dict, data: bytes) -> list[dict]:
    """What a client does with the plan: PUT each slice to its URL, keep the ETags."""
    done = []
    for part in plan["parts"]:
        start = (part["part_number"] - 1) * plan["part_size"]
        request = urllib.request.Request(
            part["url"], data=data[start : start + plan["part_size"]], method="PUT"
        )
        request.add_header("Content-Type", "application/octet-stream")
        with urllib.request.urlopen(request, timeout=30) as response:  # loopback only
            done.append({"part_number": part["part_number"], "etag": response.headers["ETag"]})
    return done


def complete_job(app, editor, response) -> dict:
    """The 202 answer's job, run by the queue as a consumer would; returns it finished."""
    assert response.status_code == 202, response.get_json()
    job = response.get_json()
    assert job["status"] == "queued" and job["kind"] == "uploads.complete"
    get_queue(app).run_pending()
    return editor.get(f"/api/v1/jobs/{job['id']}").get_json()


def test_direct_upload_creates_a_probed_episode(app, editor, factory, audio, s3_client, s3_bucket):
    factory.show(slug="s")
    data = audio("m4a", seconds=3, channels=2).read_bytes()
    plan = editor.post(
        "/api/v1/shows/s/uploads",
        json={"filename": "Interview.m4a", "size": len(data), "content_type": "audio/mp4"},
    )
    assert plan.status_code == 201, plan.get_json()
    plan = plan.get_json()
    assert len(plan["parts"]) == 1 and plan["key"].startswith("uploads/")
    parts = put_parts(plan, data)

    response = editor.post(
        "/api/v1/shows/s/uploads/complete",
        json={
            "upload_id": plan["upload_id"],
            "key": plan["key"],
            "parts": parts,
            "title": "Interview",
            "status": "published",
            "season": 1,
        },
    )
    job = complete_job(app, editor, response)
    assert job["status"] == "done", job
    episode = editor.get(f"/api/v1/episodes/{job['result']['episode_id']}").get_json()
    assert (episode["title"], episode["status"], episode["season"]) == ("Interview", "published", 1)
    assert episode["duration"] == pytest.approx(3.0, abs=0.1)
    media = episode["media"]
    assert (media["size"], media["mime_type"], media["codec"]) == (len(data), "audio/x-m4a", "aac")
    assert media["sample_rate"] == 44100 and media["bitrate"] > 0
    keys = bucket_keys(s3_client, s3_bucket)
    waveforms = [k for k in keys if k.rsplit("/", 1)[-1].startswith("waveform-")]
    (key,) = [k for k in keys if k not in waveforms]  # the staging object is gone
    assert key.endswith(f"/{episode['guid']}/interview.m4a")
    # The upload queued the audio analysis, which ran next and stored the waveform.
    assert len(waveforms) == 1 and waveforms[0].startswith(key.rsplit("/", 1)[0])


def test_completing_with_not_audio_deletes_the_object(app, editor, factory, s3_client, s3_bucket):
    factory.show(slug="s")
    data = b"hello, this is text and not audio at all\n" * 100
    plan = editor.post(
        "/api/v1/shows/s/uploads", json={"filename": "notes.mp3", "size": len(data)}
    ).get_json()
    parts = put_parts(plan, data)
    response = editor.post(
        "/api/v1/shows/s/uploads/complete",
        json={"upload_id": plan["upload_id"], "key": plan["key"], "parts": parts},
    )
    job = complete_job(app, editor, response)
    assert job["status"] == "failed" and job["attempts"] == 1  # retrying cannot help
    assert "not" in job["error"] and "The uploaded file was deleted." in job["error"]
    assert bucket_keys(s3_client, s3_bucket) == []


def test_upload_fields_are_validated(editor, factory):
    factory.show(slug="s")
    response = editor.post("/api/v1/shows/s/uploads", json={"filename": "a.mp3", "size": 0})
    assert response.status_code == 422
    assert "greater than or equal to 1" in error_fields(response)["size"]


@pytest.mark.parametrize("app_config", [{}])
def test_direct_uploads_need_the_s3_store(editor, factory):
    factory.show(slug="s")
    response = editor.post("/api/v1/shows/s/uploads", json={"filename": "a.mp3", "size": 10})
    assert response.status_code == 409
    assert "STORAGE=s3" in response.get_json()["error"]["message"]
