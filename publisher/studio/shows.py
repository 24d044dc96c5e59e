"""Shows in the studio: one's shows, a show's page, create, edit, delete (admins)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from publisher.exceptions import PublisherError
from publisher.extensions import db
from publisher.models import Episode
from publisher.operations import memberships
from publisher.operations import shows as show_ops
from publisher.studio import queries
from publisher.studio.access import admin_required, show_for_editing, studio_access
from publisher.studio.blueprint import bp
from publisher.studio.forms import PostForm
from publisher.studio.formtools import form_values, refused
from publisher.studio.show_forms import NewShowForm, ShowForm


@bp.get("/shows/")
def shows():
    """The shows the producer works on (every show for an admin)."""
    return render_template("studio/shows.html", shows=queries.editable_shows(current_user))


@bp.route("/shows/new", methods=["GET", "POST"])
def new_show():
    """Create a show; an editor who creates it becomes its member."""
    form = NewShowForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            values = form_values(form, ShowForm.field_names())
            if form.slug.data:
                values["slug"] = form.slug.data
            try:
                show = show_ops.create_show(values)
                if not current_user.is_admin:
                    memberships.add_member(show, current_user)
            except PublisherError as exc:
                status = refused(form, exc)
            else:
                db.session.commit()
                flash(
                    f"The show “{show.title}” is created. Now upload its first episode.", "success"
                )
                return redirect(url_for("studio.show", slug=show.slug))
    return render_template("studio/show_form.html", form=form, show=None), status


@bp.get("/shows/<slug>/")
@studio_access("member")
def show(slug: str):
    """A show's episodes, newest first, with links to its public page and feed."""
    show = show_for_editing(slug)
    episodes = db.session.scalars(
        select(Episode)
        .where(Episode.show_id == show.id)
        .order_by(Episode.publish_at.desc().nulls_first(), Episode.id.desc())
    ).all()
    return render_template("studio/show.html", show=show, episodes=episodes, post_form=PostForm())


@bp.route("/shows/<slug>/edit", methods=["GET", "POST"])
@studio_access("member")
def edit_show(slug: str):
    """Change every field of a show (the slug stays: the feed URL derives from it)."""
    show = show_for_editing(slug)
    form = ShowForm(obj=show)
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                show_ops.update_show(show, form_values(form, ShowForm.field_names()))
            except PublisherError as exc:
                status = refused(form, exc)
            else:
                db.session.commit()
                flash("The show is saved.", "success")
                return redirect(url_for("studio.show", slug=show.slug))
    return render_template("studio/show_form.html", form=form, show=show), status


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
