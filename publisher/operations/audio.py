"""Listening to episodes: analysis and renditions, as plain functions of an episode id.

The queue's tasks, the CLI (``flask --app wsgi episodes analyze|render``) and the API call
these; like every operation they flush and never commit — the job, command or request
commits once, and a failure leaves the episode as it was (objects written for it are
removed on rollback, see ``media.cleanup``).

- ``analyze_episode``: decode the stored audio once (``publisher.audio.measure``), store
  the waveform peaks as a JSON object in the media store and the measurements and
  findings on the episode's ``AudioAnalysis`` row;
- ``make_rendition``: a normalized rendition, or an MP3/AAC one for a format Apple does
  not play, becomes the enclosure; the uploaded file is kept as the episode's
  ``AlternateEnclosure`` (offered in the feed when its format differs). Renditions are
  always made from the uploaded file, never from an earlier rendition;
- ``drop_rendition``: the uploaded file becomes the enclosure again.
"""

from __future__ import annotations

import io
import logging
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO

from flask import current_app
from sqlalchemy import select

from publisher.audio.decode import AudioDecodeError
from publisher.audio.findings import APPLE_CODECS, Targets, findings_for
from publisher.audio.measure import Measurements, measure
from publisher.audio.render import Loudness, Plan, output_rate, render
from publisher.audio.waveform import CONTENT_TYPE as WAVEFORM_TYPE
from publisher.exceptions import Conflict, NotFound, ValidationError
from publisher.extensions import db
from publisher.media.cleanup import delete_after_commit, delete_on_rollback
from publisher.media.ingest import (
    STORED_MEDIA_CACHE_CONTROL,
    flush_or_remove,
    probe_upload,
    spool_upload,
    store_upload,
)
from publisher.media.storage import Storage, get_storage
from publisher.models import (
    AlternateEnclosure,
    AnalysisStatus,
    AudioAnalysis,
    Episode,
    Job,
    RenditionKind,
    utcnow,
)

logger = logging.getLogger(__name__)

# Sequential reads of a stored object on S3: ranged GETs of this size.
S3_READ_BLOCK = 1024 * 1024
RENDITION_CODECS = ("mp3", "aac")
# A waveform document is a few kilobytes; nothing bigger is read back.
MAX_WAVEFORM_BYTES = 256 * 1024


def targets() -> Targets:
    return Targets.from_config(current_app.config)


def _episode(episode_id: int) -> Episode:
    episode = db.session.get(Episode, episode_id) if 0 < episode_id < 2**31 else None
    if episode is None:
        raise NotFound(f"There is no episode {episode_id}.")
    if not episode.storage_key:
        raise ValidationError(f"Episode {episode_id} has no audio yet.")
    return episode


@contextmanager
def opened(storage: Storage, key: str) -> Iterator[str | BinaryIO]:
    """The stored audio for decoding: the file itself on the local store, else a
    seekable stream of ranged reads (the object is never downloaded whole)."""
    path = storage.local_path(key)
    if path is not None:
        if not path.exists():
            raise NotFound("The episode's audio is missing from the media store.")
        yield str(path)
        return
    reader = storage.open_seekable(key)
    reader.block_size = S3_READ_BLOCK  # type: ignore[attr-defined]
    try:
        yield reader
    finally:
        reader.close()


# ---------------------------------------------------------------------------- analysis


def analyze_episode(episode_id: int) -> AudioAnalysis:
    """Measure the episode's current audio and store the analysis (flushed). Audio that
    cannot be decoded gives a ``failed`` analysis saying why, not an exception; a store
    that cannot be reached raises StorageError (the job is retried)."""
    episode = _episode(episode_id)
    config = current_app.config
    storage = get_storage()
    key = episode.storage_key
    assert key is not None
    analysis = episode.audio_analysis or AudioAnalysis(episode_id=episode.id)
    old_waveform = analysis.waveform_key
    try:
        with opened(storage, key) as source:
            measured, waveform = measure(
                source,
                expected_seconds=episode.duration_seconds,
                silence_threshold_db=float(config["AUDIO_SILENCE_THRESHOLD_DB"]),
                waveform_points=int(config["AUDIO_WAVEFORM_POINTS"]),
            )
    except AudioDecodeError as exc:
        logger.warning("Episode %s: analysis failed: %s", episode.id, exc.message)
        analysis.status, analysis.error = AnalysisStatus.FAILED, exc.message
        analysis.measurements, analysis.findings, analysis.waveform_key = None, [], None
    else:
        waveform_key = (
            f"shows/{episode.show_id}/{episode.guid}/waveform-{secrets.token_hex(4)}.json"
        )
        storage.save(
            waveform_key,
            io.BytesIO(waveform.to_json()),
            content_type=WAVEFORM_TYPE,
            cache_control=STORED_MEDIA_CACHE_CONTROL,
        )
        delete_on_rollback(waveform_key, storage)
        analysis.status, analysis.error = AnalysisStatus.DONE, None
        analysis.measurements = measured.to_dict()
        analysis.findings = findings_for(measured, episode.codec, targets())
        analysis.waveform_key = waveform_key
    if old_waveform and old_waveform != analysis.waveform_key:
        delete_after_commit(old_waveform, storage)
    analysis.storage_key = key
    analysis.analyzed_at = utcnow()
    episode.audio_analysis = analysis
    db.session.flush()
    logger.info("Analyzed episode %s (%s): %s", episode.id, key, analysis.status)
    return analysis


def current_analysis(episode: Episode) -> AudioAnalysis | None:
    """The analysis of the episode's current audio, or None (not analyzed yet, or the
    audio changed since)."""
    analysis = episode.audio_analysis
    return analysis if analysis is not None and analysis.is_current(episode) else None


# ---------------------------------------------------------------------------- renditions


def check_rendition(episode: Episode, kind: str, codec: str | None = None) -> RenditionKind:
    """The rendition kind, if this episode can have one of it (422 / 409 otherwise)."""
    try:
        checked = RenditionKind(kind)
    except ValueError:
        raise ValidationError(
            f"Unknown rendition '{kind}': use normalized or compatible.",
            details=[{"field": "kind", "message": "Use normalized or compatible."}],
        ) from None
    if codec is not None and codec not in RENDITION_CODECS:
        raise ValidationError(
            f"Renditions are encoded as mp3 or aac, not '{codec}'.",
            details=[{"field": "codec", "message": "Use mp3 or aac."}],
        )
    source = _Source(episode.alternate_enclosure or episode)
    if checked == RenditionKind.COMPATIBLE and source.codec in APPLE_CODECS:
        raise Conflict(
            f"The uploaded file is {source.codec.upper()}, which Apple Podcasts plays: "
            "there is nothing to convert. Ask for a normalized rendition instead."
        )
    return checked


def make_rendition(episode_id: int, kind: str, codec: str | None = None) -> Episode:
    """Encode a rendition from the uploaded file and make it the enclosure (flushed).

    ``kind``: ``normalized`` (loudness to the target, same codec and bitrate when Apple
    plays it, else ``codec``) or ``compatible`` (MP3/AAC for Opus, FLAC, Ogg, WAV).
    The episode's guid and enclosure URL stay; the uploaded file stays too."""
    episode = _episode(episode_id)
    kind = check_rendition(episode, kind, codec)
    original = episode.alternate_enclosure
    source = _Source(original or episode)
    plan = _plan(kind, codec, source)
    storage = get_storage()
    with tempfile.TemporaryDirectory(prefix="publisher-rendition-") as folder:
        output = Path(folder) / f"rendition.{plan.extension}"
        with opened(storage, source.key) as stream:
            loudness = None
            if kind == RenditionKind.NORMALIZED:
                loudness = _loudness(episode, source, stream)
                if hasattr(stream, "seek"):
                    stream.seek(0)
            plan = replace(plan, loudness=loudness)
            render(stream, output, plan)
        _swap_enclosure(episode, original, output, kind, plan)
    logger.info(
        "Episode %s: %s rendition %s is the enclosure", episode.id, kind, episode.storage_key
    )
    return episode


class _Source:
    """The uploaded file's key and media columns (from the alternate row or the episode)."""

    def __init__(self, row: Any) -> None:
        self.key: str = row.storage_key
        self.codec: str = (row.codec or "").lower()
        self.bitrate: int | None = row.bitrate
        self.sample_rate: int = row.sample_rate or 44100
        self.channels: int = row.channels or 2


def _plan(kind: RenditionKind, codec: str | None, source: _Source) -> Plan:
    config = current_app.config
    channels = 1 if source.channels == 1 else 2
    same_codec = kind == RenditionKind.NORMALIZED and source.codec in APPLE_CODECS
    chosen = codec or (source.codec if same_codec else str(config["AUDIO_RENDITION_CODEC"]))
    if same_codec and chosen == source.codec and source.bitrate:
        bitrate = min(320_000, max(32_000, int(source.bitrate)))
    else:
        mono, stereo = (
            config["AUDIO_RENDITION_BITRATE_MONO"],
            config["AUDIO_RENDITION_BITRATE_STEREO"],
        )
        bitrate = int(mono if channels == 1 else stereo)
    return Plan(
        codec=chosen,
        bitrate=bitrate,
        sample_rate=output_rate(chosen, source.sample_rate),
        channels=channels,
    )


def _loudness(episode: Episode, source: _Source, stream: str | BinaryIO) -> Loudness:
    """The first pass: the stored analysis when it measured this very file, else a
    measurement now."""
    goal = targets()
    analysis = episode.audio_analysis
    measured: Measurements | None = None
    if (
        analysis is not None
        and analysis.storage_key == source.key
        and analysis.status == AnalysisStatus.DONE
        and analysis.measurements
    ):
        measured = Measurements(**analysis.measurements)
    if measured is None:
        measured, _ = measure(stream, silence_threshold_db=goal.silence_threshold_db)
    return Loudness(
        target_lufs=goal.loudness_for(source.channels),
        max_true_peak_dbtp=goal.max_true_peak_dbtp,
        measured=measured,
    )


def _swap_enclosure(
    episode: Episode,
    original: AlternateEnclosure | None,
    output: Path,
    kind: RenditionKind,
    plan: Plan,
) -> None:
    """Store the rendition under a fresh key and point the enclosure at it; keep the
    uploaded file as the alternate (a previous rendition goes after the commit)."""
    storage = get_storage()
    previous = episode.storage_key
    if original is None:
        original = AlternateEnclosure(
            episode_id=episode.id,
            storage_key=episode.storage_key,
            mime_type=episode.mime_type or "application/octet-stream",
            size_bytes=episode.size_bytes or 0,
            duration_seconds=episode.duration_seconds,
            bitrate=episode.bitrate,
            sample_rate=episode.sample_rate,
            channels=episode.channels,
            codec=episode.codec,
            container=episode.container,
            sha256=episode.sha256,
            audio_offset_bytes=episode.audio_offset_bytes or 0,
        )
        previous = None  # the uploaded file: kept
        episode.alternate_enclosure = original
    original.replaced_by = kind
    original.rendition = {
        "codec": plan.codec,
        "bitrate": plan.bitrate,
        "target_lufs": plan.loudness.target_lufs if plan.loudness else None,
        "made_at": utcnow().isoformat(),
    }
    avoid = [episode.storage_key, original.storage_key, episode.artwork_key]
    filename = episode.original_filename or f"episode.{plan.extension}"
    with output.open("rb") as stream, spool_upload(stream) as upload:
        info = probe_upload(upload, f"rendition.{plan.extension}")
        written = store_upload(storage, episode, upload, info, filename, avoid=avoid)
        flush_or_remove(storage, written)
    if previous and previous != episode.storage_key:
        delete_after_commit(previous, storage)


def drop_rendition(episode_id: int) -> Episode:
    """Make the uploaded file the enclosure again (the rendition goes after the commit)."""
    episode = _episode(episode_id)
    original = episode.alternate_enclosure
    if original is None:
        raise Conflict("The enclosure already is the uploaded file: there is no rendition.")
    rendition_key = episode.storage_key
    for name in (
        "storage_key", "mime_type", "size_bytes", "duration_seconds", "bitrate",
        "sample_rate", "channels", "codec", "container", "sha256", "audio_offset_bytes",
    ):  # fmt: skip
        setattr(episode, name, getattr(original, name))
    episode.media_updated_at = utcnow()
    episode.alternate_enclosure = None
    db.session.flush()
    if rendition_key:
        delete_after_commit(rendition_key, get_storage())
    return episode


def discard_derived(episode: Episode) -> None:
    """The episode's audio was replaced by a new upload: its analysis and kept original
    belong to the old audio, so their rows go (the caller removes their objects after the
    commit: ``derived_audio_keys``)."""
    episode.audio_analysis = None
    episode.alternate_enclosure = None


# ---------------------------------------------------------------------------- jobs

# The job kinds that work on an episode's audio (registered in publisher/jobs/tasks.py).
ANALYZE_JOB, RENDER_JOB, RESTORE_JOB = "audio.analyze", "audio.render", "audio.restore"
AUDIO_JOBS = (ANALYZE_JOB, RENDER_JOB, RESTORE_JOB)


def request_analysis_job(episode: Episode, user_id: int | None = None) -> Job:
    """Queue a new analysis of the episode's audio (sent once the caller commits)."""
    _episode(episode.id)
    title = f"Analyze {episode.title}"[:500]
    return Job.request(ANALYZE_JOB, {"episode_id": episode.id}, title=title, user_id=user_id)


def request_rendition_job(
    episode: Episode, kind: str, codec: str | None = None, user_id: int | None = None
) -> Job:
    """Queue a rendition (checked now, made by the job: ``make_rendition`` then a new
    analysis). Refused like ``make_rendition`` when it cannot be made."""
    _episode(episode.id)
    checked = check_rendition(episode, kind, codec)
    arguments: dict[str, Any] = {"episode_id": episode.id, "kind": str(checked)}
    if codec:
        arguments["codec"] = codec
    title = f"{checked.capitalize()} rendition of {episode.title}"[:500]
    return Job.request(RENDER_JOB, arguments, title=title, user_id=user_id)


def request_restore_job(episode: Episode, user_id: int | None = None) -> Job:
    """Queue ``drop_rendition`` (and a new analysis); 409 when there is no rendition."""
    _episode(episode.id)
    if episode.alternate_enclosure is None:
        raise Conflict("The enclosure already is the uploaded file: there is no rendition.")
    title = f"Restore the original of {episode.title}"[:500]
    return Job.request(RESTORE_JOB, {"episode_id": episode.id}, title=title, user_id=user_id)


def audio_jobs(episode: Episode, limit: int = 20) -> list[Job]:
    """The latest audio jobs about this episode, newest first."""
    return list(
        db.session.scalars(
            select(Job)
            .where(
                Job.kind.in_(AUDIO_JOBS),
                Job.arguments["episode_id"].as_integer() == episode.id,
            )
            .order_by(Job.created_at.desc())
            .limit(limit)
        )
    )
