"""Waveform peaks for the public player: ``/waveforms/<guid>.json``.

The audiowaveform JSON document stored by the analysis (``operations.audio``), served
from the app (a few kilobytes) with ``Access-Control-Allow-Origin: *`` so embeds and other
players may draw it, and cached for a year when the URL carries the current version
(``?v=``: the stored document never changes under a version; a new analysis stores a new
one). Public episodes only; the studio reads drafts' through the API.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from publisher.exceptions import NotFound
from publisher.extensions import db
from publisher.media.storage import ObjectNotFound, get_storage
from publisher.models import AnalysisStatus, AudioAnalysis, Episode, utcnow
from publisher.operations.audio import MAX_WAVEFORM_BYTES
from publisher.site.blueprint import bp
from publisher.urls import waveform_url

LONG_CACHE = "public, max-age=31536000, immutable"
SHORT_CACHE = "public, max-age=300"


def _current_waveform_key(episode: Episode) -> str | None:
    analysis = episode.audio_analysis
    if (
        analysis is None
        or analysis.status != AnalysisStatus.DONE
        or analysis.storage_key != episode.storage_key
    ):
        return None
    return analysis.waveform_key


def waveform_of(episode: Episode) -> str | None:
    """The URL of the episode's current waveform, or None (not analyzed yet)."""
    key = _current_waveform_key(episode)
    return waveform_url(episode, key) if key else None


@bp.get("/waveforms/<guid>.json")
def waveform(guid: str) -> ResponseReturnValue:
    """A public episode's waveform peaks (audiowaveform JSON), with CORS and caching."""
    row = db.session.execute(
        select(Episode, AudioAnalysis.waveform_key)
        .join(AudioAnalysis, AudioAnalysis.episode_id == Episode.id)
        .where(
            Episode.guid == guid,
            Episode.public_filter(utcnow()),
            AudioAnalysis.status == AnalysisStatus.DONE,
            AudioAnalysis.storage_key == Episode.storage_key,
        )
    ).first()
    if row is None or not row.waveform_key:
        raise NotFound("This episode has no waveform.")
    key = row.waveform_key
    try:
        with get_storage().open(key) as handle:
            body = handle.read(MAX_WAVEFORM_BYTES)
    except ObjectNotFound:
        raise NotFound("This episode has no waveform.") from None
    version = waveform_url(row.Episode, key).rsplit("?v=", 1)[-1]
    response = Response(body, content_type="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    current = request.args.get("v") == version
    response.headers["Cache-Control"] = LONG_CACHE if current else SHORT_CACHE
    response.set_etag(version)
    return response.make_conditional(request)


def init_waveforms(app: Flask) -> None:
    app.add_template_global(waveform_of)
