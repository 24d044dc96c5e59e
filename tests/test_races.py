"""Check-then-insert races, made deterministic: another transaction commits the same
unique value between the operation's check and its flush (issue 16)."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, insert, select

from publisher.exceptions import Conflict
from publisher.extensions import db
from publisher.models import Article, Tag, User
from publisher.operations.articles import create_article, relate
from publisher.operations.tags import tags_named
from publisher.operations.users import create_user


def commit_elsewhere_after_check(table: str, statement) -> None:
    """Right after this session's next look-up in ``table`` (the operation's check),
    another connection commits ``statement``: the concurrent request that wins the race
    between the check and the insert."""
    fired = []

    def winner(conn, cursor, sql, parameters, context, executemany) -> None:
        if fired or not sql.lstrip().upper().startswith("SELECT") or f"FROM {table}" not in sql:
            return
        fired.append(True)
        with db.engine.connect() as other:
            other.execute(statement)
            other.commit()

    event.listen(db.engine, "after_cursor_execute", winner)


def test_a_user_registered_concurrently_is_a_409(app):
    with app.app_context():
        commit_elsewhere_after_check(
            "users",
            insert(User).values(
                email="same@example.com",
                role="editor",
                name="First",
                password_hash="x",
                active=True,
            ),
        )
        with pytest.raises(Conflict, match="already exists"):
            create_user("same@example.com", "a long passphrase")
        db.session.rollback()
        assert db.session.scalar(select(func.count(User.id))) == 1


def test_an_article_slug_taken_concurrently_is_a_409_and_a_generated_one_moves_on(app):
    with app.app_context():
        commit_elsewhere_after_check(
            "articles", insert(Article).values(slug="news", title="First", status="draft")
        )
        with pytest.raises(Conflict, match="'news' is already used"):
            create_article({"title": "Second", "slug": "news"}, None)
        db.session.rollback()
        commit_elsewhere_after_check(
            "articles", insert(Article).values(slug="more-news", title="First", status="draft")
        )
        article = create_article({"title": "More news"}, None)
        db.session.commit()
        assert article.slug == "more-news-2"


def test_a_tag_created_concurrently_is_reused(app):
    with app.app_context():
        with db.engine.begin() as connection:  # the other request's tag, committed
            connection.execute(insert(Tag).values(slug="breaking", name="Breaking"))
        tags = tags_named(["Breaking", "Fresh"])
        db.session.commit()
        assert [t.slug for t in tags] == ["breaking", "fresh"]
        assert db.session.scalar(select(func.count(Tag.id))) == 2


def test_relating_twice_is_harmless(app, factory):
    first, second = factory.article(), factory.article()
    with app.app_context():
        a, b = db.session.get(Article, first.id), db.session.get(Article, second.id)
        relate(a, b)
        relate(a, b)
        db.session.commit()
        assert [link.related_id for link in a.related_links] == [second.id]
