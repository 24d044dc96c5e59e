"""The data model: the one "public" rule, aware datetimes, cascades, hashed secrets."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from publisher.extensions import db
from publisher.models import ApiToken, Article, Episode, Show, User, hash_token, utcnow


@pytest.mark.parametrize(
    ("status", "offset_hours", "expected"),
    [
        ("draft", -1, False),
        ("published", -1, True),
        ("published", +1, False),
        ("scheduled", -1, True),
        ("scheduled", +1, False),
    ],
)
def test_public_rule_in_sql_and_in_python_agree(app, factory, status, offset_hours, expected):
    factory.article(status=status, publish_at=utcnow() + timedelta(hours=offset_hours))
    with app.app_context():
        article = db.session.scalar(select(Article))
        selected = db.session.scalars(select(Article).where(Article.public_filter())).all()
        assert article.is_public() is expected
        assert (article in selected) is expected


def test_released_without_publish_time_is_not_public(app, factory):
    factory.article(status="published", publish_at=None)
    with app.app_context():
        assert db.session.scalars(select(Article).where(Article.public_filter())).all() == []


def test_episodes_of_a_draft_show_are_not_public(app, factory):
    show = factory.show(status="draft")
    factory.episode(show=show)
    with app.app_context():
        assert db.session.scalars(select(Episode).where(Episode.public_filter())).all() == []
        assert db.session.scalar(select(Episode)).is_public() is False


def test_scheduled_item_becomes_public_when_its_time_passes_without_a_write(app, factory):
    publish_at = utcnow() + timedelta(minutes=5)
    factory.episode(status="scheduled", publish_at=publish_at)
    with app.app_context():
        before = select(Episode).where(Episode.public_filter(publish_at - timedelta(seconds=1)))
        after = select(Episode).where(Episode.public_filter(publish_at))
        assert db.session.scalars(before).all() == []
        assert len(db.session.scalars(after).all()) == 1
        episode = db.session.scalar(select(Episode))
        assert episode.effective_status(publish_at - timedelta(seconds=1)) == "scheduled"
        assert episode.effective_status(publish_at) == "published"


def test_datetimes_come_back_aware_and_in_utc(app, factory):
    moscow = timezone(timedelta(hours=3))
    factory.article(publish_at=datetime(2026, 3, 1, 12, 0, tzinfo=moscow))
    with app.app_context():
        article = db.session.scalar(select(Article))
        assert article.publish_at == datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
        assert article.publish_at.tzinfo is not None


def test_naive_datetimes_are_refused(app, factory):
    with pytest.raises(Exception, match="naive datetime"):
        factory.article(publish_at=datetime(2026, 3, 1, 12, 0))


def test_deleting_a_show_deletes_its_episodes_and_their_article_links(app, factory):
    show = factory.show()
    episode = factory.episode(show=show)
    factory.article(episodes=[episode])
    with app.app_context():
        db.session.delete(db.session.get(Show, show.id))
        db.session.commit()
        assert db.session.scalar(select(Episode)) is None
        assert db.session.scalar(select(Article)).episode_links == []


def test_article_keeps_the_order_of_its_linked_episodes(app, factory):
    show = factory.show()
    first, second, third = (factory.episode(show=show) for _ in range(3))
    factory.article(episodes=[third, first, second])
    with app.app_context():
        article = db.session.scalar(select(Article))
        assert [e.id for e in article.episodes] == [third.id, first.id, second.id]


def test_passwords_and_tokens_are_stored_only_as_hashes(app, factory):
    user = factory.user(password="a long passphrase")
    plain = factory.token(user)
    with app.app_context():
        row = db.session.get(User, user.id)
        assert "a long passphrase" not in row.password_hash
        assert row.check_password("a long passphrase")
        assert not row.check_password("wrong")
        token = db.session.scalar(select(ApiToken))
        columns = [str(getattr(token, c.key)) for c in ApiToken.__table__.columns]
        assert all(plain not in value for value in columns)
        assert token.token_hash == hash_token(plain)
        assert ApiToken.find_active(plain).id == token.id


def test_revoked_token_and_inactive_user_are_not_found(app, factory):
    user = factory.user()
    revoked = factory.token(user, revoked=True)
    active = factory.token(user)
    with app.app_context():
        assert ApiToken.find_active(revoked) is None
        assert ApiToken.find_active("pub_not-a-token") is None
        db.session.get(User, user.id).active = False
        db.session.commit()
        assert ApiToken.find_active(active) is None


def test_episode_guid_is_set_once(app, factory):
    episode = factory.episode()
    with app.app_context():
        row = db.session.get(Episode, episode.id)
        guid = row.guid
        row.title = "Renamed"
        row.storage_key = "shows/1/other.m4a"
        db.session.commit()
        assert db.session.get(Episode, episode.id).guid == guid
        assert len(guid) == 36


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite connection settings; this run is on PostgreSQL")
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
