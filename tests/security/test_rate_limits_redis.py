"""Counters shared by every process through Redis (REDIS_URL or RATELIMIT_STORAGE_URI)."""

from __future__ import annotations

import pytest

from publisher import create_app
from publisher.extensions import db
from tests.security.redis_fixtures import redis_url  # noqa: F401
from tests.security.test_rate_limits import LIMITS, from_address
from tests.support.app import delete_all_rows, test_config


@pytest.fixture
def two_processes(migrated_database, tmp_path, redis_url):  # noqa: F811
    """Two app instances, as two gunicorn workers would be: one by REDIS_URL, the other
    by RATELIMIT_STORAGE_URI."""
    first = create_app(test_config(migrated_database, tmp_path, REDIS_URL=redis_url, **LIMITS))
    second = create_app(
        test_config(migrated_database, tmp_path, RATELIMIT_STORAGE_URI=redis_url, **LIMITS)
    )
    yield first, second
    delete_all_rows(first)
    with second.app_context():
        db.engine.dispose()


def test_search_counts_add_up_across_processes(two_processes):
    first, second = (app.test_client() for app in two_processes)
    assert from_address(first, "198.51.100.40")("/search?q=a").status_code == 200
    assert from_address(second, "198.51.100.40")("/search?q=a").status_code == 200
    assert from_address(first, "198.51.100.40")("/search?q=a").status_code == 200
    assert from_address(second, "198.51.100.40")("/search?q=a").status_code == 429


def test_failed_authentications_add_up_across_processes(two_processes):
    first, second = (app.test_client() for app in two_processes)
    for n in range(5):
        client = first if n % 2 else second
        assert (
            from_address(client, "198.51.100.41", f"pub_bad{n}")("/api/v1/shows").status_code == 401
        )
    assert from_address(first, "198.51.100.41", "pub_bad")("/api/v1/shows").status_code == 429
    assert from_address(second, "198.51.100.41", "pub_bad")("/api/v1/shows").status_code == 429


def test_the_api_limiter_uses_the_same_redis(two_processes, redis_url):  # noqa: F811
    for app in two_processes:
        assert app.config["RATELIMIT_STORAGE_URI"] == redis_url
