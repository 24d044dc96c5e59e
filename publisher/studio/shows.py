"""Shows in the studio: one's shows, a show's page, create, edit, delete (admins).

The show form carries every field the API takes (see show_forms.py) and the artwork: a
new show can be created with its artwork in one go. The form's values go to the show
operations; the artwork to ``operations.files.set_artwork`` in the same transaction, so a
refusal of either keeps nothing (the stored image objects go with the rollback)."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from publisher.exceptions import PublisherError
from publisher.extensions import db
from publisher.media.artwork import copy_key
from publisher.media.storage import ObjectNotFound, StorageError, get_storage
from publisher.models import Episode, Show
from publisher.operations import files as file_ops
from publisher.operations import memberships
from publisher.operations import shows as show_ops
from publisher.operations.shows import ADMIN_ONLY_SHOW_FIELDS
from publisher.podcasting.apple import APPLE_CATEGORIES
from publisher.studio import queries
from publisher.studio.access import admin_required, show_for_editing, studio_access
from publisher.studio.blueprint import bp
from publisher.studio.forms import PostForm
from publisher.studio.formtools import refused
from publisher.studio.show_checks import summary
from publisher.studio.show_forms import NewShowForm, ShowForm, admin_only_changes, place_errors
from publisher.studio.templating import user_zone

PREVIEW_SIDE = 300
PREVIEW_MAX_BYTES = 40 * 1024 * 1024  # the original, when a copy is missing


class AdminOnlyChange(PublisherError):
    """An editor's submission changes a field only admins change (403, on the field)."""

    status_code = 403
    code = "forbidden"


@bp.get("/shows/")
def shows():
    """The shows the producer works on (every show for an admin)."""
    return render_template("studio/shows.html", shows=queries.editable_shows(current_user))


def _artwork(form: ShowForm) -> FileStorage | None:
    upload = form.image.data
    if isinstance(upload, FileStorage) and upload.filename:
        return upload
    return None


def _set_artwork(show: Show, upload: FileStorage) -> None:
    """The artwork's refusal, whatever its kind (a 413 has no details), on the field."""
    try:
        file_ops.set_artwork(show, upload.stream)
    except PublisherError as exc:
        if not isinstance(exc.details, list):
            exc.details = [{"field": "image", "message": exc.message}]
        raise


def _render_form(form: ShowForm, show: Show | None, status: int):
    form.add_blank_rows()
    admin_only = () if show is None or current_user.is_admin else ADMIN_ONLY_SHOW_FIELDS
    for name in admin_only:  # shown read-only: the show's value, never a refused one
        form[name].data = getattr(show, name)
    return render_template(
        "studio/show_form.html",
        form=form,
        show=show,
        admin_only=admin_only,
        artwork_max_mb=current_app.config["ARTWORK_MAX_MB"],
        apple_categories=APPLE_CATEGORIES,
        zone=user_zone(),
    ), status


@bp.route("/shows/new", methods=["GET", "POST"])
def new_show():
    """Create a show, with its artwork if one is chosen; an editor who creates it becomes
    its member (and may set every field: a new show has no subscribers to move)."""
    form = NewShowForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            values = form.values(user_zone())
            if form.slug.data:
                values["slug"] = form.slug.data
            upload = _artwork(form)
            try:
                show = show_ops.create_show(values)
                if upload is not None:
                    _set_artwork(show, upload)
                if not current_user.is_admin:
                    memberships.add_member(show, current_user)
            except PublisherError as exc:
                status = refused(form, place_errors(form, exc))
            else:
                db.session.commit()
                flash(
                    f"The show “{show.title}” is created. Now upload its first episode.", "success"
                )
                return redirect(url_for("studio.show", slug=show.slug))
    return _render_form(form, None, status)


@bp.get("/shows/<slug>/")
@studio_access("member")
def show(slug: str):
    """A show's episodes, newest first, with links to its public page and feed, and how
    many things its feed check asks to fix."""
    show = show_for_editing(slug)
    episodes = db.session.scalars(
        select(Episode)
        .where(Episode.show_id == show.id)
        .order_by(Episode.publish_at.desc().nulls_first(), Episode.id.desc())
    ).all()
    return render_template(
        "studio/show.html",
        show=show,
        episodes=episodes,
        post_form=PostForm(),
        checks=summary(show),
    )


@bp.route("/shows/<slug>/edit", methods=["GET", "POST"])
@studio_access("member")
def edit_show(slug: str):
    """Change every field of a show and its artwork (the slug stays: the feed URL derives
    from it; locked, new_feed_url and owner_email: admins only, as in the API)."""
    show = show_for_editing(slug)
    zone = user_zone()
    form = ShowForm.for_show(show, zone)
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            names = ShowForm.scalar_names()
            if not current_user.is_admin:
                names = [name for name in names if name not in ADMIN_ONLY_SHOW_FIELDS]
            upload = _artwork(form)
            try:
                problems = (
                    [] if current_user.is_admin else admin_only_changes(form, show, request.form)
                )
                if problems:
                    raise AdminOnlyChange("Only an admin can change these.", details=problems)
                show_ops.update_show(show, form.values(zone, names=names, show=show))
                if upload is not None:
                    _set_artwork(show, upload)
            except PublisherError as exc:
                status = refused(form, place_errors(form, exc))
            else:
                db.session.commit()
                flash("The show is saved.", "success")
                return redirect(url_for("studio.show", slug=show.slug))
    return _render_form(form, show, status)


@bp.route("/shows/<slug>/artwork/remove", methods=["GET", "POST"])
@studio_access("member")
def remove_show_artwork(slug: str):
    """Remove the show's artwork, after confirmation (its files go after the commit)."""
    show = show_for_editing(slug)
    if not show.artwork_key:
        flash("The show has no artwork to remove.", "info")
        return redirect(url_for("studio.edit_show", slug=slug))
    form = PostForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400, "The form expired; reload the page and try again.")
        file_ops.remove_artwork(show)
        db.session.commit()
        flash("The artwork is removed. Apple Podcasts refuses a show without one.", "info")
        return redirect(url_for("studio.edit_show", slug=slug))
    return render_template("studio/show_artwork_remove.html", show=show, form=form)


@bp.route("/shows/<slug>/delete", methods=["GET", "POST"])
@admin_required
def delete_show(slug: str):
    """Delete a show with all its episodes and their media, after confirmation."""
    show = show_for_editing(slug)
    form = PostForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400, "The form expired; reload the page and try again.")
        if request.form.get("confirm_slug", "") != show.slug:
            flash("Type the show's slug exactly to confirm.", "error")
            return render_template("studio/show_delete.html", show=show, form=form), 422
        title = show.title
        show_ops.delete_show(show)
        db.session.commit()
        flash(f"The show “{title}” and its episodes are deleted.", "info")
        return redirect(url_for("studio.shows"))
    return render_template("studio/show_delete.html", show=show, form=form)


@bp.get("/shows/<slug>/artwork/preview.jpg")
@studio_access("member")
def show_artwork_preview(slug: str):
    """The artwork's small copy for the studio's preview (a draft show's public artwork
    answers 404, so members read it here)."""
    show = show_for_editing(slug)
    key = copy_key(show, PREVIEW_SIDE) or show.artwork_key
    if not key:
        abort(404, "The show has no artwork.")
    try:
        with get_storage().open(key) as handle:
            data = handle.read(PREVIEW_MAX_BYTES)
    except (ObjectNotFound, StorageError):
        abort(404, "The artwork file is missing: upload it again.")
    mime = "image/jpeg" if key != show.artwork_key else (show.artwork_mime or "image/jpeg")
    return Response(data, mimetype=mime)
