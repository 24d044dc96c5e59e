"""Fixtures for delivery and analytics: episodes whose real audio is in the store, and a
client that fetches media the way podcast apps do (closing every response, which is
when a request is recorded)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import mutagen
import pytest

from publisher.media.storage import get_storage
from publisher.models import Episode

MIME_TYPES = {"mp3": "audio/mpeg", "m4a": "audio/mp4", "ogg": "audio/ogg", "opus": "audio/ogg"}
APP_UA = "AntennaPod/3.4.0 (Linux;Android 14) ExoPlayerLib/2.19.1"


@dataclass
class StoredEpisode:
    episode: Episode
    path: Path
    url: str  # path part of the enclosure URL

    @property
    def data(self) -> bytes:
        return self.path.read_bytes()


def _audio_offset(path: Path) -> int:
    """Bytes before the first audio frame: the ID3v2 tag of an MP3 (0 otherwise)."""
    head = path.read_bytes()[:10]
    if head[:3] != b"ID3":
        return 0
    size = 0
    for byte in head[6:10]:  # synchsafe integer: 7 bits per byte
        size = (size << 7) | (byte & 0x7F)
    return 10 + size + (10 if head[5] & 0x10 else 0)


@pytest.fixture
def stored_episode(app, factory, audio) -> Callable[..., StoredEpisode]:
    """Make a public episode whose real audio file is saved in the app's store, with the
    row's media fields read from the file (as the ingest would)."""

    def make(kind: str = "mp3", seconds: float = 5, **fields) -> StoredEpisode:
        path = audio(kind, seconds=seconds)
        info = mutagen.File(path).info
        extension = path.suffix.lstrip(".")
        mime = MIME_TYPES[extension]
        defaults = {
            "mime_type": mime,
            "size_bytes": path.stat().st_size,
            "duration_seconds": info.length,
            "bitrate": getattr(info, "bitrate", None) or None,
            "audio_offset_bytes": _audio_offset(path),
        }
        episode = factory.episode(**{**defaults, **fields})
        if not episode.storage_key.endswith("." + extension):
            raise AssertionError("pass storage_key with the file's extension")
        with app.app_context():
            get_storage().save_file(episode.storage_key, path, content_type=mime)
        return StoredEpisode(episode, path, f"/media/{episode.guid}.{episode.extension}")

    return make


class Listener:
    """A podcast app at one address: every request sends its user agent and address."""

    def __init__(self, client, user_agent: str = APP_UA, address: str = "203.0.113.7") -> None:
        self.client = client
        self.user_agent = user_agent
        self.address = address

    def request(self, method: str, url: str, headers: dict[str, str] | None = None, **kw):
        # buffered=True reads and closes the body like a real client, which is when
        # the server records the request.
        return self.client.open(
            url,
            method=method,
            headers={"User-Agent": self.user_agent, **(headers or {})},
            environ_base={"REMOTE_ADDR": self.address},
            buffered=True,
            **kw,
        )

    def get(self, url: str, byte_range: str | None = None, **headers: str):
        if byte_range is not None:
            headers["Range"] = byte_range
        return self.request("GET", url, headers)

    def head(self, url: str, **headers: str):
        return self.request("HEAD", url, headers)


@pytest.fixture
def listener(client) -> Callable[..., Listener]:
    def make(user_agent: str = APP_UA, address: str = "203.0.113.7") -> Listener:
        return Listener(client, user_agent, address)

    return make
