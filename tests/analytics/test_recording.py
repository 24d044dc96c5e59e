"""How a request is recorded: one write from the progress the lookup saw, written again
from a fresh read when another request of the same client wrote first, and no write at
all when it adds nothing."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from publisher.analytics import counting
from publisher.extensions import db
from publisher.models import Download
from publisher.models.download import DownloadProgress

THRESHOLD = 50_000


@pytest.fixture
def long_ep(stored_episode):
    return stored_episode("mp3", seconds=90)


@pytest.fixture
def part(long_ep):
    """part(start, stop, seen=None): a request of one client for [start, stop)."""
    now = datetime.now(UTC)
    visitor = counting.Visitor(
        at=now,
        day=now.date(),
        client_hash="e" * 64,
        user_agent="Overcast/3",
        app_name="Overcast",
        is_bot=False,
    )

    def make(start: int, stop: int, seen: counting.Coverage | None = None):
        return counting.MediaRequest(visitor, long_ep.episode.id, start, stop, THRESHOLD, seen)

    return make


def progress(app) -> list[DownloadProgress]:
    with app.app_context():
        rows = db.session.scalars(select(DownloadProgress)).all()
        db.session.expunge_all()
        return list(rows)


def downloads(app) -> int:
    with app.app_context():
        return len(db.session.scalars(select(Download)).all())


def test_progress_that_changed_since_the_lookup_is_read_again_and_merged(app, part):
    counting.record(app, [part(0, 20_000)])
    # Both looked up before the first write: one saw no row, one saw the old spans.
    counting.record(app, [part(10_000, 30_000, seen=counting.NO_PROGRESS)])
    stale = counting.Coverage(exists=True, spans=[[0, 20_000]], covered_bytes=20_000)
    counting.record(app, [part(30_000, 60_000, seen=stale)])
    [row] = progress(app)
    assert (row.spans, row.covered_bytes, row.counted) == ([[0, 60_000]], 60_000, True)
    assert downloads(app) == 1


def test_a_client_counted_since_the_lookup_is_not_counted_twice(app, part):
    counting.record(app, [part(0, 60_000)])
    counting.record(app, [part(0, 60_000, seen=counting.NO_PROGRESS)])
    stale = counting.Coverage(exists=True, spans=[[0, 1000]], covered_bytes=1000)
    counting.record(app, [part(1000, 60_000, seen=stale)])
    assert downloads(app) == 1


def test_bytes_asked_for_again_are_not_written(app, long_ep, listener):
    client = listener()
    client.get(long_ep.url, "bytes=0-5000")
    [before] = progress(app)
    client.get(long_ep.url, "bytes=1000-4000")
    client.get(long_ep.url, "bytes=0-5000")
    [after] = progress(app)
    assert after.updated_at == before.updated_at
    assert after.spans == [[0, 5001]]


def test_a_connection_the_server_closed_is_replaced_without_losing_the_count(app, part, caplog):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite has no server connection to lose")
    counting.record(app, [part(0, 1000)])  # the counting pool now holds a connection
    with app.app_context(), db.engine.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    with caplog.at_level(logging.ERROR):
        counting.record(app, [part(1000, 60_000)])
    assert "Could not record" not in caplog.text
    assert downloads(app) == 1
