"""An episode's transcripts (upload several, list, delete) and chapters (upload a JSON
chapters file, or send the list; read; remove)."""

from __future__ import annotations

from werkzeug.datastructures import FileStorage

from publisher.api.blueprint import bp
from publisher.api.representations import transcript_out
from publisher.api.schemas import (
    ChapterList,
    ChaptersOut,
    Input,
    Output,
    TranscriptForm,
    TranscriptOut,
)
from publisher.api.spec import FileField, api_route, current_user_or_none
from publisher.exceptions import NotFound
from publisher.extensions import db
from publisher.models import Episode, utcnow
from publisher.operations.episodes import get_episode
from publisher.operations.files import (
    add_transcript,
    clear_chapters,
    delete_transcript,
    get_transcript,
    set_chapters,
    set_chapters_file,
)
from publisher.urls import chapters_url

TRANSCRIPT = FileField("file", "SRT, WebVTT, JSON (Podcasting 2.0) or plain text, UTF-8.")
CHAPTERS_FILE = FileField("file", "A Podcasting 2.0 JSON chapters file.")


class TranscriptList(Output):
    items: list[TranscriptOut]


class ChaptersForm(Input):
    """No text fields: the file is the whole request."""


def _episode(episode_id: int) -> Episode:
    return get_episode(episode_id, current_user_or_none(), utcnow())


@api_route(bp, "/episodes/<int:episode_id>/transcripts", "POST", auth="editor",
           tag="transcripts", form=TranscriptForm, files=[TRANSCRIPT], response=TranscriptOut,
           status=201, errors=[503])  # fmt: skip
def create_transcript(episode_id: int, form: TranscriptForm, files: dict[str, FileStorage]):
    """Add a transcript file (an episode may have several: languages, formats)."""
    episode = _episode(episode_id)
    upload = files["file"]
    transcript = add_transcript(
        episode, upload.stream, language=form.language, declared_type=form.type
    )
    db.session.commit()
    return transcript_out(episode, transcript), 201


@api_route(bp, "/episodes/<int:episode_id>/transcripts", "GET", auth="public",
           tag="transcripts", response=TranscriptList)  # fmt: skip
def list_transcripts(episode_id: int) -> TranscriptList:
    """The episode's transcripts."""
    episode = _episode(episode_id)
    return TranscriptList(items=[transcript_out(episode, t) for t in episode.transcripts])


@api_route(bp, "/episodes/<int:episode_id>/transcripts/<int:transcript_id>", "DELETE",
           auth="editor", tag="transcripts", status=204, errors=[503])  # fmt: skip
def remove_transcript(episode_id: int, transcript_id: int) -> None:
    """Delete a transcript (its file goes after the commit)."""
    episode = _episode(episode_id)
    delete_transcript(episode, get_transcript(episode, transcript_id))
    db.session.commit()


def _chapters_answer(episode: Episode) -> ChaptersOut:
    return ChaptersOut(url=chapters_url(episode), **(episode.chapters or {}))


@api_route(bp, "/episodes/<int:episode_id>/chapters", "PUT", auth="editor", tag="chapters",
           body=ChapterList, form=ChaptersForm, files=[CHAPTERS_FILE],
           response=ChaptersOut)  # fmt: skip
def put_chapters(
    episode_id: int,
    body: ChapterList | None = None,
    form: ChaptersForm | None = None,
    files: dict[str, FileStorage] | None = None,
) -> ChaptersOut:
    """Set the chapters: a JSON chapters document as the body, or a file (multipart
    `file`). Checked against the format; chapters past the end of the audio are refused."""
    episode = _episode(episode_id)
    if body is not None:
        set_chapters(episode, body.model_dump())
    else:
        set_chapters_file(episode, (files or {})["file"].stream)
    db.session.commit()
    return _chapters_answer(episode)


@api_route(bp, "/episodes/<int:episode_id>/chapters", "GET", auth="public", tag="chapters",
           response=ChaptersOut)  # fmt: skip
def get_chapters(episode_id: int) -> ChaptersOut:
    """The episode's chapters document."""
    episode = _episode(episode_id)
    if not episode.chapters:
        raise NotFound("This episode has no chapters.")
    return _chapters_answer(episode)


@api_route(bp, "/episodes/<int:episode_id>/chapters", "DELETE", auth="editor", tag="chapters",
           status=204)  # fmt: skip
def delete_chapters(episode_id: int) -> None:
    """Remove the episode's chapters."""
    episode = _episode(episode_id)
    if not episode.chapters:
        raise NotFound("This episode has no chapters.")
    clear_chapters(episode)
    db.session.commit()
