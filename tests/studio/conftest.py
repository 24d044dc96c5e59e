"""Studio fixtures: a signed-in test client per kind of producer."""

from __future__ import annotations

import pytest

from tests.support.studio import Producers


@pytest.fixture
def producers(app, factory) -> Producers:
    return Producers(app, factory)
