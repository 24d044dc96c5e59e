"""The podcast RSS feed: RSS 2.0 with the itunes, podcast (Podcasting 2.0), content and
atom namespaces.

The document is written as text through ``xmltext.text``/``attr`` (which make any stored
string safe) from plain rows (no ORM objects per episode): for a 2,000-episode show this
is several times faster than building an element tree. Tests parse every feed with lxml,
podcastparser and feedparser.

Only *listable* episodes appear: public (``public_filter``: released, ``publish_at``
passed, show published) and with stored audio (an item without an enclosure is no
podcast episode).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from typing import cast as typed_as
from urllib.parse import quote

from flask import current_app
from sqlalchemy import Text, and_, case, cast, func, or_, select
from sqlalchemy.sql import ColumnElement

from publisher import urls
from publisher.extensions import db
from publisher.feeds import elements
from publisher.feeds.alternates import alternates_xml
from publisher.models import Episode, Show, public_filter, scheduled_filter
from publisher.podcasting import podcastindex
from publisher.podcasting.apple import enclosure_type
from publisher.podcasting.xmltext import attr, rfc2822, text, truncate
from publisher.urls import (
    episode_artwork_url,
    show_artwork_url,
    transcript_format,
)

CONTENT_TYPE = "application/rss+xml; charset=utf-8"
GENERATOR = "Publisher"
NAMESPACES = (
    'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
    f'xmlns:podcast="{podcastindex.NAMESPACE}" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:atom="http://www.w3.org/2005/Atom" '
    f'xmlns:psc="{elements.PSC_NAMESPACE}"'
)
CHAPTERS_TYPE = "application/json+chapters"
TIMED_TRANSCRIPTS = ("srt", "vtt")


def has_media() -> ColumnElement[bool]:
    """An episode needs stored audio to be a feed item (an enclosure is required)."""
    # Imported with --no-media: the audio is still at the old host (external_media_url).
    has_audio = or_(Episode.storage_key.is_not(None), Episode.external_media_url.is_not(None))
    return and_(has_audio, Episode.size_bytes.is_not(None))


def listable(now: datetime) -> ColumnElement[bool]:
    """Episodes that appear in a feed (without the show's status: callers check it)."""
    return and_(public_filter(Episode, now), has_media())


@dataclass(frozen=True)
class ShowFeedState:
    """What one cheap query tells about a show's feed at ``now``."""

    show_id: int
    status: str
    fingerprint_parts: tuple[Any, ...]
    listable_count: int
    last_change: datetime
    next_publish_at: datetime | None
    moved_to: str = ""  # new_feed_url, when it names another address

    @property
    def is_public(self) -> bool:
        return self.status == "published"

    def page_count(self, page_size: int) -> int:
        return max(1, math.ceil(self.listable_count / page_size))


def show_feed_state(slug: str, now: datetime) -> ShowFeedState | None:
    """The show's id, status and fingerprint material, in one query; None if no such show."""
    listed = listable(now)
    pending = scheduled_filter(Episode, now)
    row = db.session.execute(
        select(
            Show.id,
            Show.status,
            Show.updated_at,
            Show.new_feed_url,
            func.count(Episode.id),
            func.max(Episode.updated_at),
            func.coalesce(func.sum(Episode.id), 0),
            func.count(case((listed, Episode.id))),
            func.max(case((listed, Episode.publish_at))),
            func.min(case((pending, Episode.publish_at))),
            func.max(case((listed, Episode.updated_at))),
        )
        .select_from(Show)
        .outerjoin(Episode, Episode.show_id == Show.id)
        .where(Show.slug == slug)
        .group_by(Show.id, Show.status, Show.updated_at, Show.new_feed_url)
    ).one_or_none()
    if row is None:
        return None
    (
        show_id,
        status,
        show_updated,
        new_feed_url,
        count,
        max_updated,
        id_sum,
        listed_count,
        last_pub,
        next_pub,
        listed_updated,
    ) = row
    # From public content only: editing a draft must not change the bytes (nor the ETag).
    last_change = max(d for d in (show_updated, listed_updated, last_pub) if d is not None)
    return ShowFeedState(
        show_id=show_id,
        status=status,
        fingerprint_parts=(show_id, status, show_updated, count, max_updated, id_sum, listed_count),
        listable_count=listed_count,
        last_change=last_change,
        next_publish_at=next_pub,
        moved_to=new_feed_url if new_feed_url and new_feed_url != urls.show_feed_url(slug) else "",
    )


_ITEM_COLUMNS = (
    Episode.id,
    Episode.guid,
    Episode.slug,
    Episode.title,
    Episode.description,
    Episode.publish_at,
    Episode.season,
    Episode.number,
    Episode.episode_type,
    Episode.explicit,
    func.coalesce(Episode.storage_key, Episode.external_media_url).label("storage_key"),
    Episode.mime_type,
    Episode.size_bytes,
    Episode.duration_seconds,
    Episode.artwork_key,
    Episode.artwork_mime,
    Episode.transcript_key,
    Episode.transcript_type,
    # JSON read as text: most rows have none, and parsing 2,000 empty lists costs time.
    cast(Episode.chapters, Text).label("chapters_json"),
    cast(Episode.persons, Text).label("persons_json"),
    cast(Episode.soundbites, Text).label("soundbites_json"),
    Episode.itunes_title,
    Episode.block,
)
_EMPTY_JSON = (None, "", "null", "[]", "{}")


def _json_list(raw: str | None) -> list[Any]:
    if raw in _EMPTY_JSON:
        return []
    try:
        value = json.loads(raw)
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def listable_items(show: Show, now: datetime, *, offset: int = 0, limit: int | None = None):
    """The listable episodes, newest first, as rows (attribute access by column name)."""
    statement = (
        select(*_ITEM_COLUMNS)
        .where(Episode.show_id == show.id, Episode.public_filter(now), has_media())
        .order_by(Episode.publish_at.desc(), Episode.id.desc())
        .offset(offset)
    )
    if limit is not None:
        statement = statement.limit(limit)
    return db.session.execute(statement).all()


class _Urls:
    """The per-episode URLs of one render, from templates that ``publisher.urls`` itself
    produced (a marker in place of the guid, extension and slug), so the paths have one
    source; the first item is checked against the builders themselves."""

    def __init__(self, show: Show) -> None:
        self.show = show
        # A stand-in row: the URL builders read only guid, slug and extension.
        marker = typed_as(Episode, _Marker("GUIDMARKERQ7", "SLUGMARKERQ7", "EXTMARKERQ7"))
        self.enclosure = _split(urls.enclosure_url(marker), "GUIDMARKERQ7", "EXTMARKERQ7")
        self.episode = _split(urls.episode_url(marker, show), "SLUGMARKERQ7")
        self.checked = False
        self.holder = _StorageKey()

    def for_item(self, guid: str, slug: str, storage_key: str | None) -> tuple[str, str]:
        self.holder.storage_key = storage_key
        extension = _extension(self.holder)
        a, b, c = self.enclosure
        enclosure = f"{a}{urls.media_token(guid)}{b}{extension}{c}"
        quoted = slug if _SAFE_SLUG.match(slug) else quote(slug)
        link = f"{self.episode[0]}{quoted}{self.episode[1]}"
        if not self.checked:
            marker = typed_as(Episode, _Marker(guid, slug, extension))
            if enclosure != urls.enclosure_url(marker) or link != urls.episode_url(
                marker, self.show
            ):
                raise RuntimeError("publisher.urls changed shape: update podcast._Urls")
            self.checked = True
        return link, enclosure


class _StorageKey:
    __slots__ = ("storage_key",)
    storage_key: str | None


class _Marker:
    __slots__ = ("extension", "guid", "slug")

    def __init__(self, guid: str, slug: str, extension: str) -> None:
        self.guid, self.slug, self.extension = guid, slug, extension


def _split(url: str, *markers: str) -> tuple[str, ...]:
    parts = [url]
    for marker in markers:
        head, tail = parts.pop().rsplit(marker, 1)
        parts += [head, tail]
    return tuple(parts)


_SAFE_SLUG = re.compile(r"^[A-Za-z0-9_.~-]+$")
_extension = Episode.extension.fget  # type: ignore[attr-defined]  # the model's rule, applied to a row's storage_key


def render_show_feed(show: Show, state: ShowFeedState, now: datetime, page: int | None) -> bytes:
    """The feed document: every listable episode, or one RFC 5005 page of them."""
    page_size = int(current_app.config["FEED_PAGE_SIZE"])
    if page is None:
        items = listable_items(show, now)
        trailers = [item for item in items if item.episode_type == "trailer"][:10]
    else:
        items = listable_items(show, now, offset=(page - 1) * page_size, limit=page_size)
        trailers = _trailers(show, now)
    out: list[str] = []
    _channel_head(out, show, state, page, page_size)
    hosts = _hosts(show)
    item_urls = _Urls(show)
    transcripts = elements.transcripts_by_episode(item.id for item in items)
    for trailer in trailers:
        _trailer(out, trailer, item_urls)
    alternates = alternates_xml(item.id for item in items)
    for item in items:
        _item(out, item, show, hosts, item_urls, transcripts.get(item.id, ()))
        if item.id in alternates:  # inside the item, before its closing tag
            out.insert(len(out) - 1, alternates[item.id])
    out.append("</channel>\n</rss>\n")
    return "".join(out).encode("utf-8")


def _trailers(show: Show, now: datetime) -> list[Any]:
    statement = (
        select(*_ITEM_COLUMNS)
        .where(
            Episode.show_id == show.id,
            Episode.public_filter(now),
            has_media(),
            Episode.episode_type == "trailer",
        )
        .order_by(Episode.publish_at.desc(), Episode.id.desc())
        .limit(10)
    )
    return list(db.session.execute(statement).all())


def _hosts(show: Show) -> list[dict[str, str]]:
    people = show.hosts if isinstance(show.hosts, list) else []
    return [p for p in (podcastindex.normalize_person(x, default_role="host") for x in people) if p]


def _person(out: list[str], person: dict[str, str]) -> None:
    extra = "".join(f' {key}="{attr(person[key])}"' for key in ("href", "img") if key in person)
    out.append(
        f'<podcast:person role="{attr(person["role"])}" group="{attr(person["group"])}"{extra}>'
        f"{text(person['name'])}</podcast:person>\n"
    )


def _channel_head(
    out: list[str], show: Show, state: ShowFeedState, page: int | None, page_size: int
) -> None:
    config = current_app.config
    feed = urls.feed_url(show)
    link = show.link or urls.show_url(show)
    out.append(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" {NAMESPACES}>\n<channel>\n'
    )
    out.append(f"<title>{text(show.title)}</title>\n")
    out.append(f"<link>{text(link)}</link>\n")
    out.append(f"<description>{text(show.description or show.title)}</description>\n")
    out.append(f"<language>{text(show.language or 'en')}</language>\n")
    if show.copyright:
        out.append(f"<copyright>{text(show.copyright)}</copyright>\n")
    out.append(f"<generator>{GENERATOR}</generator>\n")
    out.append(f"<lastBuildDate>{rfc2822(state.last_change)}</lastBuildDate>\n")
    if page is None:
        out.append(f'<atom:link rel="self" type="application/rss+xml" href="{attr(feed)}"/>\n')
    else:
        # RFC 5005 section 3: paged feed documents link to their neighbours.
        last = state.page_count(page_size)
        out.append(
            f'<atom:link rel="self" type="application/rss+xml" href="{attr(feed)}?page={page}"/>\n'
        )
        out.append(f'<atom:link rel="first" href="{attr(feed)}?page=1"/>\n')
        if page > 1:
            out.append(f'<atom:link rel="previous" href="{attr(feed)}?page={page - 1}"/>\n')
            out.append(f'<atom:link rel="prev" href="{attr(feed)}?page={page - 1}"/>\n')
        if page < last:
            out.append(f'<atom:link rel="next" href="{attr(feed)}?page={page + 1}"/>\n')
        out.append(f'<atom:link rel="last" href="{attr(feed)}?page={last}"/>\n')
    hub = config.get("WEBSUB_HUB")
    if hub:
        out.append(f'<atom:link rel="hub" href="{attr(hub)}"/>\n')
    # The owner first: feedparser reports the last itunes:name/email-bearing element it
    # saw as the author, so the author must come after the owner.
    if show.owner_name or show.owner_email:
        out.append(
            f"<itunes:owner><itunes:name>{text(show.owner_name)}</itunes:name>"
            f"<itunes:email>{text(show.owner_email)}</itunes:email></itunes:owner>\n"
        )
    if show.author:
        out.append(f"<itunes:author>{text(show.author)}</itunes:author>\n")
    artwork = show_artwork_url(show)
    if artwork:
        out.append(f'<itunes:image href="{attr(artwork)}"/>\n')
        out.append(
            f"<image><url>{text(artwork)}</url><title>{text(show.title)}</title>"
            f"<link>{text(link)}</link></image>\n"
        )
    elements.categories(out, show)
    out.append(f"<itunes:explicit>{'true' if show.explicit else 'false'}</itunes:explicit>\n")
    out.append(
        f"<itunes:type>{'serial' if show.show_type == 'serial' else 'episodic'}</itunes:type>\n"
    )
    if show.complete:
        out.append("<itunes:complete>Yes</itunes:complete>\n")
    elements.block(out, show)
    if show.new_feed_url:
        out.append(f"<itunes:new-feed-url>{text(show.new_feed_url)}</itunes:new-feed-url>\n")
    out.append(f"<podcast:guid>{text(show.podcast_guid)}</podcast:guid>\n")
    elements.locked(out, show)
    elements.funding(out, show)
    for host in _hosts(show):
        _person(out, host)
    elements.location(out, show)
    elements.license_element(out, show)
    medium = show.medium if show.medium in podcastindex.MEDIUMS else "podcast"
    out.append(f"<podcast:medium>{medium}</podcast:medium>\n")
    for entry in show.txt if isinstance(show.txt, list) else []:
        if not isinstance(entry, dict) or not str(entry.get("text") or "").strip():
            continue
        purpose = truncate(entry.get("purpose"), podcastindex.TXT_PURPOSE_MAX)
        purpose_attr = f' purpose="{attr(purpose)}"' if purpose else ""
        out.append(
            f"<podcast:txt{purpose_attr}>"
            f"{text(truncate(entry['text'], podcastindex.TXT_MAX))}</podcast:txt>\n"
        )
    _update_frequency(out, show)


def _update_frequency(out: list[str], show: Show) -> None:
    label = truncate(show.update_frequency, podcastindex.UPDATE_FREQUENCY_TEXT_MAX)
    rrule = ""
    if show.update_frequency_rrule:
        try:
            rrule = podcastindex.validate_rrule(show.update_frequency_rrule)
        except Exception:
            rrule = ""
    if not (label or rrule or show.complete):
        return
    attributes = f' rrule="{attr(rrule)}"' if rrule else ""
    if rrule and show.update_frequency_dtstart is not None:
        dtstart = show.update_frequency_dtstart.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        attributes += f' dtstart="{dtstart}"'
    if show.complete:
        attributes += ' complete="true"'
    if not label:
        frequency = next((p[5:] for p in rrule.split(";") if p.startswith("FREQ=")), "")
        label = "Complete" if show.complete and not rrule else frequency.title()
    out.append(f"<podcast:updateFrequency{attributes}>{text(label)}</podcast:updateFrequency>\n")


def _trailer(out: list[str], item: Any, item_urls: _Urls) -> None:
    season = f' season="{item.season}"' if item.season is not None else ""
    out.append(
        f'<podcast:trailer pubdate="{rfc2822(item.publish_at)}" '
        f'url="{attr(item_urls.for_item(item.guid, item.slug, item.storage_key)[1])}" '
        f'length="{int(item.size_bytes)}" type="{attr(enclosure_type(item.mime_type))}"{season}>'
        f"{text(truncate(item.title, 128))}</podcast:trailer>\n"
    )


def _item(
    out: list[str],
    item: Any,
    show: Show,
    hosts: list[dict[str, str]],
    item_urls: _Urls,
    transcripts: Any = (),
) -> None:
    # Unpacked once: attribute access on rows costs more than the rest of the item.
    (
        _,
        guid,
        slug,
        title,
        description,
        publish_at,
        season,
        number,
        episode_type,
        explicit,
        storage_key,
        mime_type,
        size_bytes,
        duration,
        artwork_key,
        _,
        transcript_key,
        transcript_type,
        chapters_json,
        persons_json,
        soundbites_json,
        itunes_title,
        blocked,
    ) = item
    episode_link, enclosure = item_urls.for_item(guid, slug, storage_key)
    link = text(episode_link)
    parts = [f"<item>\n<title>{text(title)}</title>\n"]
    if itunes_title:
        parts.append(f"<itunes:title>{text(itunes_title)}</itunes:title>\n")
    if description:
        escaped = text(description)
        parts.append(
            f"<description>{escaped}</description>\n<content:encoded>{escaped}</content:encoded>\n"
        )
    parts.append(
        f"<link>{link}</link>\n"
        f'<guid isPermaLink="false">{text(guid)}</guid>\n'
        f"<pubDate>{rfc2822(publish_at)}</pubDate>\n"
        f'<enclosure url="{attr(enclosure)}" length="{int(size_bytes)}" '
        f'type="{attr(enclosure_type(mime_type))}"/>\n'
    )
    if duration is not None:
        parts.append(f"<itunes:duration>{int(duration + 0.5)}</itunes:duration>\n")
    if episode_type not in ("full", "trailer", "bonus"):
        episode_type = "full"
    parts.append(f"<itunes:episodeType>{episode_type}</itunes:episodeType>\n")
    if season is not None and season > 0:
        parts.append(f"<itunes:season>{int(season)}</itunes:season>\n")
    if number is not None and number > 0:
        parts.append(f"<itunes:episode>{int(number)}</itunes:episode>\n")
    parts.append(
        "<itunes:explicit>true</itunes:explicit>\n"
        if explicit
        else "<itunes:explicit>false</itunes:explicit>\n"
    )
    if artwork_key:
        parts.append(f'<itunes:image href="{attr(episode_artwork_url(item, show))}"/>\n')
    if blocked:
        parts.append("<itunes:block>Yes</itunes:block>\n")
    if season is not None:
        parts.append(f"<podcast:season>{int(season)}</podcast:season>\n")
    if number is not None:
        parts.append(f"<podcast:episode>{int(number)}</podcast:episode>\n")
    if chapters_json not in _EMPTY_JSON:
        parts.append(
            f'<podcast:chapters url="{link}/{urls.CHAPTERS_FILE}" type="{CHAPTERS_TYPE}"/>\n'
        )
        elements.psc_chapters(parts, chapters_json)
    if transcript_key:
        found = transcript_format(transcript_type)
        if found is not None:
            rel = ' rel="captions"' if found[0] in TIMED_TRANSCRIPTS else ""
            parts.append(
                f'<podcast:transcript url="{link}/transcript.{found[0]}" type="{found[1]}"{rel}/>\n'
            )
    elements.item_transcripts(parts, link, list(transcripts))
    out.append("".join(parts))
    if persons_json not in _EMPTY_JSON:
        guests = [
            p
            for p in (
                podcastindex.normalize_person(x, default_role="guest")
                for x in _json_list(persons_json)
            )
            if p
        ]
        # An item's people replace the channel's (spec): restate the hosts with the guests.
        for person in hosts + guests if guests else []:
            _person(out, person)
    if soundbites_json not in _EMPTY_JSON:
        for raw in _json_list(soundbites_json):
            bite = podcastindex.normalize_soundbite(raw)
            if bite is None:
                continue
            title = truncate(bite.get("title"), podcastindex.SOUNDBITE_TITLE_MAX)
            out.append(
                f'<podcast:soundbite startTime="{podcastindex.seconds(bite["start_time"])}" '
                f'duration="{podcastindex.seconds(bite["duration"])}">{text(title)}'
                "</podcast:soundbite>\n"
            )
    out.append("</item>\n")
