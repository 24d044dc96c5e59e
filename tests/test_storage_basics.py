"""The filesystem store writes atomically (the rest runs on both stores in tests/media)."""

import io

import pytest

from publisher.media.storage import FilesystemStorage


@pytest.fixture
def store(tmp_path):
    return FilesystemStorage(tmp_path / "media")


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
