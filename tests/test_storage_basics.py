"""The filesystem store: atomic writes, ranges, keys that cannot escape the root."""

import io

import pytest

from publisher.media.storage import FilesystemStorage, ObjectNotFound


@pytest.fixture
def store(tmp_path):
    return FilesystemStorage(tmp_path / "media")


def test_save_open_range_and_delete(store):
    store.save("shows/1/a.mp3", io.BytesIO(b"0123456789"), content_type="audio/mpeg")
    assert store.size("shows/1/a.mp3") == 10
    with store.open("shows/1/a.mp3", 2, 5) as handle:
        assert handle.read() == b"2345"
    assert list(store.list_keys("shows/")) == ["shows/1/a.mp3"]
    store.delete("shows/1/a.mp3")
    assert not store.exists("shows/1/a.mp3")
    with pytest.raises(ObjectNotFound):
        store.open("shows/1/a.mp3")


@pytest.mark.parametrize("key", ["../../etc/passwd", "/etc/passwd", "a/../../b", "a//b", ""])
def test_keys_cannot_escape_the_root(store, key):
    with pytest.raises(ValueError, match="invalid storage key"):
        store.save(key, io.BytesIO(b"x"), content_type="text/plain")


def test_a_failed_write_leaves_nothing_under_the_key(store):
    class Exploding(io.RawIOBase):
        def readinto(self, buffer):
            raise RuntimeError("client went away")

    with pytest.raises(RuntimeError):
        store.save("shows/1/b.mp3", Exploding(), content_type="audio/mpeg")
    assert list(store.list_keys()) == []
    assert [p.name for p in (store.root / "shows/1").iterdir()] == []


def test_audio_fixture_makes_real_files(audio):
    path = audio("wav", seconds=1)
    assert path.read_bytes()[:4] == b"RIFF"
    assert path.stat().st_size > 80000
