"""The storage ledger: every write to the store is recorded before it happens.

1. ``record(key)`` inserts the key in ``storage_writes`` in its own short transaction,
   committed before the first byte is sent, so a crash at any later moment (a worker
   killed mid-upload, a machine lost between the write and the commit) leaves an entry.
2. ``settle()`` deletes this transaction's entries in the same transaction as the row
   that references the keys: both commit together, or neither does.
3. The janitor (media/janitor.py) treats an entry older than its ``expires_at`` as a
   crash's debris: it removes the object and any unfinished upload to that key.

If the janitor got there first (a write that outlived the grace), ``settle()`` finds
the entry gone and refuses to commit a row whose object may have been removed.

SQLite: one writer at a time. When this request's own transaction already holds the
write lock, a second connection would wait for it forever, so the entry is not recorded
(the write is then tracked only by the rollback clean-up in media/cleanup.py).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import cast

from flask import current_app
from sqlalchemy import CursorResult, delete, insert

from publisher.extensions import db
from publisher.media.cleanup import take_ledger_entries, track_ledger_entry
from publisher.media.storage import StorageError
from publisher.models import StorageWrite, utcnow

logger = logging.getLogger(__name__)


def grace() -> timedelta:
    """How long a write may take before its entry counts as debris."""
    return timedelta(minutes=float(current_app.config["STORAGE_LEDGER_GRACE_MINUTES"]))


def record(key: str, lifetime: timedelta | None = None) -> int | None:
    """Record that ``key`` is about to be written (committed now); the entry is settled
    by this transaction's ``settle()`` or, after ``lifetime`` (default: the grace), left
    to the janitor. Returns the entry's id (None when SQLite cannot take it now)."""
    if _session_holds_sqlite_write_lock():
        logger.debug("Not recording %s in the ledger: this transaction holds SQLite's lock", key)
        return None
    now = utcnow()
    expires_at = now + (lifetime if lifetime is not None else grace())
    with db.engine.begin() as connection:
        result = connection.execute(
            insert(StorageWrite).values(key=key, created_at=now, expires_at=expires_at)
        )
        primary_key = result.inserted_primary_key
        assert primary_key is not None
        entry_id = int(primary_key[0])
    track_ledger_entry(entry_id)
    return entry_id


def settle() -> None:
    """Clear this transaction's entries, in this transaction (call after flushing the
    rows that reference the keys). StorageError if the janitor already removed one."""
    entries = take_ledger_entries()
    if not entries:
        return
    result = db.session.execute(
        delete(StorageWrite).where(StorageWrite.id.in_(entries)),
        execution_options={"synchronize_session": False},
    )
    if cast(CursorResult, result).rowcount != len(entries):
        raise StorageError(
            "This upload took longer than the store's clean-up allows "
            f"({current_app.config['STORAGE_LEDGER_GRACE_MINUTES']} minutes) and its file "
            "was removed. Nothing was saved; please upload it again."
        )


def _session_holds_sqlite_write_lock() -> bool:
    session = db.session()
    if db.engine.dialect.name != "sqlite" or not session.in_transaction():
        return False
    raw = session.connection().connection.dbapi_connection
    return bool(raw is not None and raw.in_transaction)
