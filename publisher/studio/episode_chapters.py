"""An episode's chapters and soundbites in the studio, and what the waveform editor reads.

The lists are plain forms (they work without script); ``studio-waveform.js`` draws the
episode's waveform with peaks.js above them and edits the same fields. Chapters are saved
through ``operations.files`` (the API's PUT chapters), soundbites through the episode
update (the API's PATCH), so both get the API's checks and messages.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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

from publisher.exceptions import PublisherError
from publisher.extensions import db
from publisher.media.storage import ObjectNotFound, get_storage
from publisher.models import Episode
from publisher.operations import audio as audio_ops
from publisher.operations import episodes as episode_ops
from publisher.operations import files as file_ops
from publisher.operations.elements import soundbite_warnings, soundbites
from publisher.podcasting.chapters import CHAPTERS_MAX
from publisher.studio.access import episode_for_editing, studio_access
from publisher.studio.blueprint import bp
from publisher.studio.chapter_forms import (
    BLANK_ROWS,
    ChaptersFileForm,
    ChaptersForm,
    ClearChaptersForm,
    SoundbitesForm,
)
from publisher.studio.formtools import flash_errors

# Rows a list form may send: the most the operations keep, and room for removed ones.
MAX_ROWS = CHAPTERS_MAX + 100


def _waveform_context(episode: Episode) -> dict[str, Any]:
    """What the waveform editor needs: the audio and peaks URLs, or why there are none."""
    analysis = audio_ops.current_analysis(episode)
    has_waveform = bool(analysis is not None and analysis.waveform_key)
    return {
        "audio_src": url_for("studio.episode_listen", slug=episode.show.slug, episode_id=episode.id)
        if episode.storage_key
        else None,
        "waveform_src": url_for(
            "studio.episode_waveform", slug=episode.show.slug, episode_id=episode.id
        )
        if has_waveform
        else None,
        "analysis": analysis,
    }


def _place_errors(form: Any, rows_field: Any, sent: list[int], exc: PublisherError) -> None:
    """The operation's refusal on the rows it names (``chapters.3.startTime`` is the
    fourth row sent), else on the form."""
    placed = False
    for detail in exc.details if isinstance(exc.details, list) else []:
        parts = str(detail.get("field", "")).split(".")
        message = str(detail.get("message", exc.message))
        if len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) < len(sent):
            row = rows_field.entries[sent[int(parts[1])]].form
            name = form.ROW_FIELDS.get(parts[2] if len(parts) > 2 else "", "start")
            field = getattr(row, name)
            field.errors = [*list(field.errors or []), message]
            placed = True
        else:
            form.form_errors.append(message)
    if placed:
        form.form_errors.insert(0, "Please correct the rows marked below; nothing was saved.")
    elif not form.form_errors:
        form.form_errors.append(exc.message)


def _stored_chapters(episode: Episode) -> list[dict[str, Any]]:
    """The episode's chapters as stored (a document from the API, the file or an import)."""
    document = episode.chapters if isinstance(episode.chapters, dict) else {}
    chapters = document.get("chapters")
    return [c for c in chapters if isinstance(c, dict)] if isinstance(chapters, list) else []


def _too_many_rows(rows_field: Any) -> bool:
    return len(rows_field.entries) > MAX_ROWS


# ---------------------------------------------------------------------------- chapters


@bp.route("/shows/<slug>/episodes/<int:episode_id>/chapters", methods=["GET", "POST"])
@studio_access("member")
def episode_chapters(slug: str, episode_id: int):
    """Edit the chapters as a list (start, title, link, image), import or export them."""
    episode = episode_for_editing(slug, episode_id)
    form = ChaptersForm()
    status = 200
    if request.method == "GET":
        for chapter in _stored_chapters(episode):
            form.chapters.append_entry()
            form.chapters.entries[-1].form.fill(chapter)
    if request.method == "POST":
        status = 400
        if _too_many_rows(form.chapters):
            form.form_errors.append(f"At most {CHAPTERS_MAX} chapters per episode.")
            status = 413
        elif form.validate_on_submit():
            status = _save_chapters(episode, form)
            if status == 200:
                return redirect(
                    url_for("studio.episode_chapters", slug=slug, episode_id=episode.id)
                )
        elif not form.form_errors:
            form.form_errors.append(
                "Please correct the rows marked below; nothing was saved."
                if form.chapters.errors
                else "The form expired; reload the page and try again."
            )
    for _ in range(BLANK_ROWS):
        form.chapters.append_entry()
    return _chapters_page(episode, form), status


def _save_chapters(episode: Episode, form: ChaptersForm) -> int:
    rows = [entry.form for entry in form.chapters.entries]
    sent = [i for i, row in enumerate(rows) if not row.remove.data and not row.is_blank()]
    if not sent:
        form.form_errors.append(
            "The list is empty: to remove every chapter, use “Clear the chapters” below."
        )
        return 400
    stored = episode.chapters if isinstance(episode.chapters, dict) else {}
    document = {k: v for k, v in stored.items() if k != "chapters"}
    document["chapters"] = [rows[i].chapter() for i in sent]
    try:
        file_ops.set_chapters(episode, document)
    except PublisherError as exc:
        db.session.rollback()
        _place_errors(form, form.chapters, sent, exc)
        return exc.status_code
    db.session.commit()
    count = len(episode.chapters["chapters"]) if episode.chapters else 0
    flash(f"The chapters are saved ({count}, in order of their start).", "success")
    return 200


def _chapters_page(
    episode: Episode,
    form: ChaptersForm,
    file_form: ChaptersFileForm | None = None,
    clear_form: ClearChaptersForm | None = None,
) -> str:
    return render_template(
        "studio/episode_chapters.html",
        show=episode.show,
        episode=episode,
        form=form,
        file_form=file_form or ChaptersFileForm(formdata=None),
        clear_form=clear_form or ClearChaptersForm(formdata=None),
        chapters_max=CHAPTERS_MAX,
        **_waveform_context(episode),
    )


@bp.post("/shows/<slug>/episodes/<int:episode_id>/chapters/import")
@studio_access("member")
def import_chapters(slug: str, episode_id: int):
    """Replace the chapters with an uploaded JSON chapters file (Podcasting 2.0)."""
    episode = episode_for_editing(slug, episode_id)
    file_form = ChaptersFileForm()
    status = 400
    if file_form.validate_on_submit():
        try:
            file_ops.set_chapters_file(episode, file_form.file.data.stream)
        except PublisherError as exc:
            db.session.rollback()
            file_form.file.errors = [
                *list(file_form.file.errors or []),
                f"{exc.message} The chapters you had are unchanged.",
            ]
            status = exc.status_code
        else:
            db.session.commit()
            count = len(episode.chapters["chapters"]) if episode.chapters else 0
            flash(f"Imported {count} chapters from the file.", "success")
            return redirect(url_for("studio.episode_chapters", slug=slug, episode_id=episode.id))
    elif not file_form.file.errors:
        file_form.form_errors.append("The form expired; reload the page and try again.")
    form = ChaptersForm(formdata=None)
    for chapter in _stored_chapters(episode):
        form.chapters.append_entry()
        form.chapters.entries[-1].form.fill(chapter)
    for _ in range(BLANK_ROWS):
        form.chapters.append_entry()
    return _chapters_page(episode, form, file_form=file_form), status


@bp.get("/shows/<slug>/episodes/<int:episode_id>/chapters.json")
@studio_access("member")
def export_chapters(slug: str, episode_id: int):
    """Download the chapters as a Podcasting 2.0 JSON chapters file."""
    episode = episode_for_editing(slug, episode_id)
    if not episode.chapters:
        abort(404, "This episode has no chapters to export yet.")
    body = json.dumps(episode.chapters, ensure_ascii=False, indent=2) + "\n"
    name = f"{episode.show.slug}-{episode.slug}-chapters.json"
    return Response(
        body,
        content_type="application/json+chapters; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.post("/shows/<slug>/episodes/<int:episode_id>/chapters/clear")
@studio_access("member")
def clear_chapters(slug: str, episode_id: int):
    """Remove every chapter, once the producer ticked the confirmation."""
    episode = episode_for_editing(slug, episode_id)
    clear_form = ClearChaptersForm()
    if not clear_form.validate_on_submit():
        flash_errors(clear_form)
        if clear_form.csrf_token.errors:
            abort(400, "The form expired; reload the page and try again.")
        return redirect(url_for("studio.episode_chapters", slug=slug, episode_id=episode.id))
    file_ops.clear_chapters(episode)
    db.session.commit()
    flash("The chapters are removed.", "info")
    return redirect(url_for("studio.episode_chapters", slug=slug, episode_id=episode.id))


# ---------------------------------------------------------------------------- soundbites


@bp.route("/shows/<slug>/episodes/<int:episode_id>/soundbites", methods=["GET", "POST"])
@studio_access("member")
def episode_soundbites(slug: str, episode_id: int):
    """Edit the soundbites (podcast:soundbite): start, duration, title."""
    episode = episode_for_editing(slug, episode_id)
    form = SoundbitesForm()
    status = 200
    if request.method == "GET":
        for bite in soundbites(episode.soundbites):
            form.soundbites.append_entry()
            form.soundbites.entries[-1].form.fill(bite)
    if request.method == "POST":
        status = 400
        if _too_many_rows(form.soundbites):
            form.form_errors.append("Too many soundbites: at most 50 per episode.")
            status = 413
        elif form.validate_on_submit():
            rows = [entry.form for entry in form.soundbites.entries]
            sent = [i for i, row in enumerate(rows) if not row.remove.data and not row.is_blank()]
            try:
                episode_ops.update_episode(
                    episode, {"soundbites": [rows[i].soundbite() for i in sent]}
                )
            except PublisherError as exc:
                db.session.rollback()
                _place_errors(form, form.soundbites, sent, exc)
                status = exc.status_code
            else:
                db.session.commit()
                flash(f"The soundbites are saved ({len(sent)}).", "success")
                for warning in soundbite_warnings(episode.soundbites, episode.duration_seconds):
                    flash(warning, "warning")
                return redirect(
                    url_for("studio.episode_soundbites", slug=slug, episode_id=episode.id)
                )
        elif not form.form_errors:
            form.form_errors.append(
                "Please correct the rows marked below; nothing was saved."
                if form.soundbites.errors
                else "The form expired; reload the page and try again."
            )
    for _ in range(BLANK_ROWS):
        form.soundbites.append_entry()
    return render_template(
        "studio/episode_soundbites.html",
        show=episode.show,
        episode=episode,
        form=form,
        warnings=soundbite_warnings(episode.soundbites, episode.duration_seconds),
        **_waveform_context(episode),
    ), status


# ---------------------------------------------------------------------------- waveform


@bp.get("/shows/<slug>/episodes/<int:episode_id>/waveform.json")
@studio_access("member")
def episode_waveform(slug: str, episode_id: int):
    """The waveform peaks of the episode's current audio, drafts included (members only)."""
    episode = episode_for_editing(slug, episode_id)
    analysis = audio_ops.current_analysis(episode)
    if analysis is None or not analysis.waveform_key:
        abort(404, "This episode has no waveform yet: its audio is not analyzed.")
    try:
        with get_storage().open(analysis.waveform_key) as handle:
            body = handle.read(audio_ops.MAX_WAVEFORM_BYTES)
    except ObjectNotFound:
        abort(404, "The episode's waveform is missing from the media store.")
    return Response(body, content_type="application/json")


@bp.get("/shows/<slug>/episodes/<int:episode_id>/listen")
@studio_access("member")
def episode_listen(slug: str, episode_id: int):
    """The episode's audio for its producers, drafts included, never counted as a
    download: byte ranges from the local store, or a short-lived signed URL on S3."""
    episode = episode_for_editing(slug, episode_id)
    if not episode.storage_key:
        abort(404, "This episode has no audio yet.")
    storage = get_storage()
    path = storage.local_path(episode.storage_key)
    if path is None:
        url = storage.public_url(
            episode.storage_key, expires=int(current_app.config["S3_PRESIGN_EXPIRES"])
        )
        if url is None:
            abort(404, "The media store cannot hand out this audio.")
        return redirect(url, code=302)
    if not path.exists():
        abort(404, "The episode's audio is missing from the media store.")
    return _ranged_file(path, episode.mime_type or "application/octet-stream")


LISTEN_CHUNK = 256 * 1024


def _ranged_file(path: Path, mimetype: str) -> Response:
    """The file, or the single byte range asked for (206; 416 when unsatisfiable)."""
    size = path.stat().st_size
    start, stop, status = 0, size, 200
    headers = {"Accept-Ranges": "bytes"}
    byte_range = request.range
    if byte_range is not None and byte_range.units == "bytes" and len(byte_range.ranges) == 1:
        span = byte_range.range_for_length(size)
        if span is None:
            return Response(status=416, headers={"Content-Range": f"bytes */{size}"})
        start, stop = span
        status = 206
        headers["Content-Range"] = f"bytes {start}-{stop - 1}/{size}"
    response = Response(
        _chunks(path, start, stop - start), status=status, mimetype=mimetype, headers=headers
    )
    response.headers["Content-Length"] = str(stop - start)
    return response


def _chunks(path: Path, start: int, length: int) -> Iterator[bytes]:
    """The bytes in chunks; the file is closed even when the listener goes away midway
    (the generator is closed, or collected, and its ``with`` ends)."""
    with path.open("rb") as handle:
        handle.seek(start)
        while length > 0:
            data = handle.read(min(LISTEN_CHUNK, length))
            if not data:
                return
            length -= len(data)
            yield data
