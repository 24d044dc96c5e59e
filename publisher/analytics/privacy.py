"""Forgetting what could identify a listener once the day it served is over.

``forget_past_days(today)`` is the daily privacy task (``stats prune`` runs it; the job
queue schedules it): it deletes the random salts of past days (database and Redis),
nulls the ``client_hash``, ``network_hash`` and full ``user_agent`` of past downloads
(the app name, device, OS and flags derived from the user agent stay), and deletes the
byte-progress rows of past days. After it, no stored value can be matched with a hash
recomputed from an address, a user agent and ``SECRET_KEY``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from flask import current_app
from sqlalchemy import CursorResult, Result, delete, or_, update

from publisher.analytics.counting import prune_progress
from publisher.analytics.salts import REDIS_PREFIX, forget_cached, redis_client
from publisher.extensions import db
from publisher.models import DailySalt, Download


@dataclass(frozen=True)
class Forgotten:
    salts: int
    downloads: int
    progress_rows: int


def forget_past_days(today: date) -> Forgotten:
    """Forget the identifying details of every day before ``today`` (flushes, the caller
    commits)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    salts = _rowcount(db.session.execute(delete(DailySalt).where(DailySalt.day < today)))
    if app.config.get("REDIS_URL"):
        salts += _forget_redis_salts(app, today)
    forget_cached(app, before=today)
    downloads = _rowcount(
        db.session.execute(
            update(Download)
            .where(
                Download.day < today,
                or_(
                    Download.client_hash.is_not(None),
                    Download.network_hash.is_not(None),
                    Download.user_agent.is_not(None),
                ),
            )
            .values(client_hash=None, network_hash=None, user_agent=None)
        )
    )
    return Forgotten(salts, downloads, prune_progress(before=today))


def _rowcount(result: Result[Any]) -> int:
    return cast(CursorResult[Any], result).rowcount or 0


def _forget_redis_salts(app, today: date) -> int:
    client = redis_client(app)
    past = [
        key
        for key in client.scan_iter(match=REDIS_PREFIX + "*")
        if key.decode().removeprefix(REDIS_PREFIX) < today.isoformat()
    ]
    return client.delete(*past) if past else 0
