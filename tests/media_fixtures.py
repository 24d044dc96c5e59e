"""Fixtures for delivery and analytics: episodes whose real audio is in the store, and a
client that fetches media the way podcast apps do (closing every response, which is
when a request is recorded)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from publisher.models import Episode, utcnow

APP_UA = "AntennaPod/3.4.0 (Linux;Android 14) ExoPlayerLib/2.19.1"


@dataclass
class StoredEpisode:
    episode: Episode
    path: Path
    url: str  # path part of the enclosure URL

    @property
    def data(self) -> bytes:
        return self.path.read_bytes()


@pytest.fixture
def stored_episode(factory, audio) -> Callable[..., StoredEpisode]:
    """Make an episode the real way (``factory.ingested_episode``: probe, store, row) from
    real audio; public unless ``fields`` say otherwise (status, publish_at, show)."""

    def make(kind: str = "mp3", seconds: float = 5, show=None, **fields) -> StoredEpisode:
        path = audio(kind, seconds=seconds)
        fields.setdefault("status", "published")
        fields.setdefault("publish_at", utcnow() - timedelta(hours=1))
        episode = factory.ingested_episode(path, show=show, **fields)
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
