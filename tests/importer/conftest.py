"""Import fixtures: the loopback file server, and the queue's retry delay at zero."""

from __future__ import annotations

import pytest

from tests.jobs.httpserver import files  # noqa: F401  (fixture)


@pytest.fixture
def app_config(tmp_path):
    # The loopback file server is a private address: allowed here, refused by default.
    return {"JOBS_RETRY_DELAY": 0, "IMPORT_CONCURRENCY": 4, "IMPORT_ALLOW_PRIVATE_ADDRESSES": True}
