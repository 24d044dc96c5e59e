"""Public site: full-text search against a LIKE scan, and the article page's cost with
1 tag + 1 episode against 20 tags + 10 episodes.

    python -m bench site            # SQLite in a temporary folder
    PUBLISHER_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        python -m bench site        # the same on a fresh PostgreSQL database

Targets: search over 10,000 articles at least 5x faster than ``LIKE '%word%'`` on the
same rows (the baseline, measured in the same run); the big article page sends exactly
as many SQL statements as the small one and takes at most 4x its time (it carries ten
players and twenty tags instead of one each, so its markup is several times larger).
"""

from __future__ import annotations

import os
import random
import tempfile
from datetime import timedelta
from pathlib import Path

from bench.common import median_of, table, verdict

ARTICLES = 10_000
WORDS_PER_BODY = 120
SEARCH_WORDS = ["harbour", "turbine", "council"]  # rare words planted in a few bodies


def _vocabulary(rng: random.Random, size: int = 3000) -> list[str]:
    syllables = ["ka", "lo", "mi", "ter", "sun", "va", "ro", "ne", "pa", "del", "ish", "or"]
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def _fill(app, rng: random.Random) -> None:
    from sqlalchemy import insert

    from publisher.extensions import db
    from publisher.models import Article, utcnow

    vocabulary = _vocabulary(rng)
    now = utcnow()
    rows = []
    for n in range(ARTICLES):
        words = rng.choices(vocabulary, k=WORDS_PER_BODY)
        if n % 200 == 0:  # 50 articles mention each search word
            words[rng.randrange(WORDS_PER_BODY)] = SEARCH_WORDS[n // 200 % len(SEARCH_WORDS)]
        body = " ".join(words)
        rows.append(
            {
                "slug": f"a-{n}",
                "title": " ".join(rng.choices(vocabulary, k=6)),
                "summary": " ".join(rng.choices(vocabulary, k=15)),
                "body_markdown": body,
                "body_html": f"<p>{body}</p>",
                "status": "published",
                "publish_at": now - timedelta(minutes=n),
                "author_name": "Bench",
                "created_at": now,
                "updated_at": now,
            }
        )
    with app.app_context():
        for start in range(0, len(rows), 1000):
            db.session.execute(insert(Article), rows[start : start + 1000])
        db.session.commit()
        # Fresh statistics, as autovacuum would gather after a bulk load: without them
        # PostgreSQL guesses the status index is selective and skips the GIN index.
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE articles")


def _like_search(word: str):
    """The baseline: what search would be without an index."""
    from sqlalchemy import func, or_, select

    from publisher.extensions import db
    from publisher.models import Article, utcnow

    pattern = f"%{word}%"
    condition = or_(
        Article.title.ilike(pattern),
        Article.summary.ilike(pattern),
        Article.body_markdown.ilike(pattern),
    )
    base = select(Article.id).where(condition, Article.public_filter(utcnow()))
    total = db.session.scalar(select(func.count()).select_from(base.subquery()))
    db.session.scalars(base.order_by(Article.publish_at.desc()).limit(10)).all()
    return total


def _article_pages(app, factory) -> tuple[str, str]:
    show = factory.show()
    small_ep = [factory.episode(show=show)]
    big_eps = [factory.episode(show=show) for _ in range(10)]
    small = factory.article(slug="bench-small", tags=["one"], episodes=small_ep)
    big = factory.article(slug="bench-big", tags=[f"tag {n}" for n in range(20)], episodes=big_eps)
    return f"/articles/{small.slug}", f"/articles/{big.slug}"


def _statements(app, client, url: str) -> int:
    """How many SQL statements one request for ``url`` sends."""
    from sqlalchemy import event

    from publisher.extensions import db

    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def main(argv: list[str]) -> int:
    from flask_migrate import upgrade

    from publisher import create_app
    from publisher.extensions import db
    from publisher.site.search import search
    from tests.support.app import test_config
    from tests.support.database import fresh_postgres_database
    from tests.support.factory import Factory

    rng = random.Random(7)
    server = os.environ.get("PUBLISHER_TEST_DATABASE_URL")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        postgres = fresh_postgres_database(server) if server else None
        url = postgres.__enter__() if postgres else f"sqlite:///{folder / 'bench.db'}"
        try:
            app = create_app(test_config(url, folder))
            with app.app_context():
                upgrade()
            _fill(app, rng)
            small_url, big_url = _article_pages(app, Factory(app))
            rows = []
            ok = True
            with app.test_request_context():
                for word in SEARCH_WORDS:
                    # Both find the same rows; only the way differs.
                    assert search(word).total == _like_search(word) > 0, word
                    fts = median_of(lambda w=word: search(w), repeat=7)
                    like = median_of(lambda w=word: _like_search(w), repeat=7)
                    ratio = like / fts
                    ok &= ratio >= 5
                    rows.append(
                        [f"search '{word}'", f"{fts * 1000:.1f} ms", f"{like * 1000:.1f} ms",
                         f"{ratio:.1f}x faster", verdict(ratio >= 5)]
                    )  # fmt: skip
            client = app.test_client()
            small_sql, big_sql = (
                _statements(app, client, small_url),
                _statements(app, client, big_url),
            )
            small = median_of(lambda: client.get(small_url), repeat=15)
            big = median_of(lambda: client.get(big_url), repeat=15)
            ok &= big_sql == small_sql and big / small <= 4
            rows.append(
                ["article page SQL statements, 20 tags + 10 episodes", str(big_sql),
                 f"{small_sql} (1 tag + 1 episode)", "same" if big_sql == small_sql else "grew",
                 verdict(big_sql == small_sql)]
            )  # fmt: skip
            rows.append(
                ["article page time, 20 tags + 10 episodes", f"{big * 1000:.1f} ms",
                 f"{small * 1000:.1f} ms (1 tag + 1 episode)", f"{big / small:.2f}x",
                 verdict(big / small <= 4)]
            )  # fmt: skip
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        finally:
            if postgres:
                postgres.__exit__(None, None, None)
    engine = "PostgreSQL" if server else "SQLite"
    print(f"{ARTICLES:,} public articles, {engine}\n")
    print(table(["measure", "Publisher", "baseline", "ratio", "verdict"], rows))
    return 0 if ok else 1
