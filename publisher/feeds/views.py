"""Feed endpoints: thin views that pick public content and answer with cached renderings."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Response, current_app, redirect, request
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse
from werkzeug.wsgi import wrap_file

from publisher import urls
from publisher.cors import public_cors
from publisher.exceptions import NotFound, PublisherError
from publisher.extensions import db
from publisher.feeds import articles, cache, podcast, redirects, sitemap
from publisher.feeds.blueprint import bp
from publisher.media.storage import ObjectNotFound, get_storage
from publisher.models import Episode, Show, utcnow


def _page_argument() -> int | None:
    raw = request.args.get("page")
    if raw is None:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise PublisherError(f"The page must be a whole number from 1 (got {raw!r}).")
    return int(raw)


def _serve(url_key: str, build: Callable[[datetime], tuple[cache.Rendering, datetime | None]]):
    """Answer from the rendering checked moments ago, or check (and maybe render) now."""
    now = utcnow()
    checked = cache.recent.get(url_key, now)
    if checked is not None:
        rendering, next_change = checked.rendering, checked.next_change
    else:
        rendering, next_change = build(now)
        cache.commit_quietly()
        cache.recent.put(url_key, rendering, next_change)
    return cache.conditional_response(rendering, max_age=cache.max_age_until(next_change, now))


class FeedMoved(Exception):
    """The show set ``new_feed_url``: the old feed answers 301 there (Apple's move rule)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


@bp.get("/shows/<show>/feed.xml")
@public_cors
def show_feed(show: str) -> BaseResponse:
    """The show's podcast RSS feed (every episode), or one page of it with ?page=N."""
    try:
        return _show_feed(show)
    except FeedMoved as moved:
        return redirect(moved.url, code=301)
    except NotFound:
        canonical = redirects.canonical_feed_url(show)
        if canonical is None:
            raise
        return redirect(canonical, code=301)


def _show_feed(show: str) -> Response:
    page = _page_argument()

    def build(now: datetime) -> tuple[cache.Rendering, datetime | None]:
        state = podcast.show_feed_state(show, now)
        if state is None or not state.is_public:
            raise NotFound("There is no podcast at this address.")
        if state.moved_to:
            raise FeedMoved(state.moved_to)
        pages = state.page_count(int(current_app.config["FEED_PAGE_SIZE"]))
        if page is not None and page > pages:
            raise NotFound(f"This feed has {pages} page(s); page {page} does not exist.")

        def render() -> bytes:
            return podcast.render_show_feed(
                db.session.get_one(Show, state.show_id), state, now, page
            )

        rendering = cache.get_rendering(
            f"show:{state.show_id}" + (f":page:{page}" if page else ""),
            cache.fingerprint("show", page, *state.fingerprint_parts),
            render,
            content_type=podcast.CONTENT_TYPE,
            show_id=state.show_id,
        )
        return rendering, state.next_publish_at

    return _serve(f"show:{show}:{page}", build)


def _public_episode(show: str, episode: str) -> Episode:
    found = db.session.scalar(
        select(Episode)
        .join(Show, Episode.show_id == Show.id)
        .where(Show.slug == show, Episode.slug == episode, Episode.public_filter(utcnow()))
    )
    if found is None:
        raise NotFound("There is no published episode at this address.")
    return found


def chapters_document(chapters: Any) -> dict[str, Any] | None:
    """The stored chapters as a Podcasting 2.0 JSON chapters document (version 1.2.0)."""
    if isinstance(chapters, list):
        chapters = {"chapters": chapters}
    if not isinstance(chapters, dict) or not isinstance(chapters.get("chapters"), list):
        return None
    return {"version": "1.2.0", **chapters}


@bp.get(f"/shows/<show>/<episode>/{urls.CHAPTERS_FILE}")
@public_cors
def chapters(show: str, episode: str) -> Response:
    """The episode's chapters (Podcasting 2.0 JSON chapters, application/json+chapters)."""
    found = _public_episode(show, episode)
    document = chapters_document(found.chapters)
    if document is None:
        raise NotFound("This episode has no chapters.")
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    rendering = cache.Rendering(
        key=f"chapters:{found.id}",
        fingerprint="",
        etag=hashlib.sha256(body).hexdigest()[:32],
        content_type=podcast.CHAPTERS_TYPE,
        body=body,
        body_gzip=None,
        last_modified=found.updated_at.replace(microsecond=0),
    )
    return cache.conditional_response(rendering, max_age=int(current_app.config["FEED_MAX_AGE"]))


@bp.get("/shows/<show>/<episode>/transcript.<ext>")
@public_cors
def transcript(show: str, episode: str, ext: str) -> Response:
    """The episode's transcript file (SRT, WebVTT, JSON or plain text) from the store."""
    found = _public_episode(show, episode)
    fmt = podcast.transcript_format(found.transcript_type) if found.transcript_key else None
    if fmt is None or fmt[0] != ext or not found.transcript_key:
        raise NotFound("This episode has no transcript in that format.")
    return _stored_file(found.transcript_key, f"{fmt[1]}; charset=utf-8", max_age=3600)


@bp.get("/shows/<show>/artwork.<ext>")
@public_cors
def show_artwork(show: str, ext: str) -> BaseResponse:
    """The show's artwork (versioned URL in the feed, so it is cached for a day)."""
    found = db.session.scalar(select(Show).where(Show.slug == show, Show.public_filter()))
    if found is None or not found.artwork_key:
        raise NotFound("This show has no artwork.")
    return _artwork(found.artwork_key, found.artwork_mime)


@bp.get("/shows/<show>/<episode>/artwork.<ext>")
@public_cors
def episode_artwork(show: str, episode: str, ext: str) -> BaseResponse:
    """The episode's own artwork."""
    found = _public_episode(show, episode)
    if not found.artwork_key:
        raise NotFound("This episode has no artwork.")
    return _artwork(found.artwork_key, found.artwork_mime)


def _artwork(key: str, mime: str | None) -> BaseResponse:
    public = get_storage().public_url(key)
    if public:
        return redirect(public, code=302)
    return _stored_file(key, mime or "image/jpeg", max_age=86400)


def _stored_file(key: str, content_type: str, *, max_age: int) -> Response:
    storage = get_storage()
    try:
        stat = storage.stat(key)
        stream = storage.open(key)
    except ObjectNotFound:
        raise NotFound("The file is missing from the media store.") from None
    etag = stat.etag.strip('"')
    if request.if_none_match.contains_weak(etag):
        stream.close()
        return Response(status=304, headers={"ETag": f'"{etag}"'})
    response = Response(
        wrap_file(request.environ, stream),
        content_type=content_type,
        direct_passthrough=True,
        headers={
            "Content-Length": str(stat.size),
            "ETag": f'"{etag}"',
            "Cache-Control": f"public, max-age={max_age}",
        },
    )
    response.last_modified = stat.last_modified
    return response


@bp.get("/feed.xml")
@public_cors
def articles_feed() -> Response:
    """The articles Atom feed: full sanitized content, linked episodes as enclosures."""

    def build(now: datetime) -> tuple[cache.Rendering, datetime | None]:
        state = articles.articles_feed_state(now)
        rendering = cache.get_rendering(
            "articles",
            cache.fingerprint("articles", *state.fingerprint_parts),
            lambda: articles.render_articles_feed(state, now),
            content_type=articles.CONTENT_TYPE,
        )
        return rendering, state.next_publish_at

    return _serve("articles", build)


@bp.get("/sitemap.xml")
def sitemap_xml() -> Response:
    """The sitemap (an index of pages when there are more than 50,000 URLs)."""
    page = _page_argument()

    def build(now: datetime) -> tuple[cache.Rendering, datetime | None]:
        state = sitemap.sitemap_state(now)
        if page is not None and page > state.page_count:
            raise NotFound(f"The sitemap has {state.page_count} page(s).")
        rendering = cache.get_rendering(
            "sitemap" + (f":{page}" if page else ""),
            cache.fingerprint("sitemap", page, *state.fingerprint_parts),
            lambda: sitemap.render_sitemap(state, now, page),
            content_type=sitemap.CONTENT_TYPE,
        )
        return rendering, state.next_publish_at

    return _serve(f"sitemap:{page}", build)


@bp.get("/robots.txt")
def robots_txt() -> Response:
    """robots.txt: everything public may be crawled; the studio and API may not."""
    return Response(
        sitemap.robots_txt(),
        content_type="text/plain; charset=utf-8",
        headers={"Cache-Control": "public, max-age=3600"},
    )
