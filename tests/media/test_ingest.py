"""create_episode / replace_audio / delete_episode: the row and the stored object
go together, whatever fails and whenever."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from publisher.errors import Conflict, ValidationError
from publisher.extensions import db
from publisher.media.ingest import UploadTooLarge
from publisher.media.probe import ProbeError
from publisher.media.storage import get_storage
from publisher.models import Episode, Show
from publisher.operations.episodes import create_episode, delete_episode, replace_audio
from tests.media.helpers import png_bytes


def stored_keys(app) -> list[str]:
    with app.app_context():
        return sorted(get_storage().list_keys())


def episode_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Episode.id)))


def ingest(app, show, path_or_bytes, filename="episode.mp3", **fields):
    """create_episode + commit inside an app context; returns (id, guid, storage_key)."""
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else path_or_bytes.read_bytes()
    with app.app_context():
        episode = create_episode(db.session.get(Show, show.id), io.BytesIO(data), filename, fields)
        db.session.commit()
        return episode.id, episode.guid, episode.storage_key


def test_ingest_stores_the_audio_and_flushes_the_row(app, factory, audio):
    show = factory.show()
    path = audio("mp3", seconds=3, title="Tagged title")
    publish_at = datetime(2025, 1, 2, 3, 4, tzinfo=UTC)
    with app.app_context():
        episode = create_episode(
            db.session.get(Show, show.id),
            io.BytesIO(path.read_bytes()),
            "../../etc/passwd.mp3",
            {"description": "<p>Hi<script>x()</script></p>", "status": "published",
             "publish_at": publish_at, "season": 2, "number": 5, "explicit": True},
        )  # fmt: skip
        assert episode.id is not None  # flushed
        db.session.rollback()  # not committed: ingest never commits
    assert episode_count(app) == 0
    assert stored_keys(app) == []

    episode = factory.ingested_episode(path, show=show, status="published", publish_at=publish_at)
    assert episode.title == "Tagged title"
    assert episode.slug == "tagged-title"
    assert episode.storage_key == f"shows/{show.id}/{episode.guid}/tagged-title.mp3"
    assert (episode.mime_type, episode.codec, episode.container) == ("audio/mpeg", "mp3", "mp3")
    assert episode.duration_seconds == pytest.approx(3.0, abs=0.05)
    assert episode.size_bytes == path.stat().st_size
    assert episode.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert episode.audio_offset_bytes > 0 and episode.media_updated_at is not None
    assert episode.publish_at == publish_at and episode.extension == "mp3"
    assert stored_keys(app) == [episode.storage_key]
    with app.app_context(), get_storage().open(episode.storage_key) as handle:
        assert handle.read() == path.read_bytes()


def test_fields_are_checked_and_description_sanitized(app, factory, audio):
    show = factory.show()
    episode = factory.ingested_episode(
        audio("ogg", seconds=1),
        show=show,
        title="My title",
        description="<p>Notes<script>alert(1)</script></p>",
        episode_type="bonus",
    )
    assert episode.description == "<p>Notes</p>"
    assert (episode.title, episode.episode_type, episode.extension) == ("My title", "bonus", "ogg")
    with app.app_context(), pytest.raises(ValidationError) as caught:
        bad = {"status": "live", "publish_at": datetime(2025, 1, 1), "colour": 1}
        create_episode(db.session.get(Show, show.id), io.BytesIO(b"x"), "a.mp3", bad)
    assert {p["field"] for p in caught.value.details} == {"status", "publish_at", "colour"}
    assert stored_keys(app) == [episode.storage_key]


def test_title_falls_back_to_the_file_name_and_slugs_stay_unique(factory, audio):
    show = factory.show()
    path = audio("wav", seconds=1)
    first = factory.ingested_episode(path, show=show)
    assert first.title == "Wav 1s 1ch 44100"  # from "wav-1s-1ch-44100.wav"
    same = factory.ingested_episode(path, show=show)
    assert same.slug == f"{first.slug}-2"
    assert same.guid != first.guid


def test_a_taken_slug_is_a_conflict(app, factory, audio):
    show = factory.show()
    factory.ingested_episode(audio("mp3", seconds=1), show=show, slug="pilot")
    with pytest.raises(Conflict):
        ingest(app, show, audio("mp3", seconds=1), slug="pilot")
    assert episode_count(app) == 1 and len(stored_keys(app)) == 1


def test_cover_art_and_chapters_are_kept(app, factory, audio, tmp_path):
    from mutagen.id3 import APIC, CHAP, ID3, TIT2

    path = tmp_path / "art.mp3"
    path.write_bytes(audio("mp3", seconds=4).read_bytes())
    tags = ID3(path)
    tags.add(APIC(encoding=3, mime="image/png", type=3, desc="", data=png_bytes()))
    tags.add(CHAP(element_id="c1", start_time=0, end_time=2000,
                  sub_frames=[TIT2(encoding=3, text="Hello")]))  # fmt: skip
    tags.save(path)
    episode = factory.ingested_episode(path)
    assert episode.artwork_key == f"{episode.storage_key.rsplit('/', 1)[0]}/cover.png"
    assert episode.artwork_mime == "image/png"
    assert episode.chapters["chapters"][0]["title"] == "Hello"
    with app.app_context(), get_storage().open(episode.artwork_key) as handle:
        assert handle.read() == png_bytes()


def test_unreadable_upload_leaves_nothing(app, factory):
    show = factory.show()
    with pytest.raises(ProbeError, match="PNG image"):
        ingest(app, show, png_bytes(), "cover.mp3")
    assert episode_count(app) == 0 and stored_keys(app) == []


@pytest.mark.parametrize("extra_config", [{"MAX_UPLOAD_MB": 1}])
def test_upload_past_the_limit_is_refused_with_413(app, factory, tmp_path):
    show = factory.show()
    big = io.BytesIO(b"\xff\xfb" * (512 * 1024 + 1))
    with app.app_context(), pytest.raises(UploadTooLarge) as caught:
        create_episode(db.session.get(Show, show.id), big, "big.mp3", {})
    assert caught.value.status_code == 413 and caught.value.code == "payload_too_large"
    assert "1 MB upload limit" in caught.value.message
    assert episode_count(app) == 0 and stored_keys(app) == []


def test_rollback_removes_the_stored_object(app, factory, audio):
    show = factory.show()
    with app.app_context():
        episode = create_episode(
            db.session.get(Show, show.id), io.BytesIO(audio("flac").read_bytes()), "a", {}
        )
        assert get_storage().exists(episode.storage_key)
        db.session.rollback()
    assert stored_keys(app) == [] and episode_count(app) == 0


def test_a_session_closed_without_commit_removes_the_object(app, factory, audio):
    show = factory.show()
    with app.app_context():
        create_episode(
            db.session.get(Show, show.id), io.BytesIO(audio("flac").read_bytes()), "a", {}
        )
    # The app context ended: Flask-SQLAlchemy closed the session without a commit.
    assert stored_keys(app) == []


def test_database_failure_at_flush_removes_the_object(app, factory, audio):
    show = factory.show()
    with app.app_context():
        session = db.session()

        def fail(*_args):
            raise OperationalError("INSERT", {}, Exception("database went away"))

        event.listen(session, "before_flush", fail)
        try:
            with pytest.raises(OperationalError):
                create_episode(
                    db.session.get(Show, show.id), io.BytesIO(audio("mp3").read_bytes()), "a", {}
                )
            assert sorted(get_storage().list_keys()) == []  # gone before the caller sees it
        finally:
            event.remove(session, "before_flush", fail)
        db.session.rollback()
    assert episode_count(app) == 0


def test_database_failure_at_commit_removes_the_object(app, factory, audio):
    show = factory.show()
    with app.app_context():
        create_episode(
            db.session.get(Show, show.id), io.BytesIO(audio("mp3").read_bytes()), "a", {}
        )
        session = db.session()

        def fail(*_args):
            raise OperationalError("COMMIT", {}, Exception("connection lost"))

        event.listen(session, "before_commit", fail)
        try:
            with pytest.raises(OperationalError):
                db.session.commit()
        finally:
            event.remove(session, "before_commit", fail)
        db.session.rollback()
    assert stored_keys(app) == [] and episode_count(app) == 0


def test_replacing_audio_keeps_the_guid_and_removes_the_old_object_after_commit(
    app, factory, audio
):
    episode = factory.ingested_episode(audio("mp3", seconds=2), title="Same")
    old_key = episode.storage_key
    with app.app_context():
        row = db.session.get(Episode, episode.id)
        replace_audio(row, io.BytesIO(audio("mp3", seconds=3).read_bytes()), "new.mp3")
        new_key = row.storage_key
        assert new_key != old_key and row.guid == episode.guid
        assert sorted(get_storage().list_keys()) == sorted([old_key, new_key])  # not yet
        db.session.commit()
    assert stored_keys(app) == [new_key]
    with app.app_context():
        row = db.session.get(Episode, episode.id)
        assert row.duration_seconds == pytest.approx(3.0, abs=0.05)
        assert row.guid == episode.guid


def test_replacing_audio_then_rolling_back_keeps_the_old_audio(app, factory, audio):
    episode = factory.ingested_episode(audio("mp3", seconds=2))
    with app.app_context():
        row = db.session.get(Episode, episode.id)
        replace_audio(row, io.BytesIO(audio("m4a", seconds=3).read_bytes()), "new.m4a")
        assert row.storage_key.endswith(".m4a")
        db.session.rollback()
    assert stored_keys(app) == [episode.storage_key]
    with app.app_context():
        assert db.session.get(Episode, episode.id).storage_key == episode.storage_key


def test_replacing_with_a_bad_file_changes_nothing(app, factory, audio):
    episode = factory.ingested_episode(audio("mp3", seconds=2))
    with app.app_context(), pytest.raises(ProbeError):
        replace_audio(db.session.get(Episode, episode.id), io.BytesIO(b"nope"), "x.mp3")
    assert stored_keys(app) == [episode.storage_key]


def test_delete_removes_objects_only_after_commit(app, factory, audio):
    episode = factory.ingested_episode(audio("mp3", seconds=1))
    with app.app_context():
        delete_episode(db.session.get(Episode, episode.id))
        db.session.rollback()
    assert stored_keys(app) == [episode.storage_key] and episode_count(app) == 1
    with app.app_context():
        delete_episode(db.session.get(Episode, episode.id))
        assert get_storage().exists(episode.storage_key)
        db.session.commit()
    assert stored_keys(app) == [] and episode_count(app) == 0


def test_an_upload_already_on_disk_is_not_copied_again(app, factory, audio):
    """Werkzeug keeps large request bodies in an unnamed temporary file: ingest reads it
    in place (hashing it while the store uploads) instead of spooling a second copy."""
    import tempfile

    path = audio("flac", seconds=2)
    show = factory.show()
    with tempfile.TemporaryFile() as body, app.app_context():
        body.write(path.read_bytes())
        body.seek(0)
        episode = create_episode(db.session.get(Show, show.id), body, "a.flac", {})
        db.session.commit()
        assert episode.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        assert episode.size_bytes == path.stat().st_size
        with get_storage().open(episode.storage_key) as handle:
            assert handle.read() == path.read_bytes()


@pytest.mark.parametrize("extra_config", [{"MAX_UPLOAD_MB": 1}])
def test_a_file_on_disk_over_the_limit_is_refused_without_reading_it(app, factory, tmp_path):
    big = tmp_path / "big.wav"
    big.write_bytes(b"\x00" * (1024 * 1024 + 1))
    show = factory.show()
    with app.app_context(), big.open("rb") as stream, pytest.raises(UploadTooLarge):
        create_episode(db.session.get(Show, show.id), stream, "big.wav", {})
    assert stored_keys(app) == []
