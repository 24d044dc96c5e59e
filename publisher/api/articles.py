"""Articles: list, read, create, update, delete (Markdown body, tags, linked episodes),
and their cover image (multipart, file field `file`)."""

from __future__ import annotations

from werkzeug.datastructures import FileStorage

from publisher.api.blueprint import bp
from publisher.api.representations import article_out, paginate
from publisher.api.schemas import (
    ArticleCreate,
    ArticleOut,
    ArticlePage,
    ArticleUpdate,
    Input,
    StatusQuery,
)
from publisher.api.spec import FileField, api_route, current_user_or_none
from publisher.exceptions import NotFound
from publisher.extensions import db
from publisher.models import Article, utcnow
from publisher.operations import articles as ops

COVER = FileField(
    "file",
    "JPEG, PNG or WebP, at least 600 pixels wide, at most 40 megapixels; stored "
    "re-encoded as a JPEG at most 1600 pixels wide, without EXIF.",
)


class CoverForm(Input):
    """No text fields: the image is the whole request."""


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


@api_route(bp, "/articles/<int:article_id>/cover", "PUT", auth="editor", tag="articles",
           form=CoverForm, files=[COVER], response=ArticleOut, errors=[503])  # fmt: skip
def put_article_cover(
    article_id: int, form: CoverForm, files: dict[str, FileStorage]
) -> ArticleOut:
    """Upload or replace the article's cover image (422 says what to change: format,
    width, pixel count; 413 above `ARTWORK_MAX_MB`). The answer's `cover_image_url` changes."""
    article = ops.get_article(article_id, current_user_or_none(), utcnow())
    ops.set_cover_image(article, files["file"].stream)
    db.session.commit()
    return _out(article)


@api_route(bp, "/articles/<int:article_id>/cover", "DELETE", auth="editor", tag="articles",
           status=204, errors=[503])  # fmt: skip
def delete_article_cover(article_id: int) -> None:
    """Remove the article's cover image."""
    article = ops.get_article(article_id, current_user_or_none(), utcnow())
    if not article.cover_image_key:
        raise NotFound("This article has no cover image.")
    ops.remove_cover_image(article)
    db.session.commit()
