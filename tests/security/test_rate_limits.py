"""Per-address limits: failed authentication, search and the other public routes (finding 1)."""

from __future__ import annotations

import secrets
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from publisher.extensions import db

LIMITS = {
    "RATELIMIT_ENABLED": True,
    "AUTH_FAILURE_LIMIT": "5 per minute",
    "SEARCH_RATE_LIMIT": "3 per minute",
    "FEED_RATE_LIMIT": "4 per minute",
    "MEDIA_RATE_LIMIT": "4 per minute",
}


@pytest.fixture
def app_config():
    return LIMITS


def from_address(client, address: str, token: str | None = None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(path: str):
        return client.get(path, headers=headers, environ_base={"REMOTE_ADDR": address})

    return get


@contextmanager
def token_lookups(app):
    """Count the statements that read api_tokens while the block runs."""
    seen: list[str] = []

    def before(_conn, _cursor, statement, *_args):
        if "api_tokens" in statement:
            seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


def test_cycling_bogus_tokens_from_one_address_gets_429(app, client, editor_token):
    statuses = [
        from_address(client, "198.51.100.7", "pub_" + secrets.token_urlsafe(32))(
            "/api/v1/shows"
        ).status_code
        for _ in range(5)
    ]
    assert statuses == [401] * 5
    with token_lookups(app) as lookups:
        refused = from_address(client, "198.51.100.7", "pub_" + secrets.token_urlsafe(32))(
            "/api/v1/shows"
        )
        # Even a good token from that address waits: nothing is looked up meanwhile.
        also_refused = from_address(client, "198.51.100.7", editor_token)("/api/v1/shows")
    assert refused.status_code == also_refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.get_json()["error"]["code"] == "too_many_requests"
    assert lookups == []
    assert from_address(client, "203.0.113.9", editor_token)("/api/v1/shows").status_code == 200


def test_an_ipv6_client_cannot_escape_by_rotating_inside_its_64(client):
    for n in range(5):
        bogus = "pub_" + secrets.token_urlsafe(8)
        assert (
            from_address(client, f"2001:db8:1:2::{n + 1}", bogus)("/api/v1/shows").status_code
            == 401
        )
    refused = from_address(client, "2001:db8:1:2:ffff::9", "pub_x")("/api/v1/shows")
    assert refused.status_code == 429


def test_successful_requests_do_not_count_as_failures(client, editor_token):
    get = from_address(client, "198.51.100.8", editor_token)
    assert [get("/api/v1/shows").status_code for _ in range(8)] == [200] * 8


def test_search_is_limited_per_address_with_retry_after(client):
    get = from_address(client, "198.51.100.20")
    assert [get("/search?q=news").status_code for _ in range(3)] == [200] * 3
    refused = get("/search?q=news")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert b"3 per minute" in refused.data
    assert from_address(client, "198.51.100.21")("/search?q=news").status_code == 200


def test_feeds_and_media_have_their_own_limits(client, factory):
    show = factory.show(status="published")
    episode = factory.episode(show=show)
    get = from_address(client, "198.51.100.30")
    feed = f"/shows/{show.slug}/feed.xml"
    assert [get(feed).status_code for _ in range(4)] == [200] * 4
    assert get(feed).status_code == 429
    media = f"/media/{episode.guid}.mp3"  # no stored file: 404, still counted
    assert [get(media).status_code for _ in range(4)] == [404] * 4
    assert get(media).status_code == 429
    assert get("/").status_code == 200  # pages have their own, larger budget
