"""The real Redis server for the tests that need one: database 12 only, flushed around
each test. Redis missing is a failure, never a skip (CI runs it)."""

from __future__ import annotations

import os

import pytest
import redis

REDIS_TEST_URL = os.environ.get("PUBLISHER_TEST_REDIS_URL", "redis://127.0.0.1:6379/12")


@pytest.fixture
def redis_url() -> str:
    client = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        client.flushdb()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at {REDIS_TEST_URL} is not reachable: {exc}")
    yield REDIS_TEST_URL
    client.flushdb()
    client.close()
