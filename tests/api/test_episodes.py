"""Episodes through the API, with real audio: upload, probe, read, update, replace, delete."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher.extensions import db
from publisher.models import Episode
from tests.support.api import error_fields, multipart, upload


def stored_files(app) -> list[Path]:
    root = Path(app.config["MEDIA_ROOT"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize(
    ("kind", "mime_type", "codec"),
    [
        ("mp3", "audio/mpeg", "mp3"),
        ("m4a", "audio/x-m4a", "aac"),
        ("opus", "audio/opus", "opus"),
        ("flac", "audio/flac", "flac"),
    ],
)
def test_upload_answers_with_the_probed_audio(editor, factory, audio, kind, mime_type, codec):
    factory.show(slug="s")
    path = audio(kind, seconds=3, channels=2)
    response = upload(editor, "s", path, title="Pilot", status="published")
    assert response.status_code == 201, response.get_json()
    episode = response.get_json()
    assert episode["duration"] == pytest.approx(3.0, abs=0.1)
    media = episode["media"]
    assert media["size"] == path.stat().st_size
    assert (media["mime_type"], media["codec"], media["channels"]) == (mime_type, codec, 2)
    assert media["sample_rate"] in (44100, 48000)
    assert media["bitrate"] > 0
    assert media["url"] == f"http://publisher.test/media/{episode['guid']}.{path.suffix[1:]}"
    assert episode["status"] == "published"


def test_title_defaults_to_the_file_name_and_status_to_draft(editor, factory, audio, anon):
    factory.show(slug="s")
    response = upload(editor, "s", audio("mp3", seconds=2))
    episode = response.get_json()
    assert response.status_code == 201
    assert episode["title"] == "Mp3 2s 1ch 44100"
    assert episode["status"] == "draft"
    assert anon.get(f"/api/v1/episodes/{episode['id']}").status_code == 404


def test_not_audio_is_refused_on_the_audio_field_and_nothing_is_kept(
    editor, factory, app, tmp_path
):
    factory.show(slug="s")
    fake = tmp_path / "picture.mp3"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200)
    response = upload(editor, "s", fake, title="Nope")
    assert response.status_code == 422
    assert "PNG" in error_fields(response)["audio"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Episode.id))) == 0
    assert stored_files(app) == []


def test_audio_is_required_and_fields_are_checked(editor, factory):
    factory.show(slug="s")
    response = upload(editor, "s", None, title="T", season="-1", explicit="maybe", extra="x")
    assert response.status_code == 422
    fields = error_fields(response)
    assert set(fields) == {"audio", "season", "explicit", "extra"}
    assert fields["audio"] == "Attach the file in this field."


def test_scheduled_without_a_time_is_refused_before_storing(editor, factory, audio, app):
    factory.show(slug="s")
    response = upload(editor, "s", audio("mp3", seconds=2), status="scheduled")
    assert response.status_code == 422
    assert "publish_at" in error_fields(response)
    assert stored_files(app) == []


def test_taken_slug_is_409_and_nothing_is_stored(editor, factory, audio, app):
    show = factory.show(slug="s")
    factory.episode(show=show, slug="pilot")
    response = upload(editor, "s", audio("mp3", seconds=2), slug="pilot")
    assert response.status_code == 409
    assert stored_files(app) == []


@pytest.mark.parametrize("app_config", [{"MAX_UPLOAD_MB": 1}])
def test_too_large_upload_is_413_in_the_json_shape(editor, factory, app, tmp_path):
    factory.show(slug="s")
    big = tmp_path / "big.mp3"
    big.write_bytes(b"\xff" * (1024 * 1024 + 10))
    response = upload(editor, "s", big)
    assert response.status_code == 413
    assert "1 MB" in response.get_json()["error"]["message"]
    assert stored_files(app) == []


def test_list_filters_by_status_and_hides_drafts_from_anonymous(anon, editor, factory):
    show = factory.show(slug="s")
    public = factory.episode(show=show)
    factory.episode(show=show, public=False)
    assert [e["id"] for e in anon.get("/api/v1/shows/s/episodes").get_json()["items"]] == [
        public.id
    ]
    assert editor.get("/api/v1/shows/s/episodes").get_json()["total"] == 2
    drafts = editor.get("/api/v1/shows/s/episodes?status=draft").get_json()["items"]
    assert [e["status"] for e in drafts] == ["draft"]


def test_episodes_of_a_draft_show_are_hidden_from_anonymous(anon, factory):
    show = factory.show(slug="s", status="draft")
    episode = factory.episode(show=show)
    assert anon.get("/api/v1/shows/s/episodes").status_code == 404
    assert anon.get(f"/api/v1/episodes/{episode.id}").status_code == 404


def test_patch_json_changes_fields(editor, factory):
    episode = factory.episode(public=False)
    response = editor.patch(
        f"/api/v1/episodes/{episode.id}",
        json={"title": "Better", "season": 2, "status": "published", "description": "<b>x</b>"},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["title"], body["season"], body["status"]) == ("Better", 2, "published")
    assert body["publish_at"] is not None


def test_patch_json_refuses_strings_for_numbers(editor, factory):
    episode = factory.episode()
    response = editor.patch(f"/api/v1/episodes/{episode.id}", json={"season": "2"})
    assert response.status_code == 422
    assert "integer" in error_fields(response)["season"]


def test_patch_with_an_unreadable_multipart_body_is_400_not_a_silent_no_op(editor, factory):
    episode = factory.episode(title="Kept")
    response = editor.patch(
        f"/api/v1/episodes/{episode.id}",
        data=b"--abc\r\nTrue--abc--\r\n",
        content_type="multipart/form-data; boundary=abc",
    )
    assert response.status_code == 400
    assert "no readable part" in response.get_json()["error"]["message"]


def test_patch_multipart_replaces_the_audio_and_keeps_the_guid(editor, factory, audio, app):
    factory.show(slug="s")
    first = upload(editor, "s", audio("mp3", seconds=2), title="T").get_json()
    path = audio("flac", seconds=3)
    response = editor.patch(
        f"/api/v1/episodes/{first['id']}", **multipart(path, title="Remastered")
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["guid"] == first["guid"]
    assert (body["title"], body["media"]["codec"]) == ("Remastered", "flac")
    assert body["duration"] == pytest.approx(3.0, abs=0.1)
    assert [p.suffix for p in stored_files(app)] == [".flac"]


def test_delete_removes_the_row_and_the_file(editor, factory, audio, app):
    factory.show(slug="s")
    episode = upload(editor, "s", audio("mp3", seconds=2)).get_json()
    assert len(stored_files(app)) == 1
    assert editor.delete(f"/api/v1/episodes/{episode['id']}").status_code == 204
    assert editor.get(f"/api/v1/episodes/{episode['id']}").status_code == 404
    assert stored_files(app) == []
