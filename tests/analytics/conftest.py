from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from publisher.extensions import db
from publisher.models import Download


@pytest.fixture
def add_downloads(app):
    """Store counted downloads directly: add_downloads(episode, date, n, app=, bot=)."""

    def add(episode, day: date, count: int = 1, app_name: str = "Overcast", bot: bool = False):
        with app.app_context():
            for n in range(count):
                db.session.add(
                    Download(
                        episode_id=episode.id,
                        created_at=datetime.combine(day, time(12, 0), UTC),
                        day=day,
                        client_hash=f"{n:064x}",
                        user_agent=app_name,
                        app_name=app_name,
                        is_bot=bot,
                    )
                )
            db.session.commit()

    return add
