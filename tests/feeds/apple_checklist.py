"""Apple Podcasts' documented feed requirements, as a checklist that lists every miss.

From Apple's "Podcast RSS feed requirements" (Podcasts Connect help): required channel
tags (title, description, itunes:image, language, itunes:category, itunes:explicit),
recommended ones (itunes:author, link, itunes:owner with email), artwork (JPEG or PNG,
square, 1400-3000 px), required item tags (title, enclosure with url/length/type of an
accepted type, guid), recommended item tags (pubDate, itunes:duration, description),
explicit values, unique guids, and the values Apple accepts for episode metadata.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from email.utils import parsedate_to_datetime

from lxml import etree

from publisher.podcasting.apple import APPLE_CATEGORIES, APPLE_ENCLOSURE_TYPES

ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
EXPLICIT_VALUES = {"true", "false"}


def image_size(data: bytes) -> tuple[str, int, int] | None:
    """(format, width, height) of a PNG or JPEG, read from its header."""
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        width, height = struct.unpack(">II", data[16:24])
        return "png", width, height
    if data[:2] == b"\xff\xd8":
        index = 2
        while index < len(data) - 9:
            if data[index] != 0xFF:
                index += 1
                continue
            marker = data[index + 1]
            length = struct.unpack(">H", data[index + 2 : index + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                height, width = struct.unpack(">HH", data[index + 5 : index + 9])
                return "jpeg", width, height
            index += 2 + length
    return None


def apple_problems(body: bytes, fetch: Callable[[str], bytes | None] | None = None) -> list[str]:
    """Every way the feed misses Apple's requirements (empty: it passes)."""
    problems: list[str] = []
    root = etree.fromstring(body)
    if root.tag != "rss" or root.get("version") != "2.0":
        return ["the document is not RSS 2.0"]
    if ITUNES[1:-1] not in root.nsmap.values():
        problems.append("the itunes namespace is not declared on <rss>")
    channel = root.find("channel")
    if channel is None:
        return ["no <channel>"]

    def text_of(parent, tag):
        element = parent.find(tag)
        return None if element is None else (element.text or "").strip()

    for tag in ("title", "description", "language", "link"):
        if not text_of(channel, tag):
            problems.append(f"channel <{tag}> is missing or empty")
    description = text_of(channel, "description") or ""
    if len(description.encode()) > 4000:
        problems.append("channel <description> is longer than 4000 bytes")
    if not text_of(channel, f"{ITUNES}author"):
        problems.append("channel <itunes:author> is missing")
    owner_email = channel.find(f"{ITUNES}owner/{ITUNES}email")
    if owner_email is None or "@" not in (owner_email.text or ""):
        problems.append("channel <itunes:owner><itunes:email> is missing")
    if text_of(channel, f"{ITUNES}explicit") not in EXPLICIT_VALUES:
        problems.append("channel <itunes:explicit> must be true or false")
    show_type = text_of(channel, f"{ITUNES}type")
    if show_type is not None and show_type not in ("episodic", "serial"):
        problems.append(f"channel <itunes:type> {show_type!r} is not episodic or serial")

    categories = channel.findall(f"{ITUNES}category")
    if not categories:
        problems.append("channel <itunes:category> is missing")
    for category in categories:
        name = category.get("text")
        if name not in APPLE_CATEGORIES:
            problems.append(f"category {name!r} is not an Apple category")
            continue
        for sub in category.findall(f"{ITUNES}category"):
            if sub.get("text") not in APPLE_CATEGORIES[name]:
                problems.append(f"{sub.get('text')!r} is not a subcategory of {name!r}")

    image = channel.find(f"{ITUNES}image")
    href = image.get("href") if image is not None else None
    if not href:
        problems.append("channel <itunes:image href> (artwork) is missing")
    elif not href.split("?")[0].lower().endswith((".jpg", ".jpeg", ".png")):
        problems.append("artwork URL must end in .jpg or .png")
    elif fetch is not None:
        data = fetch(href)
        found = image_size(data) if data else None
        if found is None:
            problems.append("artwork is not a readable JPEG or PNG")
        else:
            _, width, height = found
            if width != height or not 1400 <= width <= 3000:
                problems.append(f"artwork is {width}x{height}; Apple wants square 1400-3000 px")

    items = channel.findall("item")
    if not items:
        problems.append("the feed has no episodes")
    guids: set[str] = set()
    for position, item in enumerate(items, 1):
        where = f"item {position}"
        if not text_of(item, "title"):
            problems.append(f"{where}: <title> is missing")
        enclosure = item.find("enclosure")
        if enclosure is None:
            problems.append(f"{where}: <enclosure> is missing")
        else:
            if not (enclosure.get("url") or "").startswith(("http://", "https://")):
                problems.append(f"{where}: enclosure url is not absolute")
            if not (enclosure.get("length") or "").isdigit() or int(enclosure.get("length")) <= 0:
                problems.append(f"{where}: enclosure length is not a positive byte count")
            if enclosure.get("type") not in APPLE_ENCLOSURE_TYPES:
                problems.append(f"{where}: enclosure type {enclosure.get('type')!r} not accepted")
        guid = text_of(item, "guid")
        if not guid:
            problems.append(f"{where}: <guid> is missing")
        elif guid in guids:
            problems.append(f"{where}: <guid> {guid} is not unique")
        guids.add(guid or "")
        pub_date = text_of(item, "pubDate")
        try:
            parsedate_to_datetime(pub_date or "")
        except (TypeError, ValueError):
            problems.append(f"{where}: <pubDate> is missing or not RFC 2822")
        duration = text_of(item, f"{ITUNES}duration")
        if duration is None or not duration.isdigit():
            problems.append(f"{where}: <itunes:duration> is missing or not whole seconds")
        explicit = text_of(item, f"{ITUNES}explicit")
        if explicit is not None and explicit not in EXPLICIT_VALUES:
            problems.append(f"{where}: <itunes:explicit> must be true or false")
        episode_type = text_of(item, f"{ITUNES}episodeType")
        if episode_type is not None and episode_type not in ("full", "trailer", "bonus"):
            problems.append(f"{where}: <itunes:episodeType> {episode_type!r} is not accepted")
        for tag in ("episode", "season"):
            value = text_of(item, f"{ITUNES}{tag}")
            if value is not None and (not value.isdigit() or int(value) < 1):
                problems.append(f"{where}: <itunes:{tag}> must be a positive whole number")
        item_image = item.find(f"{ITUNES}image")
        if item_image is not None and not item_image.get("href"):
            problems.append(f"{where}: <itunes:image> without href")
    return problems
