"""Counts resist inflation: a user-agent cap per network, and bytes actually sent (finding 3)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from publisher.extensions import db
from publisher.models import Download
from publisher.models.download import DownloadProgress


@pytest.fixture
def app_config():
    return {"ANALYTICS_MAX_USER_AGENTS": 3}


def downloads(app) -> list[tuple[str, bool]]:
    with app.app_context():
        rows = db.session.execute(
            select(Download.app_name, Download.is_filtered).order_by(Download.id)
        ).all()
        return [tuple(row) for row in rows]


def test_one_network_counts_at_most_the_cap_of_user_agents(app, stored_episode, listener):
    episode = stored_episode("mp3", seconds=5)
    for n in range(5):  # five "listeners": new user agents from one /24
        listener(user_agent=f"AntennaPod/3.{n}", address=f"198.51.100.{n + 1}").get(episode.url)
    assert [filtered for _app, filtered in downloads(app)] == [False] * 3 + [True] * 2


def test_a_known_user_agent_and_other_networks_still_count(app, stored_episode, listener):
    episode = stored_episode("mp3", seconds=5)
    for n in range(3):
        listener(user_agent=f"AntennaPod/3.{n}", address=f"198.51.100.{n + 1}").get(episode.url)
    # The same app on another phone of the same network: not a new user agent.
    listener(user_agent="AntennaPod/3.0", address="198.51.100.99").get(episode.url)
    listener(user_agent="AntennaPod/9", address="203.0.113.5").get(episode.url)  # another /24
    listener(user_agent="AntennaPod/9", address="2001:db8:1:2::1").get(episode.url)
    assert [filtered for _app, filtered in downloads(app)] == [False] * 6


def test_an_ipv6_slash_64_is_one_network(app, stored_episode, listener):
    episode = stored_episode("mp3", seconds=5)
    for n in range(4):
        listener(user_agent=f"AntennaPod/3.{n}", address=f"2001:db8:1:2::{n + 1}").get(episode.url)
    assert [filtered for _app, filtered in downloads(app)] == [False] * 3 + [True]


def test_stats_show_filtered_downloads_apart(app, stored_episode, listener, admin):
    episode = stored_episode("mp3", seconds=5)
    for n in range(5):
        listener(user_agent=f"AntennaPod/3.{n}", address=f"198.51.100.{n + 1}").get(episode.url)
    stats = admin.get(f"/api/v1/episodes/{episode.episode.id}/stats").get_json()
    assert (stats["total"], stats["filtered_downloads_excluded"]) == (3, 2)


def test_a_download_counts_the_bytes_sent_not_the_range_asked(app, stored_episode, client):
    """The app asks for the whole file and hangs up after the first chunk: that is not a
    listen, and the progress holds only what was sent."""
    episode = stored_episode("mp3", seconds=90)
    size = len(episode.data)
    response = client.get(episode.url, headers={"User-Agent": "AntennaPod/3"}, buffered=False)
    stream = iter(response.response)
    first = next(stream)
    second = next(stream)
    response.close()
    with app.app_context():
        [progress] = db.session.scalars(select(DownloadProgress)).all()
        assert progress.covered_bytes == len(first)  # the second chunk was never confirmed
        assert progress.covered_bytes < size and len(first) + len(second) < size
        assert not progress.counted
    assert downloads(app) == []
