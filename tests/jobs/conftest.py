"""Jobs fixtures: the queue on both backends (a SQLite file, and the real Redis at
127.0.0.1:6379 in databases 10 and 11, flushed here)."""

from __future__ import annotations

import pytest

from tests.jobs.httpserver import files  # noqa: F401  (fixture)
from tests.support.redis import QUEUE_DB, redis_url


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
