"""Jobs fixtures: the queue on both backends (a SQLite file, and the real Redis at
127.0.0.1:6379 in databases 10 and 11, flushed here)."""

from __future__ import annotations

import os

import pytest

from tests.jobs.httpserver import files  # noqa: F401  (fixture)

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


@pytest.fixture(params=["sqlite", "redis"])
def backend(request) -> str:
    return request.param


@pytest.fixture
def app_config(backend, tmp_path):
    config = {"JOBS_RETRY_DELAY": 0, "JOBS_QUEUE_FILE": str(tmp_path / "jobs.db")}
    if backend == "redis":
        config["REDIS_URL"] = redis_url(QUEUE_DB)
    yield config
    if backend == "redis":
        redis_url(QUEUE_DB)  # flush what the test left
