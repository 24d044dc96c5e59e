"""Shows and episodes from the studio: create, edit, delete; upload through the app
(local store) and straight to S3 (presigned parts); edit with version conflicts."""

from __future__ import annotations

import re
from io import BytesIO

import pytest

from publisher.extensions import db
from publisher.models import Episode, Show, ShowMember
from tests.s3server import bucket_keys
from tests.support.studio import csrf_token, post


def _token(client) -> str:
    return csrf_token(client, "/studio/account")


def test_an_editor_creates_a_show_and_becomes_its_member(app, producers):
    editor, client = producers.editor()
    data = {
        "title": "Harbour Talks",
        "slug": "harbour",
        "description": "<p>Boats.</p>",
        "status": "published",
        "language": "en",
        "show_type": "episodic",
        "author": "Ann",
        "owner_name": "Ann",
        "owner_email": "ann@example.com",
        "categories-0-category": "News",
        "medium": "podcast",
    }
    response = post(client, "/studio/shows/new", data)
    assert response.status_code == 302 and response.headers["Location"] == "/studio/shows/harbour/"
    with app.app_context():
        show = db.session.scalar(db.select(Show).where(Show.slug == "harbour"))
        assert (show.title, show.author, show.category) == ("Harbour Talks", "Ann", "News")
        assert db.session.get(ShowMember, (show.id, editor.id)) is not None
    assert client.get("/studio/shows/harbour/").status_code == 200


def test_a_bad_show_field_is_shown_on_its_field(producers):
    _editor, client = producers.editor()
    data = {
        "title": "X",
        "status": "published",
        "language": "en",
        "show_type": "episodic",
        "categories-0-category": "News",
        "categories-0-subcategory": "Not a real one",
        "medium": "podcast",
        "link": "javascript:alert(1)",
    }
    response = post(client, "/studio/shows/new", data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Please correct the fields marked below." in page
    assert 'id="link-error"' in page or 'id="subcategory-error"' in page


def test_editing_a_show_changes_its_fields(app, producers, factory):
    show = factory.show(slug="edited", title="Before")
    _editor, client = producers.editor(show)
    page = client.get("/studio/shows/edited/edit").get_data(as_text=True)
    for group in ("Basics", "People", "Directories", "Advanced"):
        assert f"<legend>{group}</legend>" in page
    data = {
        "title": "After",
        "status": "published",
        "language": "fr",
        "show_type": "serial",
        "categories-0-category": "News",
        "medium": "podcast",
        "complete": "y",
    }
    assert post(client, "/studio/shows/edited/edit", data).status_code == 302
    with app.app_context():
        saved = db.session.scalar(db.select(Show).where(Show.slug == "edited"))
        assert (saved.title, saved.language, saved.show_type, saved.complete) == (
            "After",
            "fr",
            "serial",
            True,
        )


def test_deleting_a_show_needs_an_admin_and_its_slug(app, producers, factory):
    show = factory.show(slug="doomed")
    _editor, editor_client = producers.editor(show)
    assert (
        post(editor_client, "/studio/shows/doomed/delete", {"confirm_slug": "doomed"}).status_code
        == 403
    )
    _admin, client = producers.admin()
    assert post(client, "/studio/shows/doomed/delete", {"confirm_slug": "nope"}).status_code == 422
    assert (
        post(client, "/studio/shows/doomed/delete", {"confirm_slug": "doomed"}).status_code == 302
    )
    with app.app_context():
        assert db.session.get(Show, show.id) is None


def _upload(client, slug: str, path, name: str | None = None):
    return client.post(
        f"/studio/shows/{slug}/episodes/upload",
        data={"file": (BytesIO(path.read_bytes()), name or path.name)},
        headers={"X-CSRFToken": _token(client)},
        content_type="multipart/form-data",
    )


def test_an_upload_through_the_app_creates_a_draft_prefilled_from_the_file(
    app, producers, factory, audio
):
    show = factory.show(slug="local")
    _editor, client = producers.editor(show)
    response = _upload(client, "local", audio("mp3", seconds=3), "morning-news.mp3")
    assert response.status_code == 201, response.get_data(as_text=True)
    answer = response.get_json()
    assert 2.5 < answer["duration_seconds"] < 3.5
    page = client.get(answer["edit_url"]).get_data(as_text=True)
    assert "0:03" in page and "mp3" in page
    with app.app_context():
        episode = db.session.get(Episode, answer["id"])
        assert episode.status == "draft" and episode.storage_key


def test_an_upload_without_csrf_token_is_refused(producers, factory, audio):
    show = factory.show(slug="guarded")
    _editor, client = producers.editor(show)
    path = audio("mp3", seconds=1)
    response = client.post(
        "/studio/shows/guarded/episodes/upload",
        data={"file": (BytesIO(path.read_bytes()), path.name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400


def test_a_file_that_is_not_audio_is_refused_with_a_reason_and_nothing_kept(
    app, producers, factory, tmp_path
):
    show = factory.show(slug="refuse")
    _editor, client = producers.editor(show)
    fake = tmp_path / "notes.mp3"
    fake.write_bytes(b"These are my notes, not audio." * 100)
    response = _upload(client, "refuse", fake)
    assert response.status_code == 422
    assert "audio" in response.get_json()["error"]["message"].lower()
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Episode.id))) == 0


def test_a_non_member_cannot_upload(producers, factory, audio):
    factory.show(slug="private")
    _editor, client = producers.editor()
    assert _upload(client, "private", audio("mp3", seconds=1)).status_code == 403


def _edit_data(episode, **changes):
    data = {
        "version": str(episode.version),
        "title": episode.title,
        "slug": episode.slug,
        "description": "<p>Notes</p>",
        "episode_type": "full",
        "status": "draft",
    }
    data.update(changes)
    return data


def test_scheduling_reads_the_time_in_the_producers_zone(app, producers, factory):
    show = factory.show(slug="zoned")
    episode = factory.episode(show=show, public=False, status="draft", publish_at=None)
    editor, client = producers.editor(show)
    with app.app_context():
        from publisher.models import User

        db.session.get(User, editor.id).timezone = "Europe/Paris"
        db.session.commit()
    data = _edit_data(episode, status="scheduled", publish_at="2031-07-01T09:30")
    response = post(client, f"/studio/shows/zoned/episodes/{episode.id}/edit", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        saved = db.session.get(Episode, episode.id)
        assert saved.publish_at.isoformat() == "2031-07-01T07:30:00+00:00"  # CEST is UTC+2
        assert saved.version == episode.version + 1
    page = client.get(f"/studio/shows/zoned/episodes/{episode.id}/edit").get_data(as_text=True)
    assert "2031-07-01 09:30 Europe/Paris" in page and "2031-07-01 07:30 UTC" in page


def test_a_save_based_on_an_old_version_is_a_conflict_showing_both(app, producers, factory):
    show = factory.show(slug="clash")
    episode = factory.episode(show=show, title="Original", public=False)
    _first, first = producers.editor(show)
    _second, second = producers.editor(show)
    url = f"/studio/shows/clash/episodes/{episode.id}/edit"
    assert post(first, url, _edit_data(episode, title="First's title")).status_code == 302
    response = post(second, url, _edit_data(episode, title="Second's title"))
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "First&#39;s title" in page and "Second&#39;s title" in page
    with app.app_context():
        assert db.session.get(Episode, episode.id).title == "First's title"
    version = re.search(r'id="version" name="version" type="hidden" value="(\d+)"', page).group(1)
    retry = post(second, url, _edit_data(episode, title="Second's title", version=version))
    assert retry.status_code == 302


def test_deleting_an_episode_asks_first(app, producers, factory):
    show = factory.show(slug="del")
    episode = factory.episode(show=show)
    _editor, client = producers.editor(show)
    assert client.get(f"/studio/shows/del/episodes/{episode.id}/delete").status_code == 200
    assert post(client, f"/studio/shows/del/episodes/{episode.id}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(Episode, episode.id) is None


def test_replacing_the_audio_keeps_the_guid(app, producers, factory, audio):
    show = factory.show(slug="swap")
    episode = factory.ingested_episode(audio("mp3", seconds=2), show=show)
    _editor, client = producers.editor(show)
    path = audio("mp3", seconds=4)
    response = client.post(
        f"/studio/shows/swap/episodes/{episode.id}/audio",
        data={"audio": (BytesIO(path.read_bytes()), "new.mp3"), "csrf_token": _token(client)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.get(Episode, episode.id)
        assert saved.guid == episode.guid and saved.duration_seconds > 3.5


@pytest.mark.s3
class TestDirectToBucket:
    @pytest.fixture
    def app_config(self, s3_app_config):
        return s3_app_config

    def _json(self, client, path, body):
        return client.post(path, json=body, headers={"X-CSRFToken": _token(client)})

    def test_parts_go_to_the_bucket_and_complete_creates_the_episode(
        self, app, producers, factory, audio, s3_server, s3_bucket
    ):
        import requests

        show = factory.show(slug="direct")
        _editor, client = producers.editor(show)
        data = audio("mp3", seconds=3).read_bytes()
        base = "/studio/shows/direct/uploads/s3"
        plan = self._json(client, f"{base}/create", {"filename": "a.mp3", "size": len(data)})
        assert plan.status_code == 200, plan.get_data(as_text=True)
        plan = plan.get_json()
        signed = self._json(client, f"{base}/sign", {**plan, "partNumber": 1}).get_json()
        put = requests.put(signed["url"], data=data, timeout=10)
        assert put.status_code == 200
        parts = self._json(client, f"{base}/parts", plan).get_json()
        assert [p["PartNumber"] for p in parts] == [1]
        done = self._json(client, f"{base}/complete", {**plan, "parts": parts})
        assert done.status_code == 201, done.get_data(as_text=True)
        keys = bucket_keys(s3_server.client, s3_bucket)
        assert len(keys) == 1 and keys[0].startswith(f"shows/{show.id}/")

    def test_cancel_leaves_no_object_and_no_open_upload(
        self, producers, factory, s3_server, s3_bucket
    ):
        show = factory.show(slug="cancel")
        _editor, client = producers.editor(show)
        base = "/studio/shows/cancel/uploads/s3"
        plan = self._json(client, f"{base}/create", {"filename": "a.mp3", "size": 1000}).get_json()
        assert self._json(client, f"{base}/abort", plan).status_code == 200
        uploads = s3_server.client.list_multipart_uploads(Bucket=s3_bucket).get("Uploads", [])
        assert uploads == [] and bucket_keys(s3_server.client, s3_bucket) == []

    def test_another_shows_key_cannot_be_signed(self, producers, factory):
        mine, theirs = factory.show(slug="mine"), factory.show(slug="theirs")
        _editor, client = producers.editor(mine)
        body = {"key": f"uploads/{theirs.id}/abc/audio", "uploadId": "x", "partNumber": 1}
        response = self._json(client, "/studio/shows/mine/uploads/s3/sign", body)
        assert response.status_code == 422
        assert "does not belong" in response.get_json()["error"]["message"]


def test_title_and_show_notes_come_from_the_files_tags(app, producers, factory, audio, tmp_path):
    import shutil

    from mutagen.id3 import COMM, ID3, TIT2

    path = tmp_path / "tagged.mp3"  # a copy: the audio fixture's files may be shared
    shutil.copy(audio("mp3", seconds=2), path)
    tags = ID3()
    tags.add(TIT2(encoding=3, text="Tides & Times"))
    # The comment frame (COMM) is where audio editors keep show notes.
    tags.add(COMM(encoding=3, lang="eng", desc="", text="First line.\n\nSecond <b>"))
    tags.save(path)
    show = factory.show(slug="tagged")
    _editor, client = producers.editor(show)
    answer = _upload(client, "tagged", path).get_json()
    with app.app_context():
        episode = db.session.get(Episode, answer["id"])
        assert episode.title == "Tides & Times"
        assert episode.description == "<p>First line.</p><p>Second &lt;b&gt;</p>"
