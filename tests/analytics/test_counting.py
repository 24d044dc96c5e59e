"""The counting rules, each on real requests to the enclosure URL."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from publisher.analytics import counting
from publisher.analytics.counting import merge_span, threshold_bytes
from publisher.extensions import db
from publisher.models import Download, Episode
from publisher.models.download import DownloadProgress


def counted(app, bots: bool = False) -> list[Download]:
    with app.app_context():
        rows = db.session.scalars(
            select(Download).where(Download.is_bot.is_(bots)).order_by(Download.id)
        ).all()
        db.session.expunge_all()
        return list(rows)


@pytest.fixture
def long_ep(stored_episode):
    """90 s of 64 kb/s MP3: one minute is about two thirds of the file."""
    return stored_episode("mp3", seconds=90)


def threshold_of(app, ep) -> int:
    with app.app_context():
        return threshold_bytes(db.session.get(Episode, ep.episode.id), len(ep.data))


def test_a_whole_download_counts_once_with_app_and_no_address(app, long_ep, listener):
    listener(address="198.51.100.23").get(long_ep.url)
    [download] = counted(app)
    assert download.episode_id == long_ep.episode.id
    assert download.app_name == "AntennaPod"
    assert download.day == datetime.now(UTC).date()
    assert len(download.client_hash) == 64
    assert "198.51.100" not in download.client_hash + download.user_agent


def test_the_same_client_within_the_day_counts_once(app, long_ep, listener):
    client = listener()
    client.get(long_ep.url)
    client.get(long_ep.url)
    client.get(long_ep.url, "bytes=0-")
    assert len(counted(app)) == 1


def test_another_address_or_app_is_another_client(app, long_ep, listener):
    listener(address="198.51.100.1").get(long_ep.url)
    listener(address="198.51.100.2").get(long_ep.url)
    listener(user_agent="Overcast/3.0 (+http://overcast.fm/; iOS podcast app)").get(long_ep.url)
    assert [d.app_name for d in counted(app)] == ["AntennaPod", "AntennaPod", "Overcast"]


def test_the_next_day_counts_again(app, long_ep, listener, monkeypatch):
    client = listener()
    client.get(long_ep.url)
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    monkeypatch.setattr(counting, "utcnow", lambda: tomorrow)
    client.get(long_ep.url)
    downloads = counted(app)
    assert len(downloads) == 2
    assert downloads[1].day == tomorrow.date()
    # The daily salt changes: the same listener is not linkable across days.
    assert downloads[0].client_hash != downloads[1].client_hash


def test_bots_are_stored_apart_and_not_counted(app, long_ep, listener):
    listener(user_agent="Mozilla/5.0 (compatible; Googlebot/2.1)").get(long_ep.url)
    listener(user_agent="").get(long_ep.url)
    assert counted(app) == []
    assert len(counted(app, bots=True)) == 2


def test_a_probe_range_is_not_recorded(app, long_ep, listener):
    listener().get(long_ep.url, "bytes=0-1")
    assert counted(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DownloadProgress)) == 0


def test_head_is_not_recorded(app, long_ep, listener):
    listener().head(long_ep.url)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DownloadProgress)) == 0
    assert counted(app) == []


def test_a_range_of_less_than_a_minute_does_not_count(app, long_ep, listener):
    threshold = threshold_of(app, long_ep)
    assert threshold < len(long_ep.data)
    listener().get(long_ep.url, f"bytes=0-{threshold - 2}")
    assert counted(app) == []


def test_a_range_covering_offset_plus_a_minute_counts(app, long_ep, listener):
    threshold = threshold_of(app, long_ep)
    listener().get(long_ep.url, f"bytes=0-{threshold - 1}")
    assert len(counted(app)) == 1


def test_several_ranges_summing_past_the_threshold_count_once(app, long_ep, listener):
    threshold = threshold_of(app, long_ep)
    client, step = listener(), threshold // 4
    for start in range(0, len(long_ep.data), step):
        client.get(long_ep.url, f"bytes={start}-{start + step - 1}")
    assert len(counted(app)) == 1


def test_the_same_range_requested_again_does_not_add_up(app, long_ep, listener):
    threshold = threshold_of(app, long_ep)
    client, half = listener(), threshold // 2 + 1000
    for _ in range(3):
        client.get(long_ep.url, f"bytes=0-{half}")
    assert counted(app) == []


def test_a_short_file_counts_only_when_whole(app, stored_episode, listener):
    ep = stored_episode("mp3", seconds=5)  # shorter than a minute
    client = listener()
    tail = len(ep.data) - 2000
    client.get(ep.url, f"bytes=0-{tail - 1}")
    assert counted(app) == []
    client.get(ep.url, f"bytes={tail}-")
    assert len(counted(app)) == 1


def test_ipv6_addresses_in_one_slash_64_are_one_client(app, long_ep, listener):
    listener(address="2001:db8:aa:bb:1:2:3:4").get(long_ep.url)
    listener(address="2001:db8:aa:bb:ffff:eeee:dddd:cccc").get(long_ep.url)
    listener(address="2001:db8:aa:bc::1").get(long_ep.url)  # another /64
    assert len(counted(app)) == 2


@contextmanager
def table_gone(app, name: str):
    """Make counting fail for real: its table disappears for the duration."""
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text(f"ALTER TABLE {name} RENAME TO {name}_away"))
    try:
        yield
    finally:
        with app.app_context(), db.engine.begin() as conn:
            conn.execute(text(f"ALTER TABLE {name}_away RENAME TO {name}"))


def test_a_failure_to_record_still_serves_the_bytes(app, long_ep, listener, caplog):
    with table_gone(app, "downloads"), caplog.at_level(logging.ERROR):
        response = listener().get(long_ep.url)
        assert response.status_code == 200
        assert response.data == long_ep.data
        assert "Could not record a request" in caplog.text
    assert counted(app) == []


def test_a_failure_to_look_up_counting_still_serves_the_bytes(app, long_ep, listener, caplog):
    with table_gone(app, "download_progress"), caplog.at_level(logging.ERROR):
        response = listener().get(long_ep.url, "bytes=100-")
        assert response.status_code == 206
        assert response.data == long_ep.data[100:]
        assert "counting lookup failed" in caplog.text
    assert counted(app) == []


def test_counting_can_be_switched_off(app, long_ep, listener):
    app.config["ANALYTICS_ENABLED"] = False
    assert listener().get(long_ep.url).status_code == 200
    assert counted(app) == []


def test_concurrent_first_requests_make_one_progress_row(app, long_ep):
    # Two requests of a new client recorded in turn, the second after the first
    # committed, behave as one client: the unique key holds and the row is merged.
    visitor = counting.Visitor(
        at=datetime.now(UTC),
        day=datetime.now(UTC).date(),
        client_hash="a" * 64,
        user_agent="AntennaPod/3",
        app_name="AntennaPod",
        is_bot=False,
    )
    request = counting.MediaRequest(
        visitor=visitor,
        episode_id=long_ep.episode.id,
        start=0,
        stop=10_000,
        threshold=len(long_ep.data),
    )
    counting.record(app, [request])
    counting.record(app, [request])
    with app.app_context():
        [row] = db.session.scalars(select(DownloadProgress)).all()
        assert row.covered_bytes == 10_000
        assert row.spans == [[0, 10_000]]


def test_a_batch_with_the_same_client_twice_merges_into_one_row(app, long_ep):
    visitor = counting.Visitor(
        at=datetime.now(UTC),
        day=datetime.now(UTC).date(),
        client_hash="c" * 64,
        user_agent="Overcast/3",
        app_name="Overcast",
        is_bot=False,
    )
    threshold = 30_000

    def part(start, stop):
        return counting.MediaRequest(visitor, long_ep.episode.id, start, stop, threshold)

    counting.record(app, [part(0, 20_000), part(10_000, 40_000), part(0, 50_000)])
    with app.app_context():
        [row] = db.session.scalars(select(DownloadProgress)).all()
        assert (row.spans, row.counted) == ([[0, 40_000]], True)
    assert len(counted(app)) == 1


def test_prune_removes_only_past_days(app, long_ep, listener):
    listener().get(long_ep.url, "bytes=0-5000")
    with app.app_context():
        db.session.add(
            DownloadProgress(
                episode_id=long_ep.episode.id, day=date(2020, 1, 1), client_hash="b" * 64
            )
        )
        db.session.commit()
        assert counting.prune_progress(before=datetime.now(UTC).date()) == 1
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(DownloadProgress)) == 1


@pytest.mark.parametrize(
    ("spans", "new", "expected"),
    [
        ([], (0, 10), [[0, 10]]),
        ([[0, 10]], (10, 20), [[0, 20]]),  # neighbours join
        ([[0, 10]], (5, 8), [[0, 10]]),  # inside
        ([[0, 10], [20, 30]], (8, 22), [[0, 30]]),  # bridges two
        ([[20, 30]], (0, 10), [[0, 10], [20, 30]]),  # before
        ([[0, 10]], (20, 30), [[0, 10], [20, 30]]),  # after
        ([[0, 10], [40, 50]], (20, 30), [[0, 10], [20, 30], [40, 50]]),  # between
    ],
)
def test_merge_span(spans, new, expected):
    assert merge_span(spans, *new) == expected


def test_threshold_uses_offset_and_bitrate_and_caps_at_the_file():
    episode = Episode(audio_offset_bytes=1000, bitrate=128_000, duration_seconds=3600.0)
    assert threshold_bytes(episode, 10**9) == 1000 + 16_000 * 60
    assert threshold_bytes(episode, 5000) == 5000
    no_bitrate = Episode(audio_offset_bytes=0, bitrate=None, duration_seconds=100.0)
    assert threshold_bytes(no_bitrate, 100_000) == 60_000
    unknown = Episode(audio_offset_bytes=0, bitrate=None, duration_seconds=None)
    assert threshold_bytes(unknown, 12345) == 12345
