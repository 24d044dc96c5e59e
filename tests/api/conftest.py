"""API fixtures: tokens for each kind of caller and a client that sends them."""

from __future__ import annotations

import pytest

from tests.support.api import ApiClient


@pytest.fixture
def editor_token(factory) -> str:
    return factory.token(factory.user(role="editor", name="Eddie Editor"))


@pytest.fixture
def admin_token(factory) -> str:
    return factory.token(factory.user(role="admin", name="Ada Admin"))


@pytest.fixture
def anon(client) -> ApiClient:
    return ApiClient(client)


@pytest.fixture
def editor(client, editor_token) -> ApiClient:
    return ApiClient(client, editor_token)


@pytest.fixture
def admin(client, admin_token) -> ApiClient:
    return ApiClient(client, admin_token)
