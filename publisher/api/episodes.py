"""Episodes: upload (multipart), list, read, update, delete (through operations.episodes)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO, cast

from werkzeug.datastructures import FileStorage

from publisher.api.blueprint import bp
from publisher.api.representations import episode_out, paginate
from publisher.api.schemas import (
    EpisodeCreateForm,
    EpisodeOut,
    EpisodePage,
    EpisodeUpdate,
    EpisodeUpdateForm,
    StatusQuery,
)
from publisher.api.spec import FileField, api_route, current_user_or_none
from publisher.auth import require_show_member
from publisher.extensions import db
from publisher.media.probe import ProbeError
from publisher.models import utcnow
from publisher.operations import episodes as ops
from publisher.operations.shows import get_show


@contextmanager
def audio_field_errors() -> Iterator[None]:
    """The probe's refusal, reported like any other invalid field (``audio``)."""
    try:
        yield
    except ProbeError as exc:
        exc.details = [{"field": "audio", "message": exc.message}]
        raise


AUDIO = FileField("audio", "The audio file (MP3, M4A/AAC, Ogg Vorbis, Opus, FLAC or WAV).")
OPTIONAL_AUDIO = FileField("audio", "New audio for the episode (its guid stays).", required=False)


@api_route(bp, "/shows/<slug>/episodes", "GET", auth="public", tag="episodes",
           query=StatusQuery, response=EpisodePage)  # fmt: skip
def list_episodes(slug: str, query: StatusQuery) -> EpisodePage:
    """List a show's episodes, newest first (anonymous callers: public ones only)."""
    user, now = current_user_or_none(), utcnow()
    show = get_show(slug, user)
    statement = ops.episodes_query(show, user, query.status, now)
    episodes, paging = paginate(statement, query.page, query.per_page)
    private = user is not None
    return EpisodePage(items=[episode_out(e, now, private) for e in episodes], **paging)


@api_route(bp, "/shows/<slug>/episodes", "POST", auth="editor", tag="episodes",
           form=EpisodeCreateForm, files=[AUDIO], response=EpisodeOut, status=201,
           errors=[409, 503])  # fmt: skip
def create_episode(slug: str, form: EpisodeCreateForm, files: dict[str, FileStorage]):
    """Upload an episode: the audio is probed and stored, the episode created."""
    now = utcnow()
    show = get_show(slug, current_user_or_none())
    require_show_member(show)
    audio = files["audio"]
    with audio_field_errors():
        stream = cast(BinaryIO, audio.stream)
        episode = ops.create_episode(show, stream, audio.filename or "", form, now)
    db.session.commit()
    return episode_out(episode, now, private=True), 201


@api_route(bp, "/episodes/<int:episode_id>", "GET", auth="public", tag="episodes",
           response=EpisodeOut)  # fmt: skip
def get_episode(episode_id: int) -> EpisodeOut:
    """Read an episode."""
    user, now = current_user_or_none(), utcnow()
    return episode_out(ops.get_episode(episode_id, user, now), now, private=user is not None)


@api_route(bp, "/episodes/<int:episode_id>", "PATCH", auth="editor", tag="episodes",
           body=EpisodeUpdate, form=EpisodeUpdateForm, files=[OPTIONAL_AUDIO], response=EpisodeOut,
           errors=[409, 503])  # fmt: skip
def update_episode(
    episode_id: int,
    body: EpisodeUpdate | None = None,
    form: EpisodeUpdateForm | None = None,
    files: dict[str, FileStorage] | None = None,
) -> EpisodeOut:
    """Change an episode's fields (JSON), or its audio too (multipart with `audio`)."""
    now = utcnow()
    episode = ops.get_episode(episode_id, current_user_or_none(), now)
    require_show_member(episode.show)
    audio = (files or {}).get("audio")
    with audio_field_errors():
        ops.update_episode(
            episode,
            body or form or {},
            now,
            audio=(cast(BinaryIO, audio.stream), audio.filename or "")
            if audio is not None
            else None,
        )
    db.session.commit()
    return episode_out(episode, now, private=True)


@api_route(bp, "/episodes/<int:episode_id>", "DELETE", auth="editor", tag="episodes",
           status=204, errors=[503])  # fmt: skip
def delete_episode(episode_id: int) -> None:
    """Delete an episode and its media."""
    episode = ops.get_episode(episode_id, current_user_or_none(), utcnow())
    require_show_member(episode.show)
    ops.delete_episode(episode)
    db.session.commit()
