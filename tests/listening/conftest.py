"""Fixtures of the listening tests: audio made by ffmpeg at known levels (cached for the
session) and both storage backends for the operations."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.listening.reference import make_fixture


@pytest.fixture(scope="session")
def fixture_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("listening")


@pytest.fixture(scope="session")
def sound(fixture_dir):
    """``sound("opus", "padded")``: a generated file (see ``make_fixture``)."""

    def make(kind: str, variant: str = "padded", seconds: float = 8.0) -> Path:
        return make_fixture(fixture_dir, kind, variant, seconds)

    return make
