"""The daily salt in Redis (REDIS_URL): shared by every process, gone after the day."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import redis
from sqlalchemy import select

from publisher.analytics.clients import client_hash
from publisher.analytics.salts import REDIS_PREFIX
from publisher.extensions import db
from publisher.models import DailySalt
from tests.media_fixtures import APP_UA
from tests.security.redis_fixtures import redis_url  # noqa: F401
from tests.security.test_listener_privacy import ADDRESS, every_stored_string, roll_over_and_prune


@pytest.fixture
def app_config(redis_url):  # noqa: F811
    return {"REDIS_URL": redis_url}


def test_with_redis_the_salt_lives_there_and_is_gone_after_the_day(
    app,
    stored_episode,
    listener,
    runner,
    monkeypatch,
    redis_url,  # noqa: F811
):
    episode = stored_episode("mp3", seconds=5)
    listener(address=ADDRESS).get(episode.url)
    server = redis.Redis.from_url(redis_url)
    key = REDIS_PREFIX + datetime.now(UTC).date().isoformat()
    salt = bytes.fromhex(server.get(key).decode())
    assert 0 < server.ttl(key) <= 24 * 3600 + 300  # expires on its own soon after the day
    with app.app_context():
        assert db.session.scalars(select(DailySalt)).all() == []
    assert client_hash(salt, ADDRESS, APP_UA) in every_stored_string(app)

    roll_over_and_prune(runner, monkeypatch)

    assert server.get(key) is None
    assert client_hash(salt, ADDRESS, APP_UA) not in every_stored_string(app)
