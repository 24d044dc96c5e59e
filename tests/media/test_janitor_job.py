"""The storage janitor as a periodic job of the queue (STORAGE_JANITOR_MINUTES), on both
stores: registered and scheduled, off at 0, and a run removes an unreferenced object past
the grace period while a write still within it stays."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest

from publisher import create_app
from publisher.extensions import db
from publisher.jobs import get_queue, runner
from publisher.media import ledger
from publisher.media.storage import get_storage
from publisher.models import StorageWrite
from tests.support.app import test_config


def periodic_names(app) -> set[str]:
    return {periodic.name for periodic in get_queue(app).registry.periodic}


def test_the_janitor_is_a_periodic_job_every_few_minutes(app):
    assert app.config["STORAGE_JANITOR_MINUTES"] == 15
    assert "storage.janitor" in get_queue(app).registry.kinds
    assert "storage.janitor" in periodic_names(app)
    huey = get_queue(app).huey
    due = {type(task).__name__ for task in huey.read_periodic(datetime(2030, 1, 1, 13, 45))}
    assert "publisher.periodic.storage.janitor" in due
    due = {type(task).__name__ for task in huey.read_periodic(datetime(2030, 1, 1, 13, 50))}
    assert "publisher.periodic.storage.janitor" not in due


def test_the_janitor_job_is_not_scheduled_at_zero(migrated_database, tmp_path):
    app = create_app(test_config(migrated_database, tmp_path, STORAGE_JANITOR_MINUTES=0))
    assert "storage.janitor" in get_queue(app).registry.kinds  # still runnable by hand
    assert "storage.janitor" not in periodic_names(app)


@pytest.mark.parametrize("minutes", [1, 5, 60, 90])
def test_the_schedule_matches_every_n_minutes_of_the_day(minutes):
    from publisher.jobs.tasks import every_minutes

    due = every_minutes(minutes)
    day = datetime(2030, 1, 1)
    matches = [m for m in range(24 * 60) if due(day + timedelta(minutes=m))]
    assert matches == list(range(0, 24 * 60, minutes))


def test_a_run_removes_what_a_crashed_write_left_past_its_grace(app, factory, backend):
    show = factory.show()
    dead = f"shows/{show.id}/crashed/episode.mp3"
    fresh = f"shows/{show.id}/uploading/episode.mp3"
    with app.app_context():
        storage = get_storage()
        ledger.record(dead, lifetime=timedelta(minutes=-1))  # its grace is over
        storage.save(dead, io.BytesIO(b"ID3 orphan"), content_type="audio/mpeg")
        ledger.record(fresh)  # an upload still within its grace
        storage.save(fresh, io.BytesIO(b"ID3 in progress"), content_type="audio/mpeg")
        db.session.rollback()
    job = runner.run_now(app, "storage.janitor", {})
    assert job.status == "done", job.error
    assert job.result["removed"] == [dead] and "1 unfinished write(s) removed" in job.message
    with app.app_context():
        storage = get_storage()
        assert not storage.exists(dead) and storage.exists(fresh)
        assert db.session.scalars(db.select(StorageWrite.key)).all() == [fresh]
