"""What a commit triggers, registered in one place.

Every effect that follows the database transaction listens on ``db.session`` (the app's
scoped session, so its sessionmaker's sessions only — never SQLAlchemy's global
``Session`` class) and is listed here; ``create_app`` calls ``register_session_hooks``.

- ``after_commit``: stored objects the change replaced or deleted are removed
  (``media.cleanup.delete_obsolete_after_commit``);
- ``after_transaction_end``: objects written by a transaction that did not commit are
  removed (``media.cleanup.remove_written_after_rollback``);
- ``before_flush`` / ``do_orm_execute``: note that content feeds are built from changed
  (``feeds.cache.note_content_flush`` / ``note_content_statement``), and
  ``after_commit``: this process's remembered feed checks are dropped
  (``feeds.cache.clear_memo_after_commit``);
- ``before_flush``: note the public feeds the change touches, when ``WEBSUB_HUB`` is set
  (``feeds.websub.note_feeds_touched``); ``before_commit``: request a ``websub.ping`` job
  for them in the same transaction (``request_ping_before_commit``);
  ``after_soft_rollback``: forget them (``forget_after_rollback``);
- ``after_commit``: jobs requested in the transaction (``Job.request``) are handed to the
  queue (``jobs.queue.send_after_commit``); ``after_soft_rollback``: forgotten.

``after_commit`` hooks run for the outermost commit only (``outermost``): releasing a
savepoint commits nothing yet.

See docs/architecture.md, "What a commit triggers".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from publisher.extensions import db
from publisher.feeds import cache, websub
from publisher.jobs import queue
from publisher.media import cleanup


def outermost(hook: Callable[[Session], None]) -> Callable[[Session], None]:
    """An after_commit hook that ignores savepoints: SQLAlchemy fires after_commit when a
    savepoint is released too (models/races.py uses them), but only the outermost
    commit makes a change durable."""

    def run(session: Session) -> None:
        if not session.in_nested_transaction():
            hook(session)

    run.__name__ = run.__qualname__ = hook.__name__
    run.__doc__ = hook.__doc__
    return run


HOOKS: tuple[tuple[str, Callable[..., Any]], ...] = (
    ("after_commit", outermost(cleanup.delete_obsolete_after_commit)),
    ("after_transaction_end", cleanup.remove_written_after_rollback),
    ("before_flush", cache.note_content_flush),
    ("do_orm_execute", cache.note_content_statement),
    ("after_commit", outermost(cache.clear_memo_after_commit)),
    ("before_flush", websub.note_feeds_touched),
    ("before_commit", websub.request_ping_before_commit),
    ("after_soft_rollback", websub.forget_after_rollback),
    ("after_commit", outermost(queue.send_after_commit)),
    ("after_soft_rollback", queue.forget_after_rollback),
)


def register_session_hooks(app: Flask) -> None:
    """Listen on ``db.session`` for every effect in HOOKS (once: ``db`` is shared by the
    apps of one process, and each hook reads the app's config at call time)."""
    for name, hook in HOOKS:
        if not event.contains(db.session, name, hook):
            event.listen(db.session, name, hook)
