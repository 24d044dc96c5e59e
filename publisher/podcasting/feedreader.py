"""Another host's podcast feed, read into plain data (no Flask, no database).

feedparser reads the RSS (encodings, dates, iTunes tags, relative links); lxml reads
the Podcasting 2.0 tags it leaves out (``podcast:locked`` and its owner, ``guid``,
``funding``, ``person``, ``transcript``, ``chapters``). What cannot be imported raises
``FeedProblem`` with a message for people; what can be imported with a caveat is listed
in ``warnings`` (and, per episode, in ``Item.problem`` when the episode is skipped).

Traps: podcast apps identify an episode by its guid, so it is kept byte for byte (an
item without one falls back to its enclosure URL, as apps do); two items with one guid
are one episode to an app, so the second is skipped; relative URLs are resolved against
the feed's address; a web page served instead of a feed says so.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser
from lxml import etree

PODCAST_NS = "https://podcastindex.org/namespace/1.0"
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
MAX_DESCRIPTION = 100_000  # characters of HTML kept per description
MAX_GUID = 500  # our column; longer guids cannot be kept exactly: the item is skipped
AUDIO_TYPES_HINT = ("audio/", "video/", "application/octet-stream", "")


class FeedProblem(Exception):
    """The document cannot be imported; ``message`` says why in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Person:
    name: str
    role: str = "host"
    group: str = "cast"
    href: str = ""
    img: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "role": self.role, "group": self.group,
                "href": self.href, "img": self.img}  # fmt: skip


@dataclass
class Item:
    guid: str
    title: str
    description: str = ""
    publish_at: datetime | None = None
    enclosure_url: str = ""
    enclosure_length: int = 0
    enclosure_type: str = ""
    season: int | None = None
    number: int | None = None
    episode_type: str = "full"
    explicit: bool = False
    image_url: str = ""
    duration_seconds: float | None = None
    chapters_url: str = ""
    transcript_url: str = ""
    transcript_type: str = ""
    persons: list[Person] = field(default_factory=list)
    problem: str = ""  # set when the item cannot be imported (reported, skipped)


@dataclass
class ParsedFeed:
    url: str
    title: str
    description: str = ""
    language: str = "en"
    author: str = ""
    owner_name: str = ""
    owner_email: str = ""
    category: str = ""
    subcategory: str = ""
    explicit: bool = False
    show_type: str = "episodic"
    link: str = ""
    copyright: str = ""
    image_url: str = ""
    podcast_guid: str = ""
    locked: bool = False
    locked_owner: str = ""
    funding_url: str = ""
    funding_text: str = ""
    persons: list[Person] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def importable(self) -> list[Item]:
        return [item for item in self.items if not item.problem]


def parse_feed(data: bytes, url: str, content_type: str = "") -> ParsedFeed:
    """Read a feed document fetched from ``url``; FeedProblem when it is not one."""
    head = data[:2048].lstrip().lower()
    if content_type in ("text/html", "application/xhtml+xml") or head.startswith(
        (b"<!doctype html", b"<html")
    ):
        raise FeedProblem(
            f"{url} is a web page (HTML), not an RSS feed. Open it in a browser and look "
            "for the feed's address (often behind an 'RSS' or 'Subscribe' link)."
        )
    parsed = feedparser.parse(data, response_headers={"content-location": url})
    version = parsed.get("version") or ""
    if not version.startswith("rss") and not version.startswith("atom"):
        reason = parsed.get("bozo_exception")
        detail = f" ({reason})" if reason else ""
        raise FeedProblem(f"{url} is not an RSS feed: the document is not readable XML{detail}.")
    channel = parsed.feed
    if not channel.get("title") and not parsed.entries:
        raise FeedProblem(f"{url} has no channel title and no items: it is not a podcast feed.")
    extras = _podcast_tags(data)
    feed = ParsedFeed(url=url, title=_clean(channel.get("title")) or "Imported show")
    feed.description = _description(channel.get("summary") or channel.get("subtitle") or "")
    feed.language = (channel.get("language") or "en").strip()[:35]
    author = extras.get("itunes_author") or channel.get("author") or ""
    feed.author = _clean(author)[:300]
    owner = channel.get("publisher_detail") or {}
    feed.owner_name = _clean(owner.get("name") or "")[:300]
    feed.owner_email = _clean(owner.get("email") or "")[:254]
    feed.explicit = _yes(channel.get("itunes_explicit"))
    feed.show_type = "serial" if (extras["itunes_type"] == "serial") else "episodic"
    feed.link = _absolute(url, channel.get("link") or "")[:1000]
    feed.copyright = _clean(channel.get("rights") or "")[:500]
    feed.image_url = _absolute(url, (channel.get("image") or {}).get("href") or "")
    feed.category, feed.subcategory = extras["category"]
    feed.podcast_guid = extras["guid"]
    feed.locked, feed.locked_owner = extras["locked"]
    feed.funding_url, feed.funding_text = extras["funding"]
    feed.persons = extras["persons"]
    feed.items = _items(parsed.entries, url, extras["items"])
    if not feed.items:
        raise FeedProblem(f"{url} has no items: there is no episode to import.")
    if not feed.importable:
        reasons = sorted({item.problem for item in feed.items})
        raise FeedProblem(
            f"None of the {len(feed.items)} items of {url} can be imported: " + " ".join(reasons)
        )
    return feed


def _items(entries: list[Any], url: str, extras: dict[str, dict[str, Any]]) -> list[Item]:
    items, seen = [], set()
    for entry in entries:
        enclosure = next(
            (link for link in entry.get("links", []) if link.get("rel") == "enclosure"), None
        )
        enclosure_url = _absolute(url, enclosure.get("href", "")) if enclosure else ""
        guid = (entry.get("id") or "").strip() or enclosure_url
        item = Item(guid=guid, title=_clean(entry.get("title")) or "Untitled episode")
        item.title = item.title[:300]
        item.description = _description(
            (entry.get("content") or [{}])[0].get("value") or entry.get("summary") or ""
        )
        published = entry.get("published_parsed") or entry.get("updated_parsed")
        if published:
            item.publish_at = datetime.fromtimestamp(calendar.timegm(published), UTC)
        if enclosure:
            item.enclosure_url = enclosure_url
            item.enclosure_type = (enclosure.get("type") or "").split(";")[0].strip().lower()
            item.enclosure_length = _int(enclosure.get("length")) or 0
        item.season = _int(entry.get("itunes_season"))
        item.number = _int(entry.get("itunes_episode"))
        episode_type = (entry.get("itunes_episodetype") or "full").strip().lower()
        item.episode_type = episode_type if episode_type in ("full", "trailer", "bonus") else "full"
        item.explicit = _yes(entry.get("itunes_explicit"))
        item.image_url = _absolute(url, (entry.get("image") or {}).get("href") or "")
        item.duration_seconds = _duration(entry.get("itunes_duration"))
        extra = extras.get(guid) or extras.get(enclosure_url) or {}
        item.chapters_url = _absolute(url, extra.get("chapters", ""))
        item.transcript_url = _absolute(url, extra.get("transcript", ("", ""))[0])
        item.transcript_type = extra.get("transcript", ("", ""))[1]
        item.persons = extra.get("persons", [])
        if not guid:
            item.problem = "An item has neither a guid nor an enclosure."
        elif not item.enclosure_url:
            item.problem = f"'{item.title}' has no enclosure (no audio file)."
        elif len(guid) > MAX_GUID:
            item.problem = f"'{item.title}' has a guid longer than {MAX_GUID} characters."
        elif guid in seen:
            item.problem = (
                f"'{item.title}' repeats the guid {guid!r} of an earlier item; podcast apps "
                "would show only one of them, so only the first is imported."
            )
        elif item.enclosure_type and not item.enclosure_type.startswith(AUDIO_TYPES_HINT):
            item.problem = f"'{item.title}' links to {item.enclosure_type}, not audio."
        seen.add(guid)
        items.append(item)
    return items


def _podcast_tags(data: bytes) -> dict[str, Any]:
    """Podcasting 2.0 and iTunes tags that feedparser does not keep (empty when lxml
    cannot read the document strictly: feedparser's lenient reading still applies)."""
    result: dict[str, Any] = {"guid": "", "locked": (False, ""), "funding": ("", ""),
                              "persons": [], "items": {}, "category": ("", ""),
                              "itunes_type": ""}  # fmt: skip
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return result
    channel = root.find("channel")
    if channel is None:
        return result
    p, it = f"{{{PODCAST_NS}}}", f"{{{ITUNES_NS}}}"
    result["guid"] = (channel.findtext(p + "guid") or "").strip()[:36]
    locked = channel.find(p + "locked")
    if locked is not None:
        result["locked"] = (
            (locked.text or "").strip().lower() == "yes",
            (locked.get("owner") or "").strip(),
        )
    funding = channel.find(p + "funding")
    if funding is not None:
        result["funding"] = ((funding.get("url") or "")[:1000], _clean(funding.text)[:128])
    result["persons"] = [_person(node) for node in channel.findall(p + "person")][:50]
    result["itunes_type"] = (channel.findtext(it + "type") or "").strip().lower()
    result["itunes_author"] = _clean(channel.findtext(it + "author"))
    category = channel.find(it + "category")
    if category is not None:
        sub = category.find(it + "category")
        result["category"] = (
            (category.get("text") or "").strip(),
            (sub.get("text") or "").strip() if sub is not None else "",
        )
    for node in channel.findall("item"):
        extra: dict[str, Any] = {}
        chapters = node.find(p + "chapters")
        if chapters is not None:
            extra["chapters"] = chapters.get("url") or ""
        transcripts = node.findall(p + "transcript")
        if transcripts:
            extra["transcript"] = (
                transcripts[0].get("url") or "",
                transcripts[0].get("type") or "",
            )
        extra["persons"] = [_person(person) for person in node.findall(p + "person")][:50]
        enclosure = node.find("enclosure")
        for key in ((node.findtext("guid") or "").strip(),
                    enclosure.get("url", "") if enclosure is not None else ""):  # fmt: skip
            if key:
                result["items"].setdefault(key, extra)
    return result


def _person(node: Any) -> Person:
    return Person(
        name=_clean(node.text)[:128],
        role=(node.get("role") or "host").lower()[:50],
        group=(node.get("group") or "cast").lower()[:50],
        href=(node.get("href") or "")[:1000],
        img=(node.get("img") or "")[:1000],
    )


_SPACES = re.compile(r"\s+")


def _clean(value: Any) -> str:
    return _SPACES.sub(" ", str(value or "")).strip()


def _description(html: str) -> str:
    return html.strip()[:MAX_DESCRIPTION]


def _absolute(base: str, href: str) -> str:
    href = (href or "").strip()
    return urljoin(base, href) if href else ""


def _yes(value: Any) -> bool:
    return str(value or "").strip().lower() in ("yes", "true", "explicit", "1")


def _int(value: Any) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 <= number <= 1_000_000 else None


def _duration(value: Any) -> float | None:
    """itunes:duration: seconds, or [[HH:]MM:]SS."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        seconds = 0.0
        for part in text.split(":"):
            seconds = seconds * 60 + float(part)
    except ValueError:
        return None
    return seconds if 0 <= seconds < 100 * 3600 else None
