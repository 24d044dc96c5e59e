"""A store that has public URLs (S3, a CDN): the app counts, then redirects there."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from publisher.extensions import db
from publisher.media.storage import FilesystemStorage
from publisher.models import Download


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
