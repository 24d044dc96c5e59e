"""The test database: a SQLite file, or a fresh PostgreSQL database when
PUBLISHER_TEST_DATABASE_URL names a server."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def postgres_url() -> str | None:
    return os.environ.get("PUBLISHER_TEST_DATABASE_URL") or None


class fresh_postgres_database:
    """Context manager: CREATE a uniquely named database on the server, DROP it on exit."""

    def __init__(self, server_url: str) -> None:
        self.server_url = make_url(server_url)
        self.name = f"publisher_test_{uuid.uuid4().hex[:12]}"

    def __enter__(self) -> str:
        try:
            self.admin = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
            with self.admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        except Exception as exc:
            # In CI a missing PostgreSQL is a failure, never a skip.
            pytest.fail(f"PostgreSQL at {self.server_url!r} is not reachable: {exc}")
        return self.server_url.set(database=self.name).render_as_string(hide_password=False)

    def __exit__(self, *exc_info) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()
