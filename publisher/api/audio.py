"""Listening to an episode: its analysis now, renditions, the waveform (operations.audio).

Until the job queue runs them after each upload, these run in the request (a long
episode takes a while: see docs/audio.md)."""

from __future__ import annotations

from flask import Response

from publisher.api.blueprint import bp
from publisher.api.representations import episode_out
from publisher.api.schemas import EpisodeOut, RenditionRequest
from publisher.api.spec import api_route, current_user_or_none
from publisher.exceptions import NotFound
from publisher.extensions import db
from publisher.media.storage import get_storage
from publisher.models import utcnow
from publisher.operations import audio
from publisher.operations import episodes as ops


@api_route(bp, "/episodes/<int:episode_id>/analysis", "POST", auth="editor", tag="episodes",
           response=EpisodeOut, errors=[422, 503])  # fmt: skip
def analyze_episode(episode_id: int) -> EpisodeOut:
    """Analyze the episode's audio now (loudness, true peak, silence, clipping, waveform)."""
    now = utcnow()
    episode = ops.get_episode(episode_id, current_user_or_none(), now)
    audio.analyze_episode(episode.id)
    db.session.commit()
    return episode_out(episode, now, private=True)


@api_route(bp, "/episodes/<int:episode_id>/renditions", "POST", auth="editor", tag="episodes",
           body=RenditionRequest, response=EpisodeOut, errors=[409, 422, 503])  # fmt: skip
def make_rendition(episode_id: int, body: RenditionRequest) -> EpisodeOut:
    """Make a rendition the episode's enclosure: `normalized` (loudness to the target) or
    `compatible` (MP3/AAC for Opus, FLAC, Ogg or WAV). The uploaded file is kept (and
    offered as `podcast:alternateEnclosure` when its format differs); the guid and the
    enclosure URL stay. The new audio is analyzed in the same request."""
    now = utcnow()
    episode = ops.get_episode(episode_id, current_user_or_none(), now)
    audio.make_rendition(episode.id, body.kind, body.codec)
    db.session.commit()
    audio.analyze_episode(episode.id)
    db.session.commit()
    return episode_out(episode, now, private=True)


@api_route(bp, "/episodes/<int:episode_id>/renditions", "DELETE", auth="editor",
           tag="episodes", response=EpisodeOut, errors=[409, 503])  # fmt: skip
def drop_rendition(episode_id: int) -> EpisodeOut:
    """Make the uploaded file the enclosure again; the rendition is deleted."""
    now = utcnow()
    episode = ops.get_episode(episode_id, current_user_or_none(), now)
    audio.drop_rendition(episode.id)
    db.session.commit()
    audio.analyze_episode(episode.id)
    db.session.commit()
    return episode_out(episode, now, private=True)


@api_route(bp, "/episodes/<int:episode_id>/waveform", "GET", auth="editor", tag="episodes",
           content_type="application/json", errors=[503])  # fmt: skip
def episode_waveform(episode_id: int) -> Response:
    """The waveform peaks of any episode, drafts included (audiowaveform JSON format)."""
    episode = ops.get_episode(episode_id, current_user_or_none(), utcnow())
    analysis = audio.current_analysis(episode)
    if analysis is None or not analysis.waveform_key:
        raise NotFound("This episode has no waveform yet: analyze it first.")
    with get_storage().open(analysis.waveform_key) as handle:
        body = handle.read(audio.MAX_WAVEFORM_BYTES)
    return Response(
        body, content_type="application/json", headers={"Cache-Control": "private, no-cache"}
    )
