"""Per-token and per-IP rate limits: 429 in the JSON error shape, with Retry-After."""

from __future__ import annotations

import pytest

from tests.support.api import ApiClient


@pytest.fixture
def app_config():
    return {
        "RATELIMIT_ENABLED": True,
        "API_RATE_LIMIT": "3 per minute",
        "API_ANONYMOUS_RATE_LIMIT": "2 per minute",
    }


def test_a_token_over_its_limit_gets_429_with_retry_after(editor):
    for _ in range(3):
        assert editor.get("/api/v1/shows").status_code == 200
    response = editor.get("/api/v1/shows")
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    error = response.get_json()["error"]
    assert error["code"] == "too_many_requests"
    assert "3 per minute" in error["message"]


def test_limits_are_counted_per_token(client, factory):
    first = ApiClient(client, factory.token())
    second = ApiClient(client, factory.token())
    for _ in range(3):
        first.get("/api/v1/shows")
    assert first.get("/api/v1/shows").status_code == 429
    assert second.get("/api/v1/shows").status_code == 200


def test_anonymous_callers_are_limited_per_ip(anon, client):
    assert [anon.get("/api/v1/shows").status_code for _ in range(3)] == [200, 200, 429]
    other_ip = client.get("/api/v1/shows", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other_ip.status_code == 200


def test_pages_outside_the_api_are_not_limited(anon, client):
    for _ in range(3):
        anon.get("/api/v1/shows")
    assert client.get("/").status_code == 200
