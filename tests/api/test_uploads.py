"""Direct uploads through the API, against the loopback S3 server: presign, PUT, complete."""

from __future__ import annotations

import urllib.request

import pytest

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


def test_direct_upload_creates_a_probed_episode(editor, factory, audio, s3_client, s3_bucket):
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
    assert response.status_code == 201, response.get_json()
    episode = response.get_json()
    assert (episode["title"], episode["status"], episode["season"]) == ("Interview", "published", 1)
    assert episode["duration"] == pytest.approx(3.0, abs=0.1)
    media = episode["media"]
    assert (media["size"], media["mime_type"], media["codec"]) == (len(data), "audio/x-m4a", "aac")
    assert media["sample_rate"] == 44100 and media["bitrate"] > 0
    (key,) = bucket_keys(s3_client, s3_bucket)  # the staging object is gone
    assert key.endswith(f"/{episode['guid']}/interview.m4a")


def test_completing_with_not_audio_deletes_the_object(editor, factory, s3_client, s3_bucket):
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
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "unsupported_media"
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
