"""The test Redis (127.0.0.1:6379): the job tests use databases 10 and 11 only, flushed."""

from __future__ import annotations

import os

import pytest

REDIS_BASE = os.environ.get("PUBLISHER_TEST_REDIS", "redis://127.0.0.1:6379")
QUEUE_DB = 10  # in-process tests
CONSUMER_DB = 11  # tests with a consumer in another process


def redis_url(database: int) -> str:
    """The test Redis database, flushed; in CI a missing Redis fails, never skips."""
    import redis

    url = f"{REDIS_BASE}/{database}"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        client.flushdb()
        client.close()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at {url} is not reachable ({exc}); the job tests need it.")
    return url
