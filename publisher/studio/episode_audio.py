"""An episode's audio in the studio: the analysis findings, the audio jobs and their
progress, and the buttons that queue them (analyze again, normalize, an Apple copy,
restore the uploaded file). Each button requests the job through ``operations.audio``;
the queue runs it (the status JSON endpoint and its script update the progress, and the
page shows the state it had when rendered)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from publisher.audio.findings import APPLE_CODECS
from publisher.exceptions import PublisherError
from publisher.extensions import db
from publisher.models import Episode, RenditionKind
from publisher.operations import audio as audio_ops
from publisher.studio.access import episode_for_editing, studio_access
from publisher.studio.blueprint import bp
from publisher.studio.forms import PostForm

JOB_WORDS = {
    audio_ops.ANALYZE_JOB: "Analysis",
    audio_ops.RENDER_JOB: "Rendition",
    audio_ops.RESTORE_JOB: "Restoring the original",
}


def _original_codec(episode: Episode) -> str:
    source = episode.alternate_enclosure or episode
    return (source.codec or "").lower()


@bp.get("/shows/<slug>/episodes/<int:episode_id>/audio")
@studio_access("member")
def episode_audio(slug: str, episode_id: int):
    """The audio checks, the renditions, and the jobs working on them."""
    return _audio_page(episode_for_editing(slug, episode_id))


def _audio_page(episode: Episode, refusal: PublisherError | None = None):
    jobs = audio_ops.audio_jobs(episode, limit=5)
    running = [job for job in jobs if not job.finished]
    return render_template(
        "studio/episode_audio.html",
        show=episode.show,
        episode=episode,
        analysis=audio_ops.current_analysis(episode),
        jobs=jobs,
        running=running,
        job_words=JOB_WORDS,
        offer_compatible=bool(episode.storage_key) and _original_codec(episode) not in APPLE_CODECS,
        original=episode.alternate_enclosure,
        form=PostForm(formdata=None),
        refusal=refusal,
    ), (refusal.status_code if refusal else 200)


def _queued(slug: str, episode: Episode, what: str, request_job) -> object:
    """Run ``request_job`` (an operation that requests a job), commit, say so."""
    form = PostForm()
    if not form.validate_on_submit():
        abort(400, "The form expired; reload the page and try again.")
    try:
        request_job()
    except PublisherError as exc:
        db.session.rollback()
        return _audio_page(episode, exc)
    db.session.commit()
    flash(f"{what} is queued; this page shows its progress.", "success")
    return redirect(url_for("studio.episode_audio", slug=slug, episode_id=episode.id))


@bp.post("/shows/<slug>/episodes/<int:episode_id>/audio/analysis")
@studio_access("member")
def analyze_episode_audio(slug: str, episode_id: int):
    """Queue a new analysis of the episode's audio."""
    episode = episode_for_editing(slug, episode_id)
    return _queued(
        slug,
        episode,
        "The analysis",
        lambda: audio_ops.request_analysis_job(episode, current_user.id),
    )


@bp.post("/shows/<slug>/episodes/<int:episode_id>/audio/normalize")
@studio_access("member")
def normalize_episode_audio(slug: str, episode_id: int):
    """Queue a loudness-normalized rendition as the enclosure."""
    episode = episode_for_editing(slug, episode_id)
    return _queued(
        slug,
        episode,
        "The normalized rendition",
        lambda: audio_ops.request_rendition_job(
            episode, RenditionKind.NORMALIZED, user_id=current_user.id
        ),
    )


@bp.post("/shows/<slug>/episodes/<int:episode_id>/audio/compatible/<codec>")
@studio_access("member")
def compatible_episode_audio(slug: str, episode_id: int, codec: str):
    """Queue an MP3 or AAC copy for Apple as the enclosure (Opus, FLAC, Ogg, WAV)."""
    episode = episode_for_editing(slug, episode_id)
    return _queued(
        slug,
        episode,
        f"The {codec.upper()[:3]} copy",
        lambda: audio_ops.request_rendition_job(
            episode, RenditionKind.COMPATIBLE, codec, user_id=current_user.id
        ),
    )


@bp.post("/shows/<slug>/episodes/<int:episode_id>/audio/original")
@studio_access("member")
def restore_episode_audio(slug: str, episode_id: int):
    """Queue making the uploaded file the enclosure again (the rendition goes)."""
    episode = episode_for_editing(slug, episode_id)
    return _queued(
        slug,
        episode,
        "Restoring the original",
        lambda: audio_ops.request_restore_job(episode, current_user.id),
    )
