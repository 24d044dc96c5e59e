"""Files feeds and players link to that producers upload through the API: resized
artwork copies and an episode's transcripts (several per episode)."""

from __future__ import annotations

from flask import request
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from publisher.cors import public_cors
from publisher.exceptions import NotFound
from publisher.extensions import db
from publisher.feeds.blueprint import bp
from publisher.feeds.views import _artwork, _public_episode, _stored_file
from publisher.media.artwork import copy_key
from publisher.media.covers import COVER_MIME
from publisher.media.storage import get_storage
from publisher.models import Article, EpisodeTranscript, Show, utcnow
from publisher.podcasting.transcripts import TYPES
from publisher.urls import cover_version


@bp.get("/shows/<show>/artwork-<int:side>.jpg")
@public_cors
def show_artwork_copy(show: str, side: int) -> BaseResponse:
    """A resized JPEG copy of the show's artwork (3000, 1400, 600 or 300 px)."""
    found = db.session.scalar(select(Show).where(Show.slug == show, Show.public_filter()))
    key = copy_key(found, side) if found is not None else None
    if key is None:
        raise NotFound("This show has no artwork of that size.")
    return _artwork(key, "image/jpeg")


@bp.get("/shows/<show>/<episode>/artwork-<int:side>.jpg")
@public_cors
def episode_artwork_copy(show: str, episode: str, side: int) -> BaseResponse:
    """A resized JPEG copy of the episode's artwork."""
    key = copy_key(_public_episode(show, episode), side)
    if key is None:
        raise NotFound("This episode has no artwork of that size.")
    return _artwork(key, "image/jpeg")


@bp.get("/articles/<slug>/cover.jpg")
@public_cors
def article_cover(slug: str) -> BaseResponse:
    """A public article's cover image (404 until the article is published). The page links
    it with ``?v=`` naming the file, so that address is cached for a year."""
    found = db.session.scalar(
        select(Article).where(Article.slug == slug[:150], Article.public_filter(utcnow()))
    )
    if found is None or not found.cover_image_key:
        raise NotFound("This article has no cover image.")
    if get_storage().public_url(found.cover_image_key):
        return _artwork(found.cover_image_key, COVER_MIME)  # the store's own address
    versioned = request.args.get("v") == cover_version(found.cover_image_key)
    response = _stored_file(found.cover_image_key, COVER_MIME, max_age=3600)
    if versioned and response.status_code == 200:
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@bp.get("/shows/<show>/<episode>/transcripts/<int:transcript_id>.<ext>")
@public_cors
def episode_transcript(show: str, episode: str, transcript_id: int, ext: str) -> BaseResponse:
    """One of the episode's transcripts (SRT, WebVTT, JSON or plain text)."""
    found = _public_episode(show, episode)
    transcript = db.session.get(EpisodeTranscript, transcript_id)
    if (
        transcript is None
        or transcript.episode_id != found.id
        or TYPES.get(transcript.mime_type) != ext
    ):
        raise NotFound("This episode has no such transcript.")
    return _stored_file(
        transcript.storage_key, f"{transcript.mime_type}; charset=utf-8", max_age=3600
    )
