"""full-text search over articles and episodes

PostgreSQL: a stored generated ``search_vector`` tsvector column on ``articles`` and
``episodes`` (title weighted A, summary B, body C), each with a GIN index. The 'simple'
configuration keeps the index language-neutral: the site may publish in any language.
The default parser skips HTML tags and entities, so the sanitized HTML is indexed as text.

SQLite: FTS5 external-content tables (the text stays in ``articles``/``episodes``; the
index holds only tokens) kept in step by triggers, so every write path, including a bare
``DELETE FROM articles``, updates the index.

Every object is named ``search_*`` so the models-vs-migrations check ignores it.

Revision ID: site_0002
Revises: 6b430547a8db
Create Date: 2026-11-28 10:00:00
"""

from alembic import op

revision = "site_0002"
down_revision = "6b430547a8db"
branch_labels = None
depends_on = None

POSTGRESQL_UP = [
    """
    ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', coalesce(title, '')), 'A')
        || setweight(to_tsvector('simple', coalesce(summary, '')), 'B')
        || setweight(to_tsvector('simple', coalesce(body_html, '')), 'C')
    ) STORED
    """,
    "CREATE INDEX search_articles_vector ON articles USING gin (search_vector)",
    """
    ALTER TABLE episodes ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', coalesce(title, '')), 'A')
        || setweight(to_tsvector('simple', coalesce(description, '')), 'C')
    ) STORED
    """,
    "CREATE INDEX search_episodes_vector ON episodes USING gin (search_vector)",
]

POSTGRESQL_DOWN = [
    "DROP INDEX IF EXISTS search_episodes_vector",
    "ALTER TABLE episodes DROP COLUMN IF EXISTS search_vector",
    "DROP INDEX IF EXISTS search_articles_vector",
    "ALTER TABLE articles DROP COLUMN IF EXISTS search_vector",
]


def _sqlite_fts(index: str, table: str, columns: list[str]) -> list[str]:
    """An external-content FTS5 table over ``table`` and the triggers that keep it in step."""
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    delete_old = (
        f"INSERT INTO {index}({index}, rowid, {cols}) VALUES ('delete', old.id, {old});"
    )
    insert_new = f"INSERT INTO {index}(rowid, {cols}) VALUES (new.id, {new});"
    return [
        f"""CREATE VIRTUAL TABLE {index} USING fts5(
            {cols}, content='{table}', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2'
        )""",
        f"CREATE TRIGGER {index}_ai AFTER INSERT ON {table} BEGIN {insert_new} END",
        f"CREATE TRIGGER {index}_ad AFTER DELETE ON {table} BEGIN {delete_old} END",
        # Only a change to an indexed column touches the index.
        f"CREATE TRIGGER {index}_au AFTER UPDATE OF {cols} ON {table} "
        f"BEGIN {delete_old} {insert_new} END",
        # Index the rows that exist already.
        f"INSERT INTO {index}({index}) VALUES ('rebuild')",
    ]


# Articles are indexed from their Markdown source: the HTML would add tag and attribute
# names (p, href, noopener…) as words. Episodes only have sanitized HTML descriptions.
SQLITE_UP = [
    *_sqlite_fts("search_articles", "articles", ["title", "summary", "body_markdown"]),
    *_sqlite_fts("search_episodes", "episodes", ["title", "description"]),
]

SQLITE_DOWN = [
    f"DROP TRIGGER IF EXISTS {index}_{suffix}"
    for index in ("search_episodes", "search_articles")
    for suffix in ("au", "ad", "ai")
] + ["DROP TABLE IF EXISTS search_episodes", "DROP TABLE IF EXISTS search_articles"]


def _statements(up: bool) -> list[str]:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        return POSTGRESQL_UP if up else POSTGRESQL_DOWN
    if dialect == "sqlite":
        return SQLITE_UP if up else SQLITE_DOWN
    raise NotImplementedError(f"full-text search is written for PostgreSQL and SQLite, not {dialect}")


def upgrade():
    for statement in _statements(up=True):
        op.execute(statement)


def downgrade():
    for statement in _statements(up=False):
        op.execute(statement)
