"""Articles in the studio: every editor works on every article.

The editor saves with the version it started from (a conflict shows both versions),
autosaves to the server (and to localStorage while offline), previews through the site's
own renderer, and normalizes text pasted from word processors.
"""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from publisher.content import normalize_pasted, render_markdown
from publisher.exceptions import PublisherError
from publisher.extensions import db
from publisher.models import Article, Episode, Show, Tag
from publisher.operations import articles as article_ops
from publisher.operations import autosaves
from publisher.operations.versions import VersionConflict, bump_version, check_version
from publisher.previews import make_preview_token, preview_hours
from publisher.studio.access import episode_for_editing
from publisher.studio.article_forms import ArticleForm, CoverForm, NewArticleForm
from publisher.studio.blueprint import bp
from publisher.studio.forms import PostForm
from publisher.studio.formtools import refused, stored_file
from publisher.studio.templating import user_zone
from publisher.urls import absolute

MAX_PREVIEW_CHARS = 200_000


def _article_or_404(article_id: int) -> Article:
    article = db.session.get(Article, article_id) if 0 < article_id < 2**31 else None
    if article is None:
        abort(404, f"There is no article {article_id}.")
    return article


@bp.get("/articles/")
def articles():
    """Every article, the most recently changed first."""
    items = db.session.scalars(select(Article).order_by(Article.updated_at.desc())).all()
    return render_template("studio/articles.html", articles=items, form=NewArticleForm())


@bp.post("/articles/")
def new_article():
    """Start a draft article from its title; the editor opens next."""
    form = NewArticleForm()
    if not form.validate_on_submit():
        for error in form.title.errors or ["The form expired; reload the page and try again."]:
            flash(error, "error")
        return redirect(url_for("studio.articles"))
    article = article_ops.create_article(
        {"title": normalize_pasted(form.title.data or "")}, current_user
    )
    db.session.commit()
    return redirect(url_for("studio.edit_article", article_id=article.id))


def _linked(article: Article) -> list[Episode]:
    return [link.episode for link in article.episode_links]


@bp.route("/articles/<int:article_id>/edit", methods=["GET", "POST"])
def edit_article(article_id: int):
    """The Markdown editor with live preview, tags, linked episodes and publication."""
    article = _article_or_404(article_id)
    zone = user_zone()
    form = ArticleForm(obj=article)
    if request.method == "GET":
        _fill(form, article, zone)
    status, conflict = 200, None
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            values = {
                "title": normalize_pasted(form.title.data or ""),
                "slug": form.slug.data,
                "summary": normalize_pasted(form.summary.data or ""),
                "body": normalize_pasted(form.body.data or ""),
                "tags": [normalize_pasted(name) for name in form.tag_names()],
                "episodes": form.episode_ids(),
                "status": form.status.data,
                "publish_at": form.publish_at_utc(zone),
            }
            try:
                version = int(form.version.data) if (form.version.data or "").isdigit() else None
                check_version(article, version)
                article_ops.update_article(article, values)
                bump_version(article)
                autosaves.discard_autosave(article, current_user)
            except VersionConflict as exc:
                db.session.rollback()
                form.form_errors.append(exc.message)
                form.version.data = str(article.version)
                conflict, status = article, 409
            except PublisherError as exc:
                status = refused(form, exc)
            else:
                db.session.commit()
                flash("The article is saved.", "success")
                return redirect(url_for("studio.edit_article", article_id=article.id))
    return _editor(article, form, zone, status, conflict=conflict)


def _fill(form: ArticleForm, article: Article, zone) -> None:
    """The editor's fields as the article is saved."""
    form.version.data = str(article.version)
    form.body.data = article.body_markdown
    form.tags.data = ", ".join(tag.name for tag in article.tags)
    form.episodes.data = ",".join(str(e.id) for e in _linked(article))
    if article.publish_at is not None:
        form.publish_at.data = article.publish_at.astimezone(zone).replace(tzinfo=None)


def _editor(
    article: Article,
    form: ArticleForm,
    zone,
    status: int = 200,
    *,
    conflict: Article | None = None,
    cover_form: CoverForm | None = None,
):
    chosen = form.episode_ids()
    episodes = {e.id: e for e in db.session.scalars(select(Episode).where(Episode.id.in_(chosen)))}
    # After a refused cover upload the text's autosave is offered again, as on a GET.
    shows_autosave = request.method == "GET" or cover_form is not None
    autosave = autosaves.find_autosave(article, current_user) if shows_autosave else None
    return render_template(
        "studio/article_edit.html",
        article=article,
        form=form,
        conflict=conflict,
        zone=zone,
        linked=[episodes[i] for i in chosen if i in episodes],
        autosave=autosave,
        post_form=PostForm(),
        cover_form=cover_form or CoverForm(),
        cover_max_mb=int(current_app.config["ARTWORK_MAX_MB"]),
    ), status


# ---------------------------------------------------------------------------- cover image


@bp.post("/articles/<int:article_id>/cover")
def article_cover(article_id: int):
    """Upload or replace the cover image (its own form: the text being edited stays in the
    editor and its autosave). A refusal shows the editor again, the reason on the field."""
    article = _article_or_404(article_id)
    cover_form = CoverForm()
    status = 400
    if cover_form.validate_on_submit():
        try:
            article_ops.set_cover_image(article, cover_form.file.data.stream)
        except PublisherError as exc:
            status = refused(cover_form, exc)
            if not cover_form.file.errors:  # a refusal naming no field (too large) is the file's
                cover_form.file.errors = [exc.message]
        else:
            db.session.commit()
            flash("The cover image is saved.", "success")
            return redirect(url_for("studio.edit_article", article_id=article.id) + "#cover-h")
    elif not cover_form.file.errors:
        cover_form.form_errors.append("The form expired; reload the page and try again.")
    zone = user_zone()
    form = ArticleForm(formdata=None, obj=article)
    _fill(form, article, zone)
    return _editor(article, form, zone, status, cover_form=cover_form)


@bp.post("/articles/<int:article_id>/cover/remove")
def remove_article_cover(article_id: int):
    """Remove the cover image (a button of its own, with the form's CSRF token)."""
    article = _article_or_404(article_id)
    if not PostForm().validate_on_submit():
        abort(400, "The form expired; reload the page and try again.")
    if article.cover_image_key:
        article_ops.remove_cover_image(article)
        db.session.commit()
        flash("The cover image is removed.", "info")
    return redirect(url_for("studio.edit_article", article_id=article.id) + "#cover-h")


@bp.get("/articles/<int:article_id>/cover/preview.jpg")
def article_cover_preview(article_id: int):
    """The cover for the editor's preview (a draft's public cover address answers 404)."""
    article = _article_or_404(article_id)
    if not article.cover_image_key:
        abort(404, "This article has no cover image.")
    return stored_file(
        article.cover_image_key,
        article.cover_image_mime or "image/jpeg",
        "The cover image is missing from the media store: upload it again.",
    )


@bp.post("/articles/preview")
def preview_markdown():
    """The body rendered by the site's own renderer and sanitizer (the live preview)."""
    body = request.get_json(silent=True)
    text = body.get("body") if isinstance(body, dict) else None
    if not isinstance(text, str) or len(text) > MAX_PREVIEW_CHARS:
        return jsonify(error={"message": 'Send the text as {"body": "…"}.'}), 400
    return jsonify(html=render_markdown(normalize_pasted(text)))


@bp.post("/articles/<int:article_id>/autosave")
def autosave_article(article_id: int):
    """Keep what the producer typed (every few seconds while they type)."""
    article = _article_or_404(article_id)
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("version"), int):
        return jsonify(error={"message": "Send the fields and the version you started from."}), 400
    try:
        autosaves.autosave_article(article, current_user, body.get("fields") or {}, body["version"])
    except PublisherError as exc:
        db.session.rollback()
        return jsonify(error={"message": exc.message}), exc.status_code
    db.session.commit()
    return jsonify(saved=True, current_version=article.version)


@bp.get("/tags/suggest")
def suggest_tags():
    """Existing tag names starting with ?q= (autocomplete)."""
    query = (request.args.get("q") or "").strip()[:100]
    statement = select(Tag.name).order_by(Tag.name).limit(20)
    if query:
        statement = statement.where(Tag.name.ilike(query.replace("%", "").replace("_", "") + "%"))
    return jsonify(list(db.session.scalars(statement)))


@bp.get("/episodes/search")
def search_episodes():
    """Episodes whose title contains ?q= (to link them from an article)."""
    query = (request.args.get("q") or "").strip()[:100].replace("%", "").replace("_", "")
    statement = (
        select(Episode.id, Episode.title, Show.title)
        .join(Episode.show)
        .order_by(Episode.publish_at.desc().nulls_first(), Episode.id.desc())
        .limit(20)
    )
    if query:
        statement = statement.where(Episode.title.ilike(f"%{query}%"))
    return jsonify([{"id": i, "title": t, "show": s} for i, t, s in db.session.execute(statement)])


@bp.route("/articles/<int:article_id>/delete", methods=["GET", "POST"])
def delete_article(article_id: int):
    """Delete an article, after confirmation."""
    article = _article_or_404(article_id)
    form = PostForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400, "The form expired; reload the page and try again.")
        title = article.title
        article_ops.delete_article(article)
        db.session.commit()
        flash(f"The article “{title}” is deleted.", "info")
        return redirect(url_for("studio.articles"))
    return render_template("studio/article_delete.html", article=article, form=form)


@bp.get("/preview-link/<kind>/<int:item_id>")
def preview_link(kind: str, item_id: int):
    """A link to share: the unpublished item as readers will see it, for a while."""
    if kind == "article":
        item = _article_or_404(item_id)
    elif kind == "episode":
        episode = db.session.get(Episode, item_id) if 0 < item_id < 2**31 else None
        if episode is None:
            abort(404, f"There is no episode {item_id}.")
        item = episode_for_editing(episode.show.slug, item_id)
    else:
        abort(404, "Previews exist for articles and episodes.")
    url = absolute(url_for("site.preview", token=make_preview_token(kind, item.id)))
    return render_template(
        "studio/preview_link.html", item=item, kind=kind, url=url, hours=preview_hours()
    )
