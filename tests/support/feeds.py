"""Feed test helpers: parse a feed with every parser, a PNG maker, stored files and a
bulk episode insert."""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import feedparser
import podcastparser
from lxml import etree
from sqlalchemy import insert

from publisher.extensions import db
from publisher.media.storage import get_storage
from publisher.models import Episode, Show, utcnow

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "atom": "http://www.w3.org/2005/Atom",
}


@dataclass
class ParsedFeed:
    response: Any
    root: etree._Element
    pp: dict[str, Any]  # podcastparser
    fp: Any  # feedparser

    @property
    def items(self) -> list[etree._Element]:
        return self.root.findall("channel/item")

    def channel(self, path: str) -> etree._Element | None:
        return self.root.find(f"channel/{path}", NS)


def parse_feed(body: bytes, url: str = "http://publisher.test/feed.xml") -> ParsedFeed:
    root = etree.fromstring(body)  # raises on anything not well-formed
    pp = podcastparser.parse(url, io.BytesIO(body))
    fp = feedparser.parse(body)
    assert not fp.bozo, fp.get("bozo_exception")
    return ParsedFeed(None, root, pp, fp)


def get_feed(client, show: Show, **params) -> ParsedFeed:
    response = client.get(f"/shows/{show.slug}/feed.xml", query_string=params)
    assert response.status_code == 200, response.data[:500]
    parsed = parse_feed(response.data, f"http://publisher.test/shows/{show.slug}/feed.xml")
    parsed.response = response
    return parsed


def png_bytes(width: int, height: int, rgb: tuple[int, int, int] = (30, 90, 160)) -> bytes:
    """A real PNG of one colour (no image library needed)."""
    row = b"\x00" + bytes(rgb) * width
    raw = row * height

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def store(app, key: str, data: bytes, content_type: str) -> None:
    with app.app_context():
        get_storage().save(key, io.BytesIO(data), content_type=content_type)


def bulk_episodes(app, show: Show, count: int, **fields) -> None:
    """Insert ``count`` public episodes in one statement (fast enough for thousands)."""
    now = utcnow()
    rows = [
        {
            "show_id": show.id,
            "slug": f"bulk-{n}",
            "title": f"Bulk episode {n}",
            "description": f"<p>Notes for episode {n}.</p>",
            "status": "published",
            "publish_at": now - timedelta(hours=count - n + 1),
            "season": 1 + n // 100,
            "number": n,
            "storage_key": f"shows/{show.id}/bulk-{n}.mp3",
            "mime_type": "audio/mpeg",
            "size_bytes": 1_000_000 + n,
            "duration_seconds": 600.0 + n,
            **fields,
        }
        for n in range(1, count + 1)
    ]
    with app.app_context():
        db.session.execute(insert(Episode), rows)
        db.session.commit()
