"""Full-text search over public articles and episodes.

The index lives in the database (migration ``site_0002``): a tsvector column with a GIN
index on PostgreSQL, FTS5 external-content tables on SQLite. This module turns what a
reader typed into a safe query for either engine, ranks articles and episodes together,
and builds highlighted snippets for the one page of results it shows.

Never ``LIKE '%q%'``: it cannot use an index and cannot rank.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import (
    BindParameter,
    ColumnClause,
    Select,
    bindparam,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
    union_all,
)
from sqlalchemy.orm import selectinload

from publisher.exceptions import PublisherError
from publisher.extensions import db
from publisher.models import Article, Episode, utcnow

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
PER_PAGE = 10
# Snippet highlight marks: control characters that sanitized text never carries, turned
# into <mark> only after everything else has been escaped.
MARK_START, MARK_END = "\x02", "\x03"
# Letters and digits of any script; punctuation and FTS operators never reach the engine.
_TERM = re.compile(r"[^\W_]+")
_TAG = re.compile(r"<[^>]*>")
_MARKDOWN_LINK_TARGET = re.compile(r"\]\([^)\s]*\)?")
# Emphasis marks, brackets, and the quote/heading/list markers that start a line.
_MARKDOWN_PUNCTUATION = re.compile(r"(?m)^[ \t]*(?:(?:>[ \t]*)+|#+[ \t]|[-+*][ \t])|[*_`]+|!?\[|\]")


class SearchQueryError(PublisherError):
    status_code = 400
    code = "bad_search_query"


@dataclass
class SearchHit:
    kind: str  # "article" or "episode"
    item: Article | Episode
    snippet: Markup
    score: float


@dataclass
class SearchResults:
    query: str
    terms: list[str]
    page: int
    per_page: int
    total: int
    hits: list[SearchHit] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def parse_terms(query: str) -> list[str]:
    """The words of a query, lowercased, deduplicated, at most MAX_TERMS."""
    if len(query) > MAX_QUERY_LENGTH:
        raise SearchQueryError(
            f"The search text is too long ({len(query)} characters); "
            f"please use at most {MAX_QUERY_LENGTH}."
        )
    terms: list[str] = []
    for word in _TERM.findall(query.lower()):
        if word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]


def _fts5_query(terms: list[str]) -> str:
    # Each term quoted (so it is a string, never an operator); words of three letters or
    # more also match as prefixes, which stands in for stemming ("podcast" → "podcasts").
    return " ".join(f'"{t}"*' if len(t) >= 3 else f'"{t}"' for t in terms)


def _tsquery(terms: list[str]) -> str:
    # Terms hold only letters and digits, so they cannot break the tsquery syntax.
    return " & ".join(f"{t}:*" if len(t) >= 3 else t for t in terms)


class _Engine:
    """The SQL that differs between PostgreSQL and SQLite."""

    def __init__(self, dialect: str, terms: list[str]) -> None:
        self.postgresql = dialect == "postgresql"
        self.match = _tsquery(terms) if self.postgresql else _fts5_query(terms)

    def ranked(self, kind: str, now: datetime) -> Select:
        """SELECT kind, id, score, publish_at for the public matches of one kind."""
        model = Article if kind == "article" else Episode
        query: BindParameter[str] = bindparam(f"q_{kind}", self.match)
        if self.postgresql:
            tsquery = func.to_tsquery("simple", query)
            vector: ColumnClause[Any] = literal_column(f"{model.__tablename__}.search_vector")
            return (
                select(
                    literal(kind).label("kind"),
                    model.id.label("id"),
                    func.ts_rank(vector, tsquery).label("score"),
                    model.publish_at.label("publish_at"),
                )
                .where(vector.op("@@")(tsquery))
                .where(model.public_filter(now))
            )
        index = f"search_{model.__tablename__}"
        # bm25 weights per column: the title counts most, then summary, then body.
        weights = "10.0, 4.0, 1.0" if kind == "article" else "10.0, 1.0"
        fts = table(index, column("rowid"))
        # Materialized first, so SQLite walks the few matches and looks each row up,
        # rather than walking every public row and asking the index about each one.
        hits = (
            select(
                fts.c.rowid.label("id"),
                (-literal_column(f"bm25({index}, {weights})")).label("score"),
            )
            .where(literal_column(index).op("MATCH")(query))
            .cte(f"{index}_hits")
            .prefix_with("MATERIALIZED")
        )
        return (
            select(
                literal(kind).label("kind"),
                model.id.label("id"),
                hits.c.score.label("score"),
                model.publish_at.label("publish_at"),
            )
            .select_from(hits)
            .join(model, model.id == hits.c.id)
            .where(model.public_filter(now))
        )

    def snippets(self, kind: str, ids: list[int]) -> dict[int, str]:
        """Raw highlighted fragments (with MARK_START/MARK_END) for the given rows."""
        if not ids:
            return {}
        params: dict[str, Any] = {"q": self.match, "ids": ids, "start": MARK_START}
        params["stop"] = MARK_END
        if self.postgresql:
            column = "body_html" if kind == "article" else "description"
            table = "articles" if kind == "article" else "episodes"
            sql = text(
                f"SELECT id, ts_headline('simple', coalesce({column}, ''), "  # noqa: S608
                "to_tsquery('simple', :q), :options) "
                f"FROM {table} WHERE id IN :ids"
            ).bindparams(bindparam("ids", expanding=True))
            params["options"] = (
                f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=12, "
                'MaxFragments=2, FragmentDelimiter=" … "'
            )
        else:
            index = "search_articles" if kind == "article" else "search_episodes"
            column_number = 2 if kind == "article" else 1  # the body / the description
            sql = text(
                f"SELECT rowid, snippet({index}, {column_number}, :start, :stop, '…', 28) "  # noqa: S608
                f"FROM {index} WHERE {index} MATCH :q AND rowid IN :ids"
            ).bindparams(bindparam("ids", expanding=True))
        return {row[0]: row[1] or "" for row in db.session.execute(sql, params)}


def render_snippet(raw: str, source: str) -> Markup:
    """Escape a fragment completely, then turn the engine's marks into <mark> elements.

    ``source`` is "html" (sanitized HTML: tags are dropped, entities decoded) or
    "markdown" (Markdown punctuation and link targets are dropped).
    """
    if source == "html":
        text_ = _TAG.sub(" ", raw)
        # A fragment may start inside a tag; sanitized text never has a bare ">".
        text_ = re.sub(r"^[^<>]*>", "", text_)
        text_ = re.sub(r"<[^>]*$", "", text_)
        text_ = html.unescape(text_)
    else:
        text_ = _MARKDOWN_PUNCTUATION.sub("", _MARKDOWN_LINK_TARGET.sub(" ", raw))
    text_ = " ".join(text_.split())
    escaped = str(escape(text_))
    highlighted = re.sub(
        f"{MARK_START}([^{MARK_START}{MARK_END}]*){MARK_END}", r"<mark>\1</mark>", escaped
    )
    return Markup(highlighted.replace(MARK_START, "").replace(MARK_END, ""))  # noqa: S704


def search(query: str, page: int = 1, per_page: int = PER_PAGE) -> SearchResults:
    """One page of public articles and episodes matching ``query``, best first."""
    terms = parse_terms(query)
    results = SearchResults(query=query, terms=terms, page=page, per_page=per_page, total=0)
    if not terms:
        return results
    now = utcnow()
    engine = _Engine(db.session.get_bind().dialect.name, terms)
    ranked = union_all(engine.ranked("article", now), engine.ranked("episode", now)).subquery()
    results.total = db.session.scalar(select(func.count()).select_from(ranked)) or 0
    if results.total == 0:
        return results
    if page > results.pages:
        raise SearchQueryError(f"There is no page {page}: the results have {results.pages}.")
    rows = db.session.execute(
        select(ranked.c.kind, ranked.c.id, ranked.c.score)
        .order_by(ranked.c.score.desc(), ranked.c.publish_at.desc(), ranked.c.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()

    ids = {kind: [row.id for row in rows if row.kind == kind] for kind in ("article", "episode")}
    articles = {
        a.id: a for a in db.session.scalars(select(Article).where(Article.id.in_(ids["article"])))
    }
    episodes = {
        e.id: e
        for e in db.session.scalars(
            select(Episode)
            .where(Episode.id.in_(ids["episode"]))
            .options(selectinload(Episode.show))
        )
    }
    snippets = {kind: engine.snippets(kind, ids[kind]) for kind in ("article", "episode")}
    for row in rows:
        item = articles.get(row.id) if row.kind == "article" else episodes.get(row.id)
        if item is None:  # deleted between the two queries
            continue
        source = "markdown" if row.kind == "article" and not engine.postgresql else "html"
        snippet = render_snippet(snippets[row.kind].get(row.id, ""), source)
        results.hits.append(SearchHit(row.kind, item, snippet, float(row.score or 0)))
    return results
