"""After the day, nothing stored can be matched with an address again (finding 2).

The attack: whoever holds the database and SECRET_KEY recomputes the hash of every IPv4
address with a known user agent. With the old derived salt that took 24 core-minutes;
here the day's salt is random, stored apart, and deleted with the hashes at rollover.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import String, select

from publisher.analytics import cli as analytics_cli
from publisher.analytics.clients import client_hash, network_hash
from publisher.analytics.useragents import classify
from publisher.extensions import db
from publisher.models import DailySalt, Download
from publisher.models.download import DownloadProgress
from tests.media_fixtures import APP_UA

ADDRESS = "198.51.100.23"


def derived_from_the_secret_key(secret: str, day: date, address: str, user_agent: str) -> str:
    """What an attacker computes with SECRET_KEY (the old scheme)."""
    salt = hmac.new(
        secret.encode(), b"publisher-download-salt:" + day.isoformat().encode(), hashlib.sha256
    ).digest()
    digest = hashlib.sha256(salt)
    digest.update(address.encode() + b"\n" + user_agent.encode())
    return digest.hexdigest()


def every_stored_string(app) -> set[str]:
    """Every string value in every table."""
    values: set[str] = set()
    with app.app_context():
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String)]
            if columns:
                for row in db.session.execute(select(*columns)):
                    values.update(v for v in row if isinstance(v, str))
    return values


def roll_over_and_prune(runner, monkeypatch) -> None:
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    monkeypatch.setattr(analytics_cli, "utcnow", lambda: tomorrow)
    result = runner.invoke(args=["stats", "prune"])
    assert result.exit_code == 0, result.output
    assert "forgot the client details of 1 downloads" in result.output


def test_the_salt_is_random_not_derived_from_the_secret_key(app, stored_episode, listener):
    episode = stored_episode("mp3", seconds=5)
    listener(address=ADDRESS).get(episode.url)
    today = datetime.now(UTC).date()
    with app.app_context():
        [download] = db.session.scalars(select(Download)).all()
        salt = bytes.fromhex(db.session.get(DailySalt, today).salt)
    assert download.client_hash == client_hash(salt, ADDRESS, APP_UA)
    assert download.client_hash != derived_from_the_secret_key(
        app.config["SECRET_KEY"], today, ADDRESS, APP_UA
    )


def test_after_the_day_no_stored_value_matches_a_recomputed_hash(
    app, stored_episode, listener, runner, monkeypatch
):
    episode = stored_episode("mp3", seconds=5)
    listener(address=ADDRESS).get(episode.url)
    today = datetime.now(UTC).date()
    with app.app_context():
        salt = bytes.fromhex(db.session.get(DailySalt, today).salt)
    before = every_stored_string(app)
    assert client_hash(salt, ADDRESS, APP_UA) in before  # the test can see a match

    roll_over_and_prune(runner, monkeypatch)

    after = every_stored_string(app)
    for value in (
        client_hash(salt, ADDRESS, APP_UA),
        network_hash(salt, ADDRESS),
        derived_from_the_secret_key(app.config["SECRET_KEY"], today, ADDRESS, APP_UA),
        salt.hex(),
        APP_UA,
        ADDRESS,
    ):
        assert value not in after
    with app.app_context():
        assert db.session.scalars(select(DailySalt)).all() == []
        assert db.session.scalars(select(DownloadProgress)).all() == []
        [download] = db.session.scalars(select(Download)).all()
        # What is kept is derived from the user agent, and still counts.
        assert (download.app_name, download.device, download.os) == ("AntennaPod", None, "android")
        assert download.client_hash is None and download.user_agent is None


def test_device_and_os_are_kept_from_the_user_agent(app, stored_episode, listener):
    ua = "Overcast/3.0 (+http://overcast.fm/; iOS podcast app)"
    listener(user_agent=ua).get(stored_episode("mp3", seconds=5).url)
    with app.app_context():
        [download] = db.session.scalars(select(Download)).all()
        assert (download.app_name, download.os) == ("Overcast", "ios")
        assert download.device == classify(ua).device


def test_today_is_left_alone(app, stored_episode, listener, runner):
    listener(address=ADDRESS).get(stored_episode("mp3", seconds=5).url)
    result = runner.invoke(args=["stats", "prune"])
    assert "forgot the client details of 0 downloads" in result.output
    with app.app_context():
        assert db.session.scalar(select(Download.client_hash)) is not None
        assert len(db.session.scalars(select(DailySalt)).all()) == 1
