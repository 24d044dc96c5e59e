"""The instance folder and the SQLite file are the owner's alone (finding 13)."""

from __future__ import annotations

import stat

from flask_migrate import upgrade

from publisher import create_app
from publisher.extensions import db


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_instance_folder_and_database_are_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv("PUBLISHER_SQLALCHEMY_DATABASE_URI", raising=False)
    instance = tmp_path / "deploy" / "instance"
    app = create_app({"INSTANCE_PATH": str(instance), "TESTING": True})
    with app.app_context():
        upgrade(directory=str(app.extensions["migrate"].directory))
        db.session.execute(db.text("SELECT 1"))
        db.engine.dispose()
    assert mode(instance) == 0o700
    assert mode(instance / "publisher.db") == 0o600
    assert mode(instance / "secret_key") == 0o600
    for side in instance.glob("publisher.db-*"):  # WAL and shared-memory files
        assert mode(side) & 0o077 == 0, side


def test_an_explicit_sqlite_path_is_created_owner_only(tmp_path):
    database = tmp_path / "data" / "site.db"
    create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "SECRET_KEY": "x",
                "INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True})  # fmt: skip
    assert mode(database) == 0o600
    assert mode(database.parent) == 0o700
