"""An episode's files in the studio: its artwork (upload, replace, remove) and its
transcripts (several languages and formats: upload, list, delete).

Writes go through ``operations.files``; a refused file stores nothing (the store follows
the transaction, see media/cleanup.py). The current files are served back to members
from here, because the public addresses answer only once the episode is published.
"""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from publisher.exceptions import PublisherError
from publisher.extensions import db
from publisher.media.artwork import copy_key
from publisher.models import Episode
from publisher.operations import files as file_ops
from publisher.podcasting.transcripts import MAX_BYTES as TRANSCRIPT_MAX_BYTES
from publisher.podcasting.transcripts import TYPES as TRANSCRIPT_EXTENSIONS
from publisher.studio.access import episode_for_editing, studio_access
from publisher.studio.blueprint import bp
from publisher.studio.episode_file_forms import (
    TRANSCRIPT_TYPE_NAMES,
    ArtworkForm,
    TranscriptUploadForm,
)
from publisher.studio.forms import PostForm
from publisher.studio.formtools import refused, stored_file

EXPIRED = "The form expired; reload the page and try again."


def _refused_file(form, field_name: str, exc: PublisherError) -> int:
    """Roll back and show the refusal on the file field (its message says what to do)."""
    status = refused(form, exc)
    if not (isinstance(exc.details, list) and exc.details):
        # A refusal naming no field (too large, too many) is about the file too.
        form[field_name].errors = [exc.message]
        form.form_errors[:] = ["Please correct the fields marked below."]
    return status


# ---------------------------------------------------------------------------- artwork


def _artwork_page(episode: Episode, form: ArtworkForm, status: int = 200):
    return render_template(
        "studio/episode_artwork.html",
        show=episode.show,
        episode=episode,
        form=form,
        max_mb=_artwork_max_mb(),
    ), status


def _artwork_max_mb() -> int:
    return int(current_app.config["ARTWORK_MAX_MB"])


@bp.route("/shows/<slug>/episodes/<int:episode_id>/artwork", methods=["GET", "POST"])
@studio_access("member")
def episode_artwork(slug: str, episode_id: int):
    """The episode's own artwork: see it, upload or replace it."""
    episode = episode_for_editing(slug, episode_id)
    form = ArtworkForm()
    if request.method == "GET":
        return _artwork_page(episode, form)
    if not form.validate_on_submit():  # (the CSRF token was checked before the view)
        return _artwork_page(episode, form, 400)
    try:
        file_ops.set_artwork(episode, form.image.data.stream)
    except PublisherError as exc:
        return _artwork_page(episode, form, _refused_file(form, "image", exc))
    db.session.commit()
    flash("The episode's artwork is saved; apps show it instead of the show's.", "success")
    return redirect(url_for("studio.episode_artwork", slug=slug, episode_id=episode.id))


@bp.get("/shows/<slug>/episodes/<int:episode_id>/artwork/image")
@studio_access("member")
def episode_artwork_image(slug: str, episode_id: int):
    """The current artwork (its 300 px copy when there is one), for the page's preview."""
    episode = episode_for_editing(slug, episode_id)
    if not episode.artwork_key:
        abort(404, "This episode has no artwork.")
    small = copy_key(episode, 300)
    if small:
        return stored_file(small, "image/jpeg")
    return stored_file(episode.artwork_key, episode.artwork_mime or "image/jpeg")


@bp.route("/shows/<slug>/episodes/<int:episode_id>/artwork/remove", methods=["GET", "POST"])
@studio_access("member")
def remove_episode_artwork(slug: str, episode_id: int):
    """Remove the episode's artwork after confirmation (apps then show the show's)."""
    episode = episode_for_editing(slug, episode_id)
    if not episode.artwork_key:
        flash("This episode has no artwork of its own.", "info")
        return redirect(url_for("studio.episode_artwork", slug=slug, episode_id=episode.id))
    form = PostForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400, EXPIRED)
        file_ops.remove_artwork(episode)
        db.session.commit()
        flash("The episode's artwork is removed; apps show the show's artwork.", "info")
        return redirect(url_for("studio.episode_artwork", slug=slug, episode_id=episode.id))
    return render_template(
        "studio/episode_artwork_remove.html", show=episode.show, episode=episode, form=form
    )


# ---------------------------------------------------------------------------- transcripts


def _transcripts_page(episode: Episode, form: TranscriptUploadForm, status: int = 200):
    return render_template(
        "studio/episode_transcripts.html",
        show=episode.show,
        episode=episode,
        form=form,
        type_names=TRANSCRIPT_TYPE_NAMES,
        extensions=TRANSCRIPT_EXTENSIONS,
        max_mb=TRANSCRIPT_MAX_BYTES // (1024 * 1024),
    ), status


@bp.route("/shows/<slug>/episodes/<int:episode_id>/transcripts", methods=["GET", "POST"])
@studio_access("member")
def episode_transcripts(slug: str, episode_id: int):
    """The episode's transcripts (one per language and format): list and upload."""
    episode = episode_for_editing(slug, episode_id)
    form = TranscriptUploadForm()
    if request.method == "GET":
        return _transcripts_page(episode, form)
    if not form.validate_on_submit():
        return _transcripts_page(episode, form, 400)
    try:
        transcript = file_ops.add_transcript(
            episode,
            form.file.data.stream,
            language=form.language.data or "",
            declared_type=form.type.data or "",
        )
    except PublisherError as exc:
        return _transcripts_page(episode, form, _refused_file(form, "file", exc))
    db.session.commit()
    language = transcript.language or f"{episode.show.language}, the show's language"
    kind = TRANSCRIPT_TYPE_NAMES.get(transcript.mime_type, transcript.mime_type)
    flash(f"The {kind} transcript ({language}) is added.", "success")
    return redirect(url_for("studio.episode_transcripts", slug=slug, episode_id=episode.id))


@bp.get("/shows/<slug>/episodes/<int:episode_id>/transcripts/<int:transcript_id>")
@studio_access("member")
def episode_transcript_file(slug: str, episode_id: int, transcript_id: int):
    """One transcript's file, as stored."""
    episode = episode_for_editing(slug, episode_id)
    try:
        transcript = file_ops.get_transcript(episode, transcript_id)
    except PublisherError as exc:
        abort(exc.status_code, exc.message)
    return stored_file(transcript.storage_key, f"{transcript.mime_type}; charset=utf-8")


@bp.route(
    "/shows/<slug>/episodes/<int:episode_id>/transcripts/<int:transcript_id>/delete",
    methods=["GET", "POST"],
)
@studio_access("member")
def delete_episode_transcript(slug: str, episode_id: int, transcript_id: int):
    """Delete one transcript after confirmation (its file goes after the commit)."""
    episode = episode_for_editing(slug, episode_id)
    try:
        transcript = file_ops.get_transcript(episode, transcript_id)
    except PublisherError as exc:
        abort(exc.status_code, exc.message)
    form = PostForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400, EXPIRED)
        file_ops.delete_transcript(episode, transcript)
        db.session.commit()
        flash("The transcript is deleted.", "info")
        return redirect(url_for("studio.episode_transcripts", slug=slug, episode_id=episode.id))
    return render_template(
        "studio/episode_transcript_delete.html",
        show=episode.show,
        episode=episode,
        transcript=transcript,
        type_names=TRANSCRIPT_TYPE_NAMES,
        form=form,
    )
