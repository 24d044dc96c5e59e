"""Fixtures for the media tests: both storage backends, and real files crafted with ffmpeg."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.media.helpers import ffmpeg


@pytest.fixture(params=["filesystem", pytest.param("s3", marks=pytest.mark.s3)])
def backend(request) -> str:
    """Every test using the app runs once per storage backend."""
    return request.param


@pytest.fixture
def extra_config() -> dict[str, Any]:
    return {}


@pytest.fixture
def app_config(request, backend: str, extra_config: dict[str, Any]) -> dict[str, Any]:
    config = dict(extra_config)
    if backend == "s3":
        config.update(request.getfixturevalue("s3_app_config"))
    return config


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("media-files")


@pytest.fixture(scope="session")
def long_mp3(media_dir):
    """Ten minutes of CBR MP3 (2.4 MB): probing must not read it all."""

    def make(xing: bool = True) -> Path:
        path = media_dir / f"long-{'xing' if xing else 'noxing'}.mp3"
        if not path.exists():
            extra = [] if xing else ["-write_xing", "0"]
            ffmpeg("-f", "lavfi", "-i", "sine=frequency=330:sample_rate=22050:duration=600",
                   "-ac", "1", "-c:a", "libmp3lame", "-b:a", "32k", *extra, str(path))  # fmt: skip
        return path

    return make
