"""Migrations are the only way the schema is created; they must match the models."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from publisher import create_app
from publisher.extensions import db
from tests.support.app import test_config
from tests.support.database import fresh_postgres_database, postgres_url


@pytest.fixture
def empty_database_url(tmp_path):
    server = postgres_url()
    if server is None:
        yield f"sqlite:///{tmp_path / 'empty.db'}"
    else:
        with fresh_postgres_database(server) as url:
            yield url


def test_upgrade_creates_a_schema_identical_to_the_models(empty_database_url, tmp_path):
    app = create_app(test_config(empty_database_url, tmp_path))
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "include_object": lambda obj, name, *a: (
                        not (name or "").startswith(("search_", "fts_"))
                    ),
                },
            )
            differences = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert differences == []


def test_downgrade_to_base_removes_every_table(empty_database_url, tmp_path):
    app = create_app(test_config(empty_database_url, tmp_path))
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        db.engine.dispose()
    assert tables == set()
