"""Episodes in the studio: upload (see uploads.py), edit everything, new audio, delete."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from publisher.exceptions import PublisherError
from publisher.extensions import db
from publisher.operations import episodes as episode_ops
from publisher.operations.versions import VersionConflict, bump_version, check_version
from publisher.studio.access import episode_for_editing, show_for_editing, studio_access
from publisher.studio.blueprint import bp
from publisher.studio.episode_forms import AudioForm, EpisodeForm
from publisher.studio.forms import PostForm
from publisher.studio.formtools import form_values, refused
from publisher.studio.templating import user_zone


@bp.get("/shows/<slug>/episodes/new")
@studio_access("member")
def new_episode(slug: str):
    """Upload an episode's audio; its fields are then prefilled from the file."""
    show = show_for_editing(slug)
    return render_template("studio/episode_new.html", show=show)


def _version(form: EpisodeForm) -> int | None:
    try:
        return int(form.version.data or "")
    except ValueError:
        return None


@bp.route("/shows/<slug>/episodes/<int:episode_id>/edit", methods=["GET", "POST"])
@studio_access("member")
def edit_episode(slug: str, episode_id: int):
    """Edit an episode's text, numbering, type and publication."""
    episode = episode_for_editing(slug, episode_id)
    zone = user_zone()
    form = EpisodeForm(obj=episode)
    if request.method == "GET":
        form.version.data = str(episode.version)
        if episode.publish_at is not None:
            form.publish_at.data = episode.publish_at.astimezone(zone).replace(tzinfo=None)
    status, conflict = 200, None
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            values = form_values(form, EpisodeForm.FIELDS)
            values["publish_at"] = form.publish_at_utc(zone)
            try:
                check_version(episode, _version(form))
                episode_ops.update_episode(episode, values)
                bump_version(episode)
            except VersionConflict as exc:
                db.session.rollback()
                form.form_errors.append(exc.message)
                form.version.data = str(episode.version)  # saving again keeps these values
                conflict, status = episode, 409
            except PublisherError as exc:
                status = refused(form, exc)
            else:
                db.session.commit()
                flash("The episode is saved.", "success")
                return redirect(url_for("studio.edit_episode", slug=slug, episode_id=episode.id))
    return render_template(
        "studio/episode_edit.html",
        show=episode.show,
        episode=episode,
        form=form,
        audio_form=AudioForm(formdata=None),
        conflict=conflict,
        zone=zone,
    ), status


@bp.post("/shows/<slug>/episodes/<int:episode_id>/audio")
@studio_access("member")
def replace_episode_audio(slug: str, episode_id: int):
    """Replace the audio; the episode keeps its guid, so apps do not see a new episode."""
    episode = episode_for_editing(slug, episode_id)
    form = AudioForm()
    if not form.validate_on_submit():
        for error in form.audio.errors or ["The form expired; reload the page and try again."]:
            flash(error, "error")
        return redirect(url_for("studio.edit_episode", slug=slug, episode_id=episode.id))
    upload = form.audio.data
    try:
        episode_ops.replace_audio(episode, upload.stream, upload.filename or "")
        bump_version(episode)
    except PublisherError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("studio.edit_episode", slug=slug, episode_id=episode_id))
    db.session.commit()
    flash("The new audio is in place; the episode's address and guid are unchanged.", "success")
    return redirect(url_for("studio.edit_episode", slug=slug, episode_id=episode.id))


@bp.route("/shows/<slug>/episodes/<int:episode_id>/delete", methods=["GET", "POST"])
@studio_access("member")
def delete_episode(slug: str, episode_id: int):
    """Delete an episode and its audio, after confirmation."""
    episode = episode_for_editing(slug, episode_id)
    form = PostForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400, "The form expired; reload the page and try again.")
        title = episode.title
        episode_ops.delete_episode(episode)
        db.session.commit()
        flash(f"The episode “{title}” is deleted.", "info")
        return redirect(url_for("studio.show", slug=slug))
    return render_template(
        "studio/episode_delete.html", show=show_for_editing(slug), episode=episode, form=form
    )
