"""Writes that can race with another request, decided by the database, not by a check.

A check-then-insert ("is the slug free? then insert") is only a hint: two requests can
both see the slug free. The unique constraint is the referee, so:

- ``savepoint()``: the racing write is flushed inside a savepoint. When a constraint
  refuses it, only the savepoint is rolled back; the caller's transaction stays usable,
  and the caller turns the ``IntegrityError`` into the answer the rule implies (409 for
  a slug the client chose, another suffix for a generated one).
- ``insert_missing()``: get-or-create in one statement, ``INSERT … ON CONFLICT DO
  NOTHING`` (PostgreSQL and SQLite both have it): a concurrent insert of the same row
  is simply not repeated, then the caller selects what is there.
- ``lock_for_update()``: before replacing a row's link collection (an article's tags or
  episodes), take the row's write lock with a no-op UPDATE, so a second editor waits and
  then reads the first one's committed links instead of deleting rows already gone
  (SQLAlchemy's "expected to delete 1 row, 0 matched").

SQLite trap: pysqlite opens a transaction only before the first INSERT/UPDATE/DELETE, so
a SAVEPOINT issued first would start the transaction itself, and releasing it would
COMMIT everything mid-request. ``savepoint()`` therefore opens the transaction with
``BEGIN IMMEDIATE`` first (SQLite serializes writers anyway; taking the write lock now
also avoids a read snapshot that could not be upgraded later).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from publisher.extensions import db
from publisher.models.base import utcnow


def begin_write() -> None:
    """Make sure the session's transaction is open on the database (see the module)."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        if raw is not None and not raw.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def savepoint() -> Iterator[None]:
    """Run the block and flush it inside a savepoint. An ``IntegrityError`` raised by the
    flush leaves the outer transaction as it was before the block (objects added in the
    block are discarded, changed ones expired) and propagates to the caller."""
    begin_write()
    with db.session.begin_nested():
        yield
        db.session.flush()


T = TypeVar("T")
SLUG_ATTEMPTS = 10
# After this many lost races, a generated slug gets a random suffix: requests that all
# pick "the next free suffix" at once would otherwise keep colliding.
SEQUENTIAL_ATTEMPTS = 3


def generated_slug(generate: Callable[[], str], attempt: int) -> str:
    """``generate()`` (the next free suffix), or, from the fourth attempt on, that slug
    with a short random suffix."""
    slug = generate()
    if attempt > SEQUENTIAL_ATTEMPTS:
        slug = f"{slug}-{secrets.token_hex(3)}"
    return slug


def insert_with_slug(
    make: Callable[[str], T],
    *,
    chosen: str | None,
    generate: Callable[[], str],
    taken: Callable[[str], bool],
    conflict: Callable[[str], Exception],
) -> T:
    """Insert a row under a unique slug: ``make(slug)`` adds and fills it (flushed in a
    savepoint). A slug the client ``chosen`` that is taken, before or by a concurrent
    insert, raises ``conflict(slug)``; a ``generate``d one moves on to the next free
    suffix when a concurrent request took it first."""
    if chosen is not None and taken(chosen):
        raise conflict(chosen)
    for attempt in range(1, SLUG_ATTEMPTS + 1):
        slug = chosen or generated_slug(generate, attempt)
        try:
            with savepoint():
                row = make(slug)
            return row
        except IntegrityError:
            if not taken(slug):
                raise  # another constraint: not ours to explain
            if chosen is not None or attempt == SLUG_ATTEMPTS:
                raise conflict(slug) from None
    raise AssertionError("unreachable")


def insert_missing(
    model: Any, rows: Iterable[Mapping[str, Any]], unique: str | tuple[str, ...]
) -> None:
    """Insert the rows whose ``unique`` column(s) value is not there yet; rows another
    transaction inserts concurrently are skipped, not an error. Rows go in sorted order
    so two transactions never wait on each other's rows in opposite orders."""
    columns = (unique,) if isinstance(unique, str) else unique
    values = sorted(
        (dict(row) for row in rows), key=lambda row: tuple(row[name] for name in columns)
    )
    if not values:
        return
    statement: postgresql.Insert | sqlite.Insert
    if db.session.get_bind().dialect.name == "postgresql":
        statement = postgresql.insert(model).values(values)
    else:
        statement = sqlite.insert(model).values(values)
    statement = statement.on_conflict_do_nothing(index_elements=columns)
    db.session.execute(statement, execution_options={"synchronize_session": False})


def lock_for_update(model: Any, row_id: int) -> None:
    """Take the write lock on one row (a no-op UPDATE of ``updated_at``): on PostgreSQL
    a concurrent editor waits for this transaction, on SQLite the database write lock
    is taken. Reads after this see every change committed before it."""
    begin_write()
    db.session.execute(
        update(model).where(model.id == row_id).values(updated_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
