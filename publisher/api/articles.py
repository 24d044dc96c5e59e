"""Articles: list, read, create, update, delete (Markdown body, tags, linked episodes)."""

from __future__ import annotations

from publisher.api.blueprint import bp
from publisher.api.representations import article_out, paginate
from publisher.api.schemas import ArticleCreate, ArticleOut, ArticlePage, ArticleUpdate, StatusQuery
from publisher.api.spec import api_route, current_user_or_none
from publisher.extensions import db
from publisher.models import Article, utcnow
from publisher.operations import articles as ops


def _out(article: Article) -> ArticleOut:
    return article_out(article, utcnow(), public_only=current_user_or_none() is None)


@api_route(bp, "/articles", "GET", auth="public", tag="articles", query=StatusQuery,
           response=ArticlePage)  # fmt: skip
def list_articles(query: StatusQuery) -> ArticlePage:
    """List articles, newest first (anonymous callers: public ones only)."""
    statement = ops.articles_query(current_user_or_none(), query.status, utcnow())
    articles, paging = paginate(statement, query.page, query.per_page)
    return ArticlePage(items=[_out(article) for article in articles], **paging)


@api_route(bp, "/articles", "POST", auth="editor", tag="articles", body=ArticleCreate,
           response=ArticleOut, status=201, errors=[409])  # fmt: skip
def create_article(body: ArticleCreate) -> tuple[ArticleOut, int]:
    """Create an article; tags are created on the fly, episodes linked in order."""
    article = ops.create_article(body, current_user_or_none(), utcnow())
    db.session.commit()
    return _out(article), 201


@api_route(bp, "/articles/<int:article_id>", "GET", auth="public", tag="articles",
           response=ArticleOut)  # fmt: skip
def get_article(article_id: int) -> ArticleOut:
    """Read an article."""
    return _out(ops.get_article(article_id, current_user_or_none(), utcnow()))


@api_route(bp, "/articles/<int:article_id>", "PATCH", auth="editor", tag="articles",
           body=ArticleUpdate, response=ArticleOut, errors=[409])  # fmt: skip
def update_article(article_id: int, body: ArticleUpdate) -> ArticleOut:
    """Change an article's fields (only those sent; `tags`/`episodes` replace the lists)."""
    now = utcnow()
    article = ops.get_article(article_id, current_user_or_none(), now)
    ops.update_article(article, body, now)
    db.session.commit()
    return _out(article)


@api_route(bp, "/articles/<int:article_id>", "DELETE", auth="editor", tag="articles",
           status=204)  # fmt: skip
def delete_article(article_id: int) -> None:
    """Delete an article."""
    ops.delete_article(ops.get_article(article_id, current_user_or_none(), utcnow()))
    db.session.commit()
