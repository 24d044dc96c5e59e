"""Fixtures: a migrated database (SQLite, or PostgreSQL when asked), an app per test,
its client and CLI runner, and factories that create rows the way the app would."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from publisher import create_app
from publisher.extensions import db
from tests.support.api import ApiClient
from tests.support.app import delete_all_rows, test_config
from tests.support.database import fresh_postgres_database, postgres_url
from tests.support.factory import Factory

# In CI, property tests explore the same examples on every run, so a red build is
# reproducible and not luck; locally they keep exploring new ones.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")

pytest_plugins = ["tests.audio", "tests.s3server", "tests.media_fixtures"]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    """A fresh, empty database for this test session: a SQLite file, or a new PostgreSQL
    database created on the server named by PUBLISHER_TEST_DATABASE_URL and dropped after."""
    server_url = postgres_url()
    if not server_url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    with fresh_postgres_database(server_url) as url:
        yield url


@pytest.fixture(scope="session")
def migrated_database(database_url: str, tmp_path_factory) -> str:
    """Run the migrations, the only way the schema is created, once per session."""
    from flask_migrate import upgrade

    app = create_app(test_config(database_url, tmp_path_factory.mktemp("migrate")))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return database_url


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Extra configuration for one test's app (override in a test module or use indirectly)."""
    return {}


@pytest.fixture
def app(migrated_database: str, tmp_path: Path, app_config: dict[str, Any]):
    app = create_app(test_config(migrated_database, tmp_path, **app_config))
    yield app
    delete_all_rows(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def factory(app) -> Factory:
    return Factory(app)


# -- API callers (used by the API tests and every area that goes through the API) --


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
