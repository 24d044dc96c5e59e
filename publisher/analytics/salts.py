"""The random salt of each UTC day, which every app process must agree on.

A salt derived from ``SECRET_KEY`` and the date could be derived again by anyone holding
the key, forever: the stored hashes of every past day would then give away each
listener's address in minutes (2^32 IPv4 addresses). Here the salt is 32 random bytes,
made by the first process that needs it and stored where every process reads it: Redis
(``REDIS_URL``, the key expires on its own soon after the day) or the ``daily_salts``
table (deleted by ``analytics.privacy.forget_past_days``, run by ``stats prune``). Once
it is gone, that day's hashes cannot be recomputed by anyone.

Each process keeps today's salt in memory (one lookup per process per day), and drops
it as soon as it needs another day's.
"""

from __future__ import annotations

import secrets
import threading
from datetime import UTC, date, datetime, time, timedelta

from flask import Flask
from sqlalchemy import select, text

from publisher.extensions import db
from publisher.models import DailySalt, utcnow

_CACHE_KEY = "publisher.analytics.salt"
_REDIS_KEY = "publisher.analytics.redis"
REDIS_PREFIX = "publisher:daily-salt:"
# A Redis salt outlives its day by this much, so a request that started at 23:59:59 still
# finds it; prune deletes it explicitly too.
REDIS_GRACE = timedelta(minutes=5)
_lock = threading.Lock()


def salt_for(app: Flask, day: date) -> bytes:
    """The salt of ``day`` (made now if no process made it yet)."""
    cached = app.extensions.get(_CACHE_KEY)
    if cached is not None and cached[0] == day:
        return cached[1]
    with _lock:
        cached = app.extensions.get(_CACHE_KEY)
        if cached is None or cached[0] != day:
            salt = _redis_salt(app, day) if app.config.get("REDIS_URL") else _database_salt(day)
            app.extensions[_CACHE_KEY] = cached = (day, salt)
    return cached[1]


def forget_cached(app: Flask, before: date) -> None:
    """Drop this process's copy of a salt older than ``before``."""
    cached = app.extensions.get(_CACHE_KEY)
    if cached is not None and cached[0] < before:
        app.extensions.pop(_CACHE_KEY, None)


def redis_client(app: Flask):
    """The app's Redis client (``REDIS_URL``), made once."""
    client = app.extensions.get(_REDIS_KEY)
    if client is None:
        import redis

        client = redis.Redis.from_url(app.config["REDIS_URL"])
        app.extensions[_REDIS_KEY] = client
    return client


def _redis_salt(app: Flask, day: date) -> bytes:
    client = redis_client(app)
    key = REDIS_PREFIX + day.isoformat()
    end_of_day = datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC) + REDIS_GRACE
    # SET NX: the first process's salt wins; every other one reads it back.
    client.set(key, secrets.token_hex(32), nx=True, exat=int(end_of_day.timestamp()))
    value = client.get(key)
    return bytes.fromhex(value.decode())


_INSERT = text(
    "INSERT INTO daily_salts (day, salt, created_at) VALUES (:day, :salt, :created_at)"
    " ON CONFLICT (day) DO NOTHING"
)


def _database_salt(day: date) -> bytes:
    """Insert a random salt unless another process did, then read the one that won."""
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        query = select(DailySalt.salt).where(DailySalt.day == day)
        stored = conn.execute(query).scalar()
        if stored is None:
            params = {"day": day, "salt": secrets.token_hex(32), "created_at": utcnow()}
            conn.execute(_INSERT.bindparams(), params)
            stored = conn.execute(query).scalar()
    if stored is None:
        raise RuntimeError(f"The salt of {day} could not be stored.")
    return bytes.fromhex(stored)
