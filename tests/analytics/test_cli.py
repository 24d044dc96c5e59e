"""flask --app wsgi stats SHOW [--since DATE] and stats prune."""

from __future__ import annotations

from datetime import date

import pytest


@pytest.fixture
def show(factory, add_downloads):
    show = factory.show(slug="weekly", title="Weekly")
    episode = factory.episode(show=show)
    add_downloads(episode, date(2024, 5, 1), 2, "Apple Podcasts")
    add_downloads(episode, date(2024, 5, 3), 1, "Spotify")
    return show


def test_stats_prints_the_days_total_and_apps(runner, show):
    result = runner.invoke(
        args=["stats", "weekly", "--since", "2024-05-01", "--until", "2024-05-03"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == 'Downloads of show "Weekly", 2024-05-01 to 2024-05-03 (UTC days)'
    assert lines[3].split() == ["2024-05-01", "2"]
    assert lines[4].split() == ["2024-05-02", "0"]
    assert lines[5].split() == ["2024-05-03", "1"]
    assert lines[6].split() == ["total", "3"]
    assert "Apple Podcasts" in result.output and "Spotify" in result.output


def test_stats_as_csv(runner, show):
    result = runner.invoke(
        args=["stats", "weekly", "--since", "2024-05-01", "--until", "2024-05-02", "--csv"]
    )
    assert result.output.splitlines() == ["date,downloads", "2024-05-01,2", "2024-05-02,0"]


def test_stats_with_a_bad_date_or_show_explains(runner, show):
    result = runner.invoke(args=["stats", "weekly", "--since", "May 1st"])
    assert result.exit_code != 0
    assert "--since" in result.output and "YYYY-MM-DD" in result.output
    result = runner.invoke(args=["stats", "nope"])
    assert result.exit_code != 0 and "No show with the slug 'nope'" in result.output


def test_stats_prune(runner, show):
    result = runner.invoke(args=["stats", "prune"])
    assert result.exit_code == 0
    assert "Removed 0 progress rows" in result.output
