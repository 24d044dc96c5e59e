"""The daily rollup: stats read rollups for past days and raw rows for today, with the
same numbers; re-rolling is exact; raw rows past retention go, their counts stay."""

from __future__ import annotations

from datetime import timedelta

import pytest

from publisher.extensions import db
from publisher.jobs import runner as job_runner
from publisher.models import Download, DownloadDay, RolledUpDay, utcnow


@pytest.fixture
def auth(factory):
    # An admin reads any show's stats (an editor only those of shows they are a member of).
    return {"Authorization": f"Bearer {factory.token(factory.user(role='admin'))}"}


@pytest.fixture
def today():
    return utcnow().date()


@pytest.fixture
def downloads(factory, add_downloads, today):
    show = factory.show(slug="rolled")
    first, second = factory.episode(show=show), factory.episode(show=show)
    other = factory.episode()
    add_downloads(first, today - timedelta(days=3), 4, "Apple Podcasts")
    add_downloads(first, today - timedelta(days=2), 2, "Overcast")
    add_downloads(second, today - timedelta(days=2), 3, "Apple Podcasts")
    add_downloads(second, today - timedelta(days=1), 5, "Googlebot", bot=True)
    add_downloads(first, today, 6, "Pocket Casts")  # today: raw rows only
    add_downloads(other, today - timedelta(days=2), 9)
    return show, first, second


def stats(client, auth, path, today, days=5):
    since = (today - timedelta(days=days - 1)).isoformat()
    answer = client.get(f"{path}?since={since}&until={today.isoformat()}", headers=auth)
    assert answer.status_code == 200
    return answer.get_json()


def raw_rows(app, day=None) -> int:
    with app.app_context():
        query = db.select(db.func.count()).select_from(Download)
        if day is not None:
            query = query.where(Download.day == day)
        return db.session.scalar(query)


def test_stats_are_the_same_before_and_after_the_rollup(app, client, auth, downloads, today):
    _show, first, _second = downloads
    before_show = stats(client, auth, "/api/v1/shows/rolled/stats", today)
    before_episode = stats(client, auth, f"/api/v1/episodes/{first.id}/stats", today)
    assert before_show["total"] == 15 and before_show["bot_downloads_excluded"] == 5
    job = job_runner.run_now(app, "stats.rollup", {})
    assert job.status == "done", job.error
    assert sorted(job.result["days"]) == [
        (today - timedelta(days=n)).isoformat() for n in (3, 2, 1)
    ]
    assert stats(client, auth, "/api/v1/shows/rolled/stats", today) == before_show
    assert stats(client, auth, f"/api/v1/episodes/{first.id}/stats", today) == before_episode


def test_past_days_are_read_from_the_rollups_today_from_raw_rows(
    app, client, auth, downloads, today
):
    job_runner.run_now(app, "stats.rollup", {})
    with app.app_context():  # raw rows of rolled days are no longer read
        db.session.execute(db.delete(Download).where(Download.day < today))
        db.session.commit()
    numbers = stats(client, auth, "/api/v1/shows/rolled/stats", today)
    assert numbers["total"] == 15
    assert numbers["days"][-1] == {"date": today.isoformat(), "downloads": 6}


def test_a_late_row_is_counted_when_the_day_is_rolled_up_again(
    app, client, auth, downloads, add_downloads, today
):
    _show, first, _second = downloads
    job_runner.run_now(app, "stats.rollup", {})
    add_downloads(first, today - timedelta(days=1), 2, "Overcast")  # recorded after midnight
    assert stats(client, auth, "/api/v1/shows/rolled/stats", today)["total"] == 15
    job = job_runner.run_now(app, "stats.rollup", {})
    assert sorted(job.result["days"]) == [(today - timedelta(days=n)).isoformat() for n in (2, 1)]
    assert stats(client, auth, "/api/v1/shows/rolled/stats", today)["total"] == 17


def test_rolling_up_twice_gives_the_same_counts(app, downloads, today):
    job_runner.run_now(app, "stats.rollup", {})
    with app.app_context():
        first = sorted(db.session.execute(db.select(DownloadDay.__table__)).tuples().all())
    job_runner.run_now(app, "stats.rollup", {"days": [(today - timedelta(days=2)).isoformat()]})
    with app.app_context():
        assert sorted(db.session.execute(db.select(DownloadDay.__table__)).tuples().all()) == first


def test_raw_rows_past_retention_are_deleted_and_their_counts_kept(
    app, client, auth, factory, add_downloads, today
):
    factory.show(slug="old")
    episode = factory.episode(show=factory.show(slug="older"))
    old_day = today - timedelta(days=100)
    add_downloads(episode, old_day, 3, "Overcast")
    add_downloads(episode, today - timedelta(days=10), 1, "Overcast")
    job = job_runner.run_now(app, "stats.rollup", {})
    assert job.result["deleted_raw_rows"] == 3
    assert raw_rows(app, old_day) == 0 and raw_rows(app) == 1
    numbers = stats(client, auth, "/api/v1/shows/older/stats", today, days=120)
    assert numbers["total"] == 4
    # Rolling the expired day up again would erase it: it is skipped.
    again = job_runner.run_now(app, "stats.rollup", {"days": [old_day.isoformat()]})
    assert again.result["skipped"] == [old_day.isoformat()]
    assert stats(client, auth, "/api/v1/shows/older/stats", today, days=120)["total"] == 4


@pytest.mark.parametrize("app_config", [{"DOWNLOAD_RETENTION_DAYS": 2}])
def test_the_retention_is_configurable(app, downloads, today):
    job_runner.run_now(app, "stats.rollup", {})
    assert raw_rows(app, today - timedelta(days=3)) == 0
    assert raw_rows(app, today - timedelta(days=2)) == 14


def test_the_cli_rolls_up(app, runner, downloads, today):
    result = runner.invoke(args=["stats", "rollup"])
    assert result.exit_code == 0, result.output
    assert "Rolled up 3 day(s) (23 downloads)" in result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(RolledUpDay)) == 3
    bad = runner.invoke(args=["stats", "rollup", "--day", "yesterday"])
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output
