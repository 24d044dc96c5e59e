"""Public-site fixtures: counting the SQL statements a request sends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from publisher.extensions import db
from tests.support.site import QueryCounter


@pytest.fixture
def count_queries(app):
    """Context manager counting the SQL statements the app sends while it is open."""

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()

        def before_cursor_execute(conn, cursor, statement, *args):
            counter.statements.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", before_cursor_execute)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", before_cursor_execute)

    return counting
