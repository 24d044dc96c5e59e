"""The feed checklist: what Apple Podcasts and the Podcasting 2.0 namespace require
(``error``) or recommend (``warning``) that a rendered feed misses, each finding with a
sentence on how to fix it.

Sources: Apple's "Podcast RSS feed requirements" and "Artwork requirements" (Podcasts
Connect help): required channel tags title, description (≤ 4,000 bytes), itunes:image
(JPEG/PNG, square, 1400-3000 px, RGB), language, itunes:category (Apple's list),
itunes:explicit; recommended itunes:author, link, itunes:owner e-mail; required item
tags title, enclosure (url, length, a type Apple plays), guid (unique); recommended
pubDate, itunes:duration. Podcasting 2.0: podcast:guid, podcast:locked, a licence URL
for non-SPDX licences, soundbites of 15-120 s, transcripts and chapters recommended.

It reads the XML only (plus the artwork's bytes through ``fetch``): what is checked is
exactly what apps receive.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import asdict, dataclass
from email.utils import parsedate_to_datetime
from typing import Any

from lxml import etree
from PIL import Image, UnidentifiedImageError

from publisher.podcasting.apple import APPLE_CATEGORIES, APPLE_ENCLOSURE_TYPES
from publisher.podcasting.artwork import MAX_SIDE, MIN_SIDE
from publisher.podcasting.elements import DESCRIPTION_MAX_BYTES, SPDX_COMMON

ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
PODCAST = "{https://podcastindex.org/namespace/1.0}"
EXPLICIT_VALUES = ("true", "false")
API = "the API (PATCH /api/v1/shows/<slug>)"


@dataclass(frozen=True)
class Finding:
    level: str  # "error" (required) or "warning" (recommended)
    scope: str  # "show" or "episode"
    code: str
    message: str
    fix: str
    episode: str | None = None  # the item's guid
    episode_title: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Collector:
    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.item: tuple[str | None, str | None] = (None, None)

    def show(self, level: str, code: str, message: str, fix: str) -> None:
        self.findings.append(Finding(level, "show", code, message, fix))

    def episode(self, level: str, code: str, message: str, fix: str) -> None:
        guid, title = self.item
        self.findings.append(Finding(level, "episode", code, message, fix, guid, title))


def _text(parent: Any, tag: str) -> str | None:
    element = parent.find(tag)
    return None if element is None else (element.text or "").strip()


def check_feed(body: bytes, fetch: Callable[[str], bytes | None] | None = None) -> list[Finding]:
    """Every finding for the feed document ``body`` (empty: nothing to fix)."""
    out = _Collector()
    try:
        root = etree.fromstring(body)
    except etree.XMLSyntaxError as exc:
        out.show(
            "error",
            "not_xml",
            f"The feed is not well-formed XML ({exc}).",
            "Report this: the feed builder must always write valid XML.",
        )
        return out.findings
    channel = root.find("channel")
    if root.tag != "rss" or root.get("version") != "2.0" or channel is None:
        out.show(
            "error",
            "not_rss",
            "The document is not an RSS 2.0 feed.",
            "Check the feed URL: it must be the show's feed.xml.",
        )
        return out.findings
    _channel(channel, out, fetch)
    items = channel.findall("item")
    if not items:
        out.show(
            "error",
            "no_episodes",
            "The feed has no episodes; Apple refuses empty feeds.",
            "Publish at least one episode with audio.",
        )
    guids: set[str] = set()
    for item in items:
        out.item = (_text(item, "guid"), _text(item, "title"))
        _item(item, out, guids)
    return out.findings


def _channel(channel: Any, out: _Collector, fetch: Callable[[str], bytes | None] | None) -> None:
    fixes = {
        "title": "Give the show a title.",
        "description": "Write a show description (what the show is about, for whom).",
        "language": "Set the show's language (a BCP 47 code such as en or fr-CA).",
        "link": "Set the show's link to its website.",
    }
    for tag, fix in fixes.items():
        if not _text(channel, tag):
            level = "warning" if tag == "link" else "error"
            out.show(level, f"{tag}_missing", f"The channel has no <{tag}>.", fix)
    description = _text(channel, "description") or ""
    if len(description.encode()) > DESCRIPTION_MAX_BYTES:
        out.show(
            "error",
            "description_too_long",
            f"The description is {len(description.encode())} bytes; Apple accepts "
            f"{DESCRIPTION_MAX_BYTES}.",
            "Shorten the show description.",
        )
    if not _text(channel, f"{ITUNES}author"):
        out.show(
            "warning",
            "author_missing",
            "<itunes:author> is missing.",
            f"Set the show's author through {API} (field author).",
        )
    email = channel.find(f"{ITUNES}owner/{ITUNES}email")
    if email is None or "@" not in (email.text or ""):
        out.show(
            "warning",
            "owner_email_missing",
            "<itunes:owner> has no e-mail: Apple and the Podcast Index use it to verify ownership.",
            "Set owner_name and owner_email (an admin can).",
        )
    if _text(channel, f"{ITUNES}explicit") not in EXPLICIT_VALUES:
        out.show(
            "error",
            "explicit_invalid",
            "<itunes:explicit> must be true or false.",
            "Set the show's explicit field to true or false.",
        )
    _categories(channel, out)
    _artwork(channel, out, fetch)
    if channel.find(f"{PODCAST}guid") is None:
        out.show(
            "warning",
            "podcast_guid_missing",
            "<podcast:guid> is missing.",
            "Every show has one: report this.",
        )
    if channel.find(f"{PODCAST}locked") is None:
        out.show(
            "warning",
            "locked_missing",
            "<podcast:locked> is missing.",
            "Set locked (true protects the feed from being imported elsewhere).",
        )
    license_element = channel.find(f"{PODCAST}license")
    if license_element is not None and not license_element.get("url"):
        name = (license_element.text or "").strip().lower()
        if name not in SPDX_COMMON:
            out.show(
                "warning",
                "license_url_missing",
                f"The licence {name!r} is not a known SPDX identifier and has no URL.",
                "Use an SPDX identifier (e.g. cc-by-4.0) or set license_url.",
            )


def _categories(channel: Any, out: _Collector) -> None:
    categories = channel.findall(f"{ITUNES}category")
    if not categories:
        out.show(
            "error",
            "category_missing",
            "<itunes:category> is missing.",
            "Choose an Apple Podcasts category (field categories).",
        )
    if len(categories) > 3:
        out.show(
            "warning",
            "too_many_categories",
            "Apple reads only the first 3 categories.",
            "Keep at most three categories.",
        )
    for category in categories:
        name = category.get("text")
        if name not in APPLE_CATEGORIES:
            out.show(
                "error",
                "category_invalid",
                f"{name!r} is not an Apple category.",
                "Choose one of Apple's categories.",
            )
            continue
        for sub in category.findall(f"{ITUNES}category"):
            if sub.get("text") not in APPLE_CATEGORIES[name]:
                out.show(
                    "error",
                    "subcategory_invalid",
                    f"{sub.get('text')!r} is not a subcategory of {name!r}.",
                    f"Choose one of {name}'s subcategories.",
                )


def _artwork(channel: Any, out: _Collector, fetch: Callable[[str], bytes | None] | None) -> None:
    upload = (
        "Upload square JPEG or PNG artwork, 1400-3000 px, RGB: PUT /api/v1/shows/<slug>/artwork."
    )
    image = channel.find(f"{ITUNES}image")
    href = image.get("href") if image is not None else None
    if not href:
        out.show(
            "error",
            "artwork_missing",
            "<itunes:image> (artwork) is missing: Apple refuses the show.",
            upload,
        )
        return
    if not href.split("?")[0].lower().endswith((".jpg", ".jpeg", ".png")):
        out.show("error", "artwork_extension", "The artwork URL must end in .jpg or .png.", upload)
        return
    if fetch is None:
        return
    data = fetch(href)
    if not data:
        out.show(
            "error",
            "artwork_unreachable",
            "The artwork URL does not answer.",
            "Upload the artwork again (the stored file is missing).",
        )
        return
    try:
        with Image.open(io.BytesIO(data)) as found:
            fmt, (width, height), mode = found.format, found.size, found.mode
    except (UnidentifiedImageError, OSError):
        out.show("error", "artwork_unreadable", "The artwork is not a readable image.", upload)
        return
    if fmt not in ("JPEG", "PNG"):
        out.show("error", "artwork_format", f"The artwork is {fmt}, not JPEG or PNG.", upload)
    if width != height or not MIN_SIDE <= width <= MAX_SIDE:
        out.show(
            "error",
            "artwork_size",
            f"The artwork is {width} x {height} px; Apple wants a square of "
            f"{MIN_SIDE}-{MAX_SIDE} px.",
            upload,
        )
    if mode != "RGB":
        out.show(
            "error", "artwork_colour", f"The artwork's colour mode is {mode}, not RGB.", upload
        )


def _item(item: Any, out: _Collector, guids: set[str]) -> None:
    if not _text(item, "title"):
        out.episode("error", "title_missing", "The episode has no <title>.", "Give it a title.")
    enclosure = item.find("enclosure")
    if enclosure is None:
        out.episode(
            "error",
            "enclosure_missing",
            "The episode has no <enclosure> (audio).",
            "Upload the episode's audio.",
        )
    else:
        _enclosure(enclosure, out)
    guid = _text(item, "guid")
    if not guid:
        out.episode("error", "guid_missing", "The episode has no <guid>.", "Report this.")
    elif guid in guids:
        out.episode("error", "guid_duplicate", f"The guid {guid} is used twice.", "Report this.")
    guids.add(guid or "")
    try:
        parsedate_to_datetime(_text(item, "pubDate") or "")
    except (TypeError, ValueError):
        out.episode(
            "error",
            "pubdate_invalid",
            "<pubDate> is missing or not RFC 2822.",
            "Set the episode's publish_at.",
        )
    duration = _text(item, f"{ITUNES}duration")
    if duration is None or not duration.isdigit():
        out.episode(
            "warning",
            "duration_missing",
            "<itunes:duration> is missing.",
            "Upload the audio again so its duration is measured.",
        )
    explicit = _text(item, f"{ITUNES}explicit")
    if explicit is not None and explicit not in EXPLICIT_VALUES:
        out.episode(
            "error",
            "explicit_invalid",
            "<itunes:explicit> must be true or false.",
            "Set the episode's explicit field.",
        )
    episode_type = _text(item, f"{ITUNES}episodeType")
    if episode_type is not None and episode_type not in ("full", "trailer", "bonus"):
        out.episode(
            "error",
            "episode_type_invalid",
            f"<itunes:episodeType> {episode_type!r}.",
            "Use full, trailer or bonus.",
        )
    for tag in ("episode", "season"):
        value = _text(item, f"{ITUNES}{tag}")
        if value is not None and (not value.isdigit() or int(value) < 1):
            out.episode(
                "error",
                f"{tag}_invalid",
                f"<itunes:{tag}> must be a positive number.",
                f"Set the episode's {'number' if tag == 'episode' else tag} from 1.",
            )
    for bite in item.findall(f"{PODCAST}soundbite"):
        length = float(bite.get("duration") or 0)
        if not 15 <= length <= 120:
            out.episode(
                "warning",
                "soundbite_length",
                f"A soundbite lasts {length:g} s; apps expect 15 to 120 seconds.",
                "Change the soundbite's duration.",
            )
    if item.find(f"{PODCAST}transcript") is None:
        out.episode(
            "warning",
            "transcript_missing",
            "The episode has no transcript.",
            "Upload one: POST /api/v1/episodes/<id>/transcripts (SRT or WebVTT).",
        )


def _enclosure(enclosure: Any, out: _Collector) -> None:
    url = enclosure.get("url") or ""
    if not url.startswith(("http://", "https://")):
        out.episode(
            "error",
            "enclosure_url",
            "The enclosure URL is not absolute.",
            "Set PUBLIC_URL to the site's public address.",
        )
    length = enclosure.get("length") or ""
    if not length.isdigit() or int(length) <= 0:
        out.episode(
            "error",
            "enclosure_length",
            "The enclosure length is not a byte count.",
            "Upload the audio again.",
        )
    kind = enclosure.get("type")
    if kind not in APPLE_ENCLOSURE_TYPES:
        out.episode(
            "error",
            "enclosure_type",
            f"Apple Podcasts will not play this audio ({kind}): Opus, FLAC, Ogg and WAV "
            "are not accepted.",
            "Upload an MP3 or AAC (M4A) version as the episode's audio, or add one as an "
            "alternate enclosure for other apps to keep the original.",
        )


def error_messages(findings: list[Finding]) -> list[str]:
    return [finding.message for finding in findings if finding.level == "error"]
