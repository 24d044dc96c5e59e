"""An app's test configuration, and emptying its tables after a test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from publisher.extensions import db


def test_config(database_url: str, tmp_path: Path, **extra: Any) -> dict[str, Any]:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "PUBLIC_URL": "http://publisher.test",
        "WTF_CSRF_ENABLED": True,
        "RATELIMIT_ENABLED": False,
    }
    config.update(extra)
    return config


test_config.__test__ = False  # type: ignore[attr-defined]  (not a test)


def delete_all_rows(app) -> None:
    """Empty every table (children first) and close the app's connections."""
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
        db.engine.dispose()
