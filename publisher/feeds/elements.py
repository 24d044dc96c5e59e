"""Feed elements that producers set through the API: several categories and funding
links, the licence's URL, the location's attributes, block, locked, updateFrequency's
dtstart; and per item itunes:title, itunes:block, every transcript and inline Podlove
Simple Chapters (psc) for apps that do not read the JSON chapters file (gPodder)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from publisher.extensions import db
from publisher.models import EpisodeTranscript, Show
from publisher.podcasting import podcastindex
from publisher.podcasting.apple import feed_category
from publisher.podcasting.chapters import psc_time
from publisher.podcasting.transcripts import TIMED, TYPES
from publisher.podcasting.xmltext import attr, text, truncate

PSC_NAMESPACE = "http://podlove.org/simple-chapters"


def categories(out: list[str], show: Show) -> None:
    """Up to three itunes:category elements, the main one first, none repeated."""
    pairs = [feed_category(show.category, show.subcategory)]
    for entry in show.extra_categories if isinstance(show.extra_categories, list) else []:
        if isinstance(entry, dict) and entry.get("category"):
            pair = feed_category(str(entry["category"]), str(entry.get("subcategory") or ""))
            if pair not in pairs:
                pairs.append(pair)
    for category, subcategory in pairs[:3]:
        if subcategory:
            out.append(
                f'<itunes:category text="{attr(category)}">'
                f'<itunes:category text="{attr(subcategory)}"/></itunes:category>\n'
            )
        else:
            out.append(f'<itunes:category text="{attr(category)}"/>\n')


def funding(out: list[str], show: Show) -> None:
    links = [(show.funding_url, show.funding_text)] if show.funding_url else []
    for entry in show.extra_funding if isinstance(show.extra_funding, list) else []:
        if isinstance(entry, dict) and str(entry.get("url") or "").startswith("http"):
            links.append((entry["url"], entry.get("text") or ""))
    for url, label in links:
        label = truncate(label or "Support the show", podcastindex.FUNDING_TEXT_MAX)
        out.append(f'<podcast:funding url="{attr(url)}">{text(label)}</podcast:funding>\n')


def locked(out: list[str], show: Show) -> None:
    """Written always: ``yes`` forbids importing the feed elsewhere; the owner attribute
    when there is an e-mail."""
    owner = f' owner="{attr(show.owner_email)}"' if show.owner_email else ""
    out.append(f"<podcast:locked{owner}>{'yes' if show.locked else 'no'}</podcast:locked>\n")


def location(out: list[str], show: Show) -> None:
    name = truncate(show.location, podcastindex.LOCATION_MAX)
    if not name:
        return
    attributes = "".join(
        f' {key}="{attr(value)}"'
        for key, value in (
            ("rel", show.location_rel),
            ("geo", show.location_geo),
            ("osm", show.location_osm),
            ("country", show.location_country),
        )
        if value
    )
    out.append(f"<podcast:location{attributes}>{text(name)}</podcast:location>\n")


def license_element(out: list[str], show: Show) -> None:
    name = truncate(show.license, podcastindex.LICENSE_MAX)
    if not name:
        return
    url = f' url="{attr(show.license_url)}"' if show.license_url else ""
    out.append(f"<podcast:license{url}>{text(name.lower())}</podcast:license>\n")


def block(out: list[str], show: Show) -> None:
    if show.block:
        out.append("<itunes:block>Yes</itunes:block>\n<podcast:block>yes</podcast:block>\n")


def transcripts_by_episode(episode_ids: Iterable[int]) -> dict[int, list[tuple[int, str, str]]]:
    """(id, type, language) of every transcript of these episodes, in one query."""
    ids = list(episode_ids)
    found: dict[int, list[tuple[int, str, str]]] = {}
    if not ids:
        return found
    rows = db.session.execute(
        select(
            EpisodeTranscript.episode_id,
            EpisodeTranscript.id,
            EpisodeTranscript.mime_type,
            EpisodeTranscript.language,
        )
        .where(EpisodeTranscript.episode_id.in_(ids))
        .order_by(EpisodeTranscript.id)
    )
    for episode_id, transcript_id, mime_type, language in rows:
        found.setdefault(episode_id, []).append((transcript_id, mime_type, language))
    return found


def item_transcripts(parts: list[str], link: str, transcripts: list[tuple[int, str, str]]) -> None:
    for transcript_id, mime_type, language in transcripts:
        extension = TYPES.get(mime_type)
        if extension is None:
            continue
        extra = f' language="{attr(language)}"' if language else ""
        if mime_type in TIMED:
            extra += ' rel="captions"'
        parts.append(
            f'<podcast:transcript url="{link}/transcripts/{transcript_id}.{extension}" '
            f'type="{mime_type}"{extra}/>\n'
        )


def psc_chapters(parts: list[str], chapters_json: str) -> None:
    """Inline Podlove Simple Chapters from the stored JSON chapters."""
    try:
        document: Any = json.loads(chapters_json)
    except ValueError:
        return
    chapters = document.get("chapters") if isinstance(document, dict) else document
    if not isinstance(chapters, list):
        return
    lines = []
    for chapter in chapters:
        if not isinstance(chapter, dict) or chapter.get("toc") is False:
            continue
        try:
            start = float(chapter["startTime"])
        except (KeyError, TypeError, ValueError):
            continue
        title = truncate(str(chapter.get("title") or ""), 300)
        href = chapter.get("url")
        href_attr = f' href="{attr(href)}"' if isinstance(href, str) and href else ""
        lines.append(f'<psc:chapter start="{psc_time(start)}" title="{attr(title)}"{href_attr}/>')
    if lines:
        parts.append('<psc:chapters version="1.2">' + "".join(lines) + "</psc:chapters>\n")
