"""The bad-input corpus (tests/data/bad/): each file gets its clear 4xx, and afterwards
the number of rows and stored objects is unchanged. Runs on both storage backends."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from mutagen.id3 import APIC, ID3
from sqlalchemy import func, select

from publisher.extensions import db
from publisher.media.storage import get_storage
from publisher.models import Episode, Show
from publisher.operations.episodes import create_episode
from tests.media.helpers import png_bytes

BAD = Path(__file__).resolve().parent.parent / "data" / "bad"


def snapshot(app) -> tuple[int, list[str]]:
    with app.app_context():
        rows = db.session.scalar(select(func.count(Episode.id)))
        return rows, sorted(get_storage().list_keys())


def attempt(app, show, data: bytes, filename: str):
    """Ingest + commit like a view would; on error roll back; return the error or row."""
    with app.app_context():
        try:
            episode = create_episode(db.session.get(Show, show.id), io.BytesIO(data), filename, {})
            db.session.commit()
        except Exception as exc:
            db.session.rollback()
            return exc
        db.session.refresh(episode)
        db.session.expunge(episode)
        return episode


@pytest.fixture
def show_with_episode(factory, audio):
    """A show that already has one stored episode, so "unchanged" is not trivially empty."""
    show = factory.show()
    factory.ingested_episode(audio("mp3", seconds=1), show=show)
    return show


@pytest.mark.parametrize(
    ("name", "status", "message"),
    [
        ("empty.mp3", 422, "The file is empty"),
        ("png-renamed.mp3", 422, "This file is a PNG image, not audio"),
        ("random-bytes.mp3", 422, "We could not recognise this file as audio"),
        ("notes.txt.mp3", 422, "This file is a text file, not audio"),
        ("cut-after-1k.mp3", 422, "This MP3 file is incomplete"),
    ],
)
def test_corpus_file_is_refused_clearly_and_leaves_nothing(
    app, show_with_episode, name, status, message
):
    before = snapshot(app)
    error = attempt(app, show_with_episode, (BAD / name).read_bytes(), name)
    assert getattr(error, "status_code", None) == status, error
    assert message in error.message
    assert snapshot(app) == before


def test_a_20_mb_picture_in_the_tags_is_refused(app, show_with_episode, audio, tmp_path):
    path = tmp_path / "huge-cover.mp3"
    path.write_bytes(audio("mp3", seconds=1).read_bytes())
    tags = ID3(path)
    tags.add(APIC(encoding=3, mime="image/png", type=3, desc="", data=png_bytes(extra=20 << 20)))
    tags.save(path)
    before = snapshot(app)
    error = attempt(app, show_with_episode, path.read_bytes(), path.name)
    assert error.status_code == 422 and "embedded cover picture" in error.message
    assert snapshot(app) == before


@pytest.mark.parametrize("extra_config", [{"MAX_UPLOAD_MB": 1}])
def test_a_file_just_over_the_limit_gets_413(app, show_with_episode):
    before = snapshot(app)
    error = attempt(app, show_with_episode, b"\x00" * (1024 * 1024 + 1), "long.mp3")
    assert error.status_code == 413 and "1 MB upload limit" in error.message
    assert snapshot(app) == before


def test_tags_with_markup_and_control_characters_are_stored_as_plain_text(app, show_with_episode):
    name = "script-and-control-tags.mp3"
    rows, keys = snapshot(app)
    episode = attempt(app, show_with_episode, (BAD / name).read_bytes(), name)
    assert isinstance(episode, Episode)
    # Accepted on purpose: the audio is fine. The title is text (templates escape it),
    # with the control characters gone.
    assert episode.title == '<script>alert("x")</script>Title with controls'
    assert not any(ord(ch) < 32 for ch in episode.title)
    assert snapshot(app) == (rows + 1, sorted([*keys, episode.storage_key]))


def test_a_path_in_the_file_name_is_only_data(app, show_with_episode, audio):
    episode = attempt(app, show_with_episode, audio("mp3", seconds=1).read_bytes(),
                      "../../etc/passwd.mp3")  # fmt: skip
    assert episode.original_filename == "passwd.mp3"
    assert episode.title == "Passwd"
    assert episode.storage_key == (
        f"shows/{show_with_episode.id}/{episode.guid}/{episode.slug}.mp3"
    )
    assert ".." not in episode.storage_key
