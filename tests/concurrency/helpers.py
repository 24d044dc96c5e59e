"""Helpers for the live-server tests: parallel calls, and looking at rows and objects."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from publisher.extensions import db
from publisher.media.storage import get_storage
from publisher.models import Article, Episode


def parallel(count: int, call) -> list:
    """``call(i)`` for i in range(count), all released at the same moment."""
    barrier = threading.Barrier(count)

    def run(i: int):
        barrier.wait(timeout=30)
        return call(i)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def stored_and_referenced(app) -> tuple[set[str], set[str]]:
    """Keys in the store, and keys the episode rows point at."""
    with app.app_context():
        stored = {k for k in get_storage().list_keys() if not k.startswith(".")}
        referenced: set[str] = set()
        for audio_key, art_key in db.session.execute(
            select(Episode.storage_key, Episode.artwork_key)
        ):
            referenced |= {k for k in (audio_key, art_key) if k}
        return stored, referenced


def rows(app, model, *where) -> list:
    with app.app_context():
        found = db.session.scalars(select(model).where(*where)).all()
        for row in found:
            db.session.expunge(row)
        return list(found)


def article_tags(app, article_id: int) -> set[str]:
    with app.app_context():
        return {tag.slug for tag in db.session.get(Article, article_id).tags}
