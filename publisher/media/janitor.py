"""The storage janitor: removes what crashed writes left, from the ledger, never a listing.

``run_janitor()`` takes the ledger entries (media/ledger.py) whose ``expires_at`` has
passed, oldest first, one at a time in its own short transaction:

- the entry is locked first (PostgreSQL: ``FOR UPDATE SKIP LOCKED``, so an entry a
  request is settling right now is left alone; SQLite: ``BEGIN IMMEDIATE``, the database
  write lock), so no request can commit a row for the key while the janitor decides;
- a key some row references is kept (the entry is only dropped): it committed;
- otherwise the object and anything an interrupted write left (unfinished multipart
  uploads to that key, partial files) are removed, then the entry.

A store that fails keeps the entry for the next run. Its cost is one query per column
holding keys and a store call or two per entry: it scales with crashes, not with the
bucket. Run it every few minutes: ``flask --app wsgi storage janitor`` (cron), or the job
queue's periodic task. ``storage orphans`` remains the full audit (it lists everything).
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import Connection, String, delete, exists, or_, select

from publisher.extensions import db
from publisher.media.storage import StorageError, get_storage
from publisher.models import StorageWrite, utcnow

logger = logging.getLogger(__name__)

# The ingest spool (media/ingest.py) in the temporary folder: a killed worker leaves it.
SPOOL_GLOB = "publisher-upload-*.part"
SPOOL_MAX_AGE_SECONDS = 24 * 3600


@dataclass
class JanitorReport:
    kept: list[str] = field(default_factory=list)  # referenced by a row: only the entry went
    removed: list[str] = field(default_factory=list)  # object (and partial writes) removed
    uploads_aborted: int = 0
    failed: list[str] = field(default_factory=list)  # left for the next run
    spool_files_removed: int = 0

    def summary(self) -> str:
        return (
            f"{len(self.removed)} unfinished write(s) removed, {self.uploads_aborted} "
            f"multipart upload(s) aborted, {len(self.kept)} settled entr(y/ies) dropped, "
            f"{len(self.failed)} failed, {self.spool_files_removed} stale spool file(s)"
        )


def run_janitor(
    now: datetime | None = None, started_before: datetime | None = None, limit: int = 1000
) -> JanitorReport:
    """Clean up after every expired ledger entry (at most ``limit`` per run); with
    ``started_before``, also after entries recorded before that time."""
    now = now or utcnow()
    report = JanitorReport()
    storage = get_storage()
    candidates = db.session.scalars(
        select(StorageWrite.id)
        .where(_dead(now, started_before))
        .order_by(StorageWrite.expires_at)
        .limit(limit)
    ).all()
    db.session.rollback()  # no transaction of ours stays open while the store is called
    for entry_id in candidates:
        with db.engine.connect() as connection:
            _begin_locked(connection)
            key = connection.scalar(_locked_entry(connection, entry_id, now, started_before))
            if key is None:  # settled meanwhile, or a request holds it right now
                connection.rollback()
                continue
            try:
                if _referenced(connection, key):
                    report.kept.append(key)
                else:
                    report.uploads_aborted += storage.discard_unfinished(key)
                    storage.delete(key)
                    report.removed.append(key)
                    logger.info("Janitor removed %s (a write that never committed)", key)
            except (StorageError, ValueError, OSError) as exc:
                connection.rollback()
                report.failed.append(key)
                logger.warning("Janitor could not clean %s: %s; will retry", key, exc)
                continue
            connection.execute(delete(StorageWrite).where(StorageWrite.id == entry_id))
            connection.commit()
    report.spool_files_removed = _remove_stale_spool_files()
    return report


def _begin_locked(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _dead(now: datetime, started_before: datetime | None):
    condition = StorageWrite.expires_at < now
    if started_before is not None:
        condition = or_(condition, StorageWrite.created_at < started_before)
    return condition


def _locked_entry(
    connection: Connection, entry_id: int, now: datetime, started_before: datetime | None
):
    statement = select(StorageWrite.key).where(
        StorageWrite.id == entry_id, _dead(now, started_before)
    )
    if connection.dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    return statement


def _referenced(connection: Connection, key: str) -> bool:
    """Whether any row points at ``key``: every string column named ``*_key``."""
    columns = [
        column
        for table in db.metadata.sorted_tables
        for column in table.columns
        if column.name.endswith("_key") and isinstance(column.type, String)
    ]
    return any(connection.scalar(select(exists().where(column == key))) for column in columns)


def _remove_stale_spool_files() -> int:
    """Upload spools older than a day in the spool folder (a worker killed mid-upload)."""
    folder = Path(current_app.config.get("UPLOAD_TEMP_DIR") or tempfile.gettempdir())
    cutoff = time.time() - SPOOL_MAX_AGE_SECONDS
    removed = 0
    for path in folder.glob(SPOOL_GLOB):
        try:
            if path.stat().st_mtime < cutoff:
                os.unlink(path)
                removed += 1
        except OSError:
            continue
    return removed
