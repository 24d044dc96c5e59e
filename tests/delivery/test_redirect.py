"""A store that has public URLs (S3, a CDN): the app counts, then redirects there."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from publisher.extensions import db
from publisher.media.storage import FilesystemStorage
from publisher.models import Download, utcnow


class PublicUrlStorage(FilesystemStorage):
    """A real store whose objects are also reachable at a public URL, like S3."""

    def public_url(self, key, expires=None):
        return f"https://cdn.example.test/{key}?expires={expires}"


@pytest.fixture
def public_store(app):
    app.extensions["publisher.storage"] = PublicUrlStorage(app.config["MEDIA_ROOT"])


def downloads(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Download))


def test_media_in_a_public_store_redirects_there(app, public_store, factory, listener):
    episode = factory.episode()
    response = listener().get(f"/media/{episode.guid}.mp3")
    assert response.status_code == 302
    assert response.headers["Location"] == (
        f"https://cdn.example.test/{episode.storage_key}?expires=3600"
    )
    assert response.headers["Cache-Control"] == "no-store"


def test_a_whole_file_redirect_is_counted(app, public_store, factory, listener):
    episode = factory.episode()
    listener().get(f"/media/{episode.guid}.mp3")
    assert downloads(app) == 1


def test_redirected_head_and_probe_are_not_counted(app, public_store, factory, listener):
    episode = factory.episode()
    app_ = listener()
    app_.head(f"/media/{episode.guid}.mp3")
    app_.get(f"/media/{episode.guid}.mp3", "bytes=0-1")
    assert downloads(app) == 0


def test_redirect_of_a_draft_is_404(app, public_store, factory, listener):
    episode = factory.episode(public=False)
    assert listener().get(f"/media/{episode.guid}.mp3").status_code == 404


class TestRealS3:
    """Against the loopback S3-compatible server: the redirect target really serves the
    episode's bytes and ranges."""

    @pytest.fixture
    def app_config(self, s3_app_config):
        return s3_app_config

    @pytest.fixture
    def s3_episode(self, factory, audio):
        path = audio("mp3", seconds=3)
        published = utcnow() - timedelta(minutes=5)
        episode = factory.ingested_episode(path, status="published", publish_at=published)
        return episode, path.read_bytes()

    def test_presigned_redirect_serves_the_file_and_ranges(self, app, s3_episode, listener):
        import requests

        episode, data = s3_episode
        response = listener().get(f"/media/{episode.guid}.mp3")
        assert response.status_code == 302
        location = response.headers["Location"]
        assert "Signature" in location or "X-Amz-Signature" in location
        assert requests.get(location, timeout=10).content == data
        ranged = requests.get(location, headers={"Range": "bytes=100-199"}, timeout=10)
        assert ranged.status_code == 206
        assert ranged.content == data[100:200]
        assert downloads(app) == 1

    def test_public_base_url_redirect(self, app, s3_episode, listener):
        app.config["S3_PUBLIC_URL"] = "https://cdn.example.test/podcast"
        app.extensions.pop("publisher.storage", None)  # rebuilt with the new setting
        episode, _data = s3_episode
        response = listener().get(f"/media/{episode.guid}.mp3")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("https://cdn.example.test/podcast/shows/")
