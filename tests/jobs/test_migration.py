"""jobs_0003 widens episodes.guid, which SQLite does by re-creating the table: the rows
that refer to episodes and the full-text search triggers must survive it."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from publisher import create_app
from publisher.extensions import db
from tests.support.app import test_config

SHOW = (
    "INSERT INTO shows (slug, title, description, status, language, author, owner_name, "
    "owner_email, category, subcategory, explicit, show_type, link, copyright, podcast_guid, "
    "locked, funding_url, funding_text, complete, new_feed_url, medium, license, location, "
    "update_frequency, update_frequency_rrule, hosts, txt, created_at, updated_at) VALUES "
    "('s', 'S', '', 'published', 'en', '', '', '', '', '', false, 'episodic', '', '', 'g', "
    "false, '', '', false, '', 'podcast', '', '', '', '', '[]', '[]', :t, :t)"
)
EPISODE = (
    "INSERT INTO episodes (show_id, guid, slug, title, description, status, episode_type, "
    "explicit, audio_offset_bytes, persons, soundbites, created_at, updated_at) VALUES "
    "(1, 'abc', 'e', 'Zeppelin hour', '', 'published', 'full', false, 0, '[]', '[]', :t, :t)"
)
DOWNLOAD = (
    "INSERT INTO downloads (episode_id, created_at, day, client_hash, user_agent, app_name, "
    "is_bot) VALUES (1, :t, '2024-01-01', 'h', '', 'x', false)"
)


def test_upgrading_keeps_downloads_and_search(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    app = create_app(test_config(url, tmp_path))
    with app.app_context():
        upgrade(revision="feeds_0003")
        with db.engine.begin() as conn:
            for statement in (SHOW, EPISODE, DOWNLOAD):
                conn.execute(text(statement), {"t": "2024-01-01 00:00:00"})
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM downloads")).scalar() == 1
            found = conn.execute(
                text("SELECT rowid FROM search_episodes WHERE search_episodes MATCH 'zeppelin'")
            ).all()
            assert found == [(1,)]
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        downgrade(revision="feeds_0003")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM downloads")).scalar() == 1
        db.engine.dispose()
