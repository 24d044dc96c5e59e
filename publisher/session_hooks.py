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
  (``feeds.websub.note_feeds_touched``); ``after_commit``: ping the hub for them
  (``ping_after_commit``); ``after_soft_rollback``: forget them (``forget_after_rollback``).

See docs/architecture.md, "What a commit triggers".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import event

from publisher.extensions import db
from publisher.feeds import cache, websub
from publisher.media import cleanup

HOOKS: tuple[tuple[str, Callable[..., Any]], ...] = (
    ("after_commit", cleanup.delete_obsolete_after_commit),
    ("after_transaction_end", cleanup.remove_written_after_rollback),
    ("before_flush", cache.note_content_flush),
    ("do_orm_execute", cache.note_content_statement),
    ("after_commit", cache.clear_memo_after_commit),
    ("before_flush", websub.note_feeds_touched),
    ("after_commit", websub.ping_after_commit),
    ("after_soft_rollback", websub.forget_after_rollback),
)


def register_session_hooks(app: Flask) -> None:
    """Listen on ``db.session`` for every effect in HOOKS (once: ``db`` is shared by the
    apps of one process, and each hook reads the app's config at call time)."""
    for name, hook in HOOKS:
        if not event.contains(db.session, name, hook):
            event.listen(db.session, name, hook)
