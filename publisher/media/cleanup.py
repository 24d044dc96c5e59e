"""Stored objects follow the database transaction.

Services register what they wrote (``delete_on_rollback``) and what must go once the
change is safe (``delete_after_commit``); two session hooks (registered by
``publisher.session_hooks``) do the rest, so callers only commit once:

- after a commit: objects scheduled for deletion are removed (old audio, a deleted
  episode's files); objects written in the transaction are kept.
- after a rollback, or a session closed without commit: objects written in the
  transaction are removed; scheduled deletions are forgotten (the rows still point at them).

A delete that fails is logged and left for ``flask storage orphans``.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session, SessionTransaction

from publisher.extensions import db
from publisher.media.storage import Storage, StorageError, get_storage

logger = logging.getLogger(__name__)

_INFO_KEY = "publisher.media.pending"


def _pending(session: Session) -> dict[str, list[tuple[Storage, str]]]:
    return session.info.setdefault(_INFO_KEY, {"written": [], "obsolete": []})


def delete_on_rollback(key: str, storage: Storage | None = None, session: Any = None) -> None:
    """``key`` was just written for this transaction: remove it unless the transaction
    commits."""
    session = session or db.session()
    _pending(session)["written"].append((storage or get_storage(), key))


def forget_written(key: str, session: Any = None) -> None:
    """``key`` was already removed by the caller; no need to remove it again."""
    pending = _pending(session or db.session())
    pending["written"] = [(s, k) for s, k in pending["written"] if k != key]


def delete_after_commit(key: str, storage: Storage | None = None, session: Any = None) -> None:
    """Remove ``key`` once this transaction has committed (never before: a rollback
    must find the old object still there)."""
    session = session or db.session()
    _pending(session)["obsolete"].append((storage or get_storage(), key))


def remove_quietly(storage: Storage, key: str, reason: str) -> bool:
    """Delete an object; on failure log it (``storage orphans`` will find it)."""
    try:
        storage.delete(key)
    except (StorageError, ValueError, OSError) as exc:
        logger.warning("Could not delete %s (%s): %s; left for `storage orphans`", key, reason, exc)
        return False
    return True


def delete_obsolete_after_commit(session: Session) -> None:
    """after_commit: remove the objects the committed change replaced or deleted."""
    pending = session.info.pop(_INFO_KEY, None)
    if not pending:
        return
    for storage, key in pending["obsolete"]:
        remove_quietly(storage, key, "replaced or deleted")


def remove_written_after_rollback(session: Session, transaction: SessionTransaction) -> None:
    """after_transaction_end: a transaction that did not commit leaves no object behind."""
    if transaction.parent is not None:  # a savepoint: the outer transaction decides
        return
    pending = session.info.pop(_INFO_KEY, None)
    if not pending:
        return  # committed (after_commit took the list) or nothing was written
    for storage, key in pending["written"]:
        remove_quietly(storage, key, "transaction rolled back")
