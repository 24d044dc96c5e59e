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


@pytest.fixture(params=["filesystem", pytest.param("s3", marks=pytest.mark.s3)])
def backend(request) -> str:
    return request.param


@pytest.fixture
def app_config(request) -> dict:
    """Tests that take ``backend`` run once per store; others on the filesystem."""
    if "backend" in request.fixturenames and request.getfixturevalue("backend") == "s3":
        return dict(request.getfixturevalue("s3_app_config"))
    return {}
