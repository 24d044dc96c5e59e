"""Rows to the API's output schemas (absolute URLs from publisher.urls)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from flask import request, url_for
from sqlalchemy import Select, func, select

from publisher.api import elements
from publisher.api.schemas import (
    AlternateEnclosureOut,
    AnalysisOut,
    ArticleOut,
    ArtworkOut,
    AudioFinding,
    CategoryOut,
    EpisodeOut,
    FundingOut,
    Media,
    PageLinks,
    PersonOut,
    ShowOut,
    SoundbiteOut,
    TranscriptOut,
)
from publisher.extensions import db
from publisher.models import Article, Episode, Show
from publisher.operations import audio
from publisher.operations.elements import soundbites
from publisher.podcasting.artwork import copy_sides
from publisher.podcasting.transcripts import TYPES as TRANSCRIPT_TYPES
from publisher.urls import (
    absolute,
    alternate_enclosure_url,
    article_cover_url,
    article_url,
    artwork_copy_url,
    artwork_url,
    chapters_url,
    enclosure_url,
    episode_url,
    feed_url,
    show_url,
    transcript_file_url,
    waveform_url,
)

# Show fields computed here; the others are columns copied as they are.
SHOW_COMPUTED = {"url", "feed_url", "episode_count", "categories", "funding", "persons", "artwork"}
SHOW_FIELDS = tuple(set(ShowOut.model_fields) - SHOW_COMPUTED)


def show_out(show: Show, episode_count: int) -> ShowOut:
    return ShowOut(
        url=show_url(show),
        feed_url=feed_url(show),
        episode_count=episode_count,
        categories=[CategoryOut(**c) for c in elements.show_categories(show)],
        funding=[FundingOut(**f) for f in elements.show_funding(show)],
        persons=[PersonOut(**p) for p in elements.people(show.hosts, default_role="host")],
        artwork=artwork_out(show),
        **{name: getattr(show, name) for name in SHOW_FIELDS},
    )


def analysis_out(episode: Episode) -> AnalysisOut:
    """The analysis of the episode's current audio (``pending`` until it is measured)."""
    goal = audio.targets().to_dict()
    analysis = audio.current_analysis(episode)
    if analysis is None:
        return AnalysisOut(status="pending", targets=goal, measurements=None, waveform_url=None)
    return AnalysisOut(
        status=analysis.status,
        analyzed_at=analysis.analyzed_at,
        measurements=analysis.measurements,
        findings=[AudioFinding(**finding) for finding in analysis.findings or []],
        targets=goal,
        waveform_url=waveform_url(episode, analysis.waveform_key)
        if analysis.waveform_key
        else None,
        error=analysis.error,
    )


def alternate_out(episode: Episode) -> AlternateEnclosureOut | None:
    original = episode.alternate_enclosure
    if original is None:
        return None
    offered = original.offered_with(episode)
    return AlternateEnclosureOut(
        url=alternate_enclosure_url(episode, original.extension) if offered else None,
        mime_type=original.mime_type,
        size=original.size_bytes,
        codec=original.codec,
        bitrate=original.bitrate,
        duration=original.duration_seconds,
        replaced_by=original.replaced_by,
        rendition=original.rendition or {},
    )


def artwork_out(owner: Show | Episode, show: Show | None = None) -> ArtworkOut | None:
    url = artwork_url(owner, show)
    if url is None:
        return None
    sizes = {
        str(side): artwork_copy_url(owner, side, show)
        for side in copy_sides(owner.artwork_width or 0)
    }
    return ArtworkOut(
        url=url, mime_type=owner.artwork_mime or "image/jpeg", width=owner.artwork_width,
        sizes=sizes,
    )  # fmt: skip


def transcript_out(episode: Episode, transcript) -> TranscriptOut:
    extension = TRANSCRIPT_TYPES.get(transcript.mime_type, "txt")
    return TranscriptOut(
        id=transcript.id,
        url=transcript_file_url(episode, transcript.id, extension),
        type=transcript.mime_type,
        language=transcript.language or episode.show.language,
        size=transcript.size_bytes,
    )


def episode_out(episode: Episode, now: datetime, private: bool = False) -> EpisodeOut:
    """``private``: the caller has a token, so it sees the analysis and the kept original."""
    media = None
    if episode.storage_key or episode.external_media_url:
        media = Media(
            external=episode.storage_key is None,
            url=enclosure_url(episode),
            size=episode.size_bytes,
            mime_type=episode.mime_type,
            bitrate=episode.bitrate,
            sample_rate=episode.sample_rate,
            channels=episode.channels,
            codec=episode.codec,
        )
    return EpisodeOut(
        id=episode.id,
        guid=episode.guid,
        slug=episode.slug,
        url=episode_url(episode),
        show=episode.show.slug,
        status=episode.effective_status(now),
        title=episode.title,
        description=episode.description,
        publish_at=episode.publish_at,
        season=episode.season,
        number=episode.number,
        episode_type=episode.episode_type,
        explicit=episode.explicit,
        duration=episode.duration_seconds,
        media=media,
        itunes_title=episode.itunes_title,
        block=episode.block,
        persons=[PersonOut(**p) for p in elements.people(episode.persons, default_role="guest")],
        soundbites=[SoundbiteOut(**b) for b in soundbites(episode.soundbites)],
        artwork=artwork_out(episode),
        transcripts=[transcript_out(episode, t) for t in episode.transcripts],
        chapters_url=chapters_url(episode) if episode.chapters else None,
        warnings=[
            *elements.episode_warnings(episode),
            *(getattr(episode, "ingest_warnings", None) or []),
        ],
        alternate_enclosure=alternate_out(episode) if private else None,
        analysis=analysis_out(episode) if private and episode.storage_key else None,
        created_at=episode.created_at,
        updated_at=episode.updated_at,
    )


def article_out(article: Article, now: datetime, *, public_only: bool) -> ArticleOut:
    """``public_only``: anonymous callers do not learn the ids of unpublished episodes."""
    episodes = [
        link.episode.id
        for link in article.episode_links
        if not public_only or link.episode.is_public(now)
    ]
    return ArticleOut(
        id=article.id,
        slug=article.slug,
        url=article_url(article),
        status=article.effective_status(now),
        title=article.title,
        summary=article.summary,
        body=article.body_markdown,
        body_html=article.body_html,
        author_name=article.author_name,
        tags=[tag.name for tag in article.tags],
        episodes=episodes,
        cover_image_url=article_cover_url(article),
        publish_at=article.publish_at,
        created_at=article.created_at,
        updated_at=article.updated_at,
    )


def paginate(statement: Select, page: int, per_page: int) -> tuple[list[Any], dict[str, Any]]:
    """One page of ``statement``'s rows and the paging fields (with links) of the answer."""
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    rows = list(db.session.scalars(statement.limit(per_page).offset((page - 1) * per_page)))
    pages = max(1, -(-(total or 0) // per_page))

    def link(number: int) -> str:
        others = {k: v for k, v in request.args.items() if k not in ("page", "per_page")}
        args = {"page": number, "per_page": per_page, **others, **(request.view_args or {})}
        # PUBLIC_URL, never the request's Host header (which any client can set).
        return absolute(url_for(cast(str, request.endpoint), **args))

    links = PageLinks(
        self=link(page),
        first=link(1),
        last=link(pages),
        next=link(page + 1) if page < pages else None,
        prev=link(min(page - 1, pages)) if page > 1 else None,
    )
    return rows, {
        "page": page,
        "per_page": per_page,
        "total": total or 0,
        "pages": pages,
        "links": links,
    }
