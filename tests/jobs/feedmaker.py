"""Podcast feeds for the import tests, written the way other hosts write them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape


@dataclass
class SourceEpisode:
    guid: str | None
    title: str
    audio_url: str
    length: int = 0
    mime: str = "audio/mpeg"
    published: datetime = field(default_factory=lambda: datetime(2024, 1, 1, 9, tzinfo=UTC))
    description: str = "<p>Notes with <b>bold</b> and <script>alert(1)</script></p>"
    season: int | None = None
    number: int | None = None
    extra: str = ""


def episodes(server, audio_path, count: int, prefix: str = "ep") -> list[SourceEpisode]:
    """``count`` episodes whose audio is served by ``server`` (one path each)."""
    from tests.jobs.httpserver import Route

    data = audio_path.read_bytes()
    made = []
    start = datetime(2020, 3, 1, 7, 30, tzinfo=UTC)
    for n in range(1, count + 1):
        url = server.add(f"/audio/{prefix}{n}.mp3", Route(body=data, content_type="audio/mpeg"))
        made.append(
            SourceEpisode(
                guid=f"https://old-host.example/?p={n}&{prefix}",
                title=f"Episode {n}: {prefix}",
                audio_url=url,
                length=len(data),
                published=start + timedelta(days=7 * n, minutes=n),
                season=1 + n // 100,
                number=n,
            )
        )
    return made


def rss(items: list[SourceEpisode], title: str = "Old Show", channel_extra: str = "",
        link: str = "https://old-host.example/show") -> str:  # fmt: skip
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
        'xmlns:podcast="https://podcastindex.org/namespace/1.0">',
        "<channel>",
        f"<title>{escape(title)}</title>",
        f"<link>{escape(link)}</link>",
        "<description>A show that moves house.</description>",
        "<language>fr</language>",
        "<copyright>© Old Host</copyright>",
        "<itunes:author>Ann Author</itunes:author>",
        "<itunes:owner><itunes:name>Owen Owner</itunes:name>"
        "<itunes:email>owen@example.com</itunes:email></itunes:owner>",
        '<itunes:category text="Technology"/>',
        "<itunes:explicit>false</itunes:explicit>",
        "<itunes:type>serial</itunes:type>",
        '<podcast:funding url="https://donate.example/">Support us</podcast:funding>',
        '<podcast:person role="host" href="https://ann.example">Ann Author</podcast:person>',
        channel_extra,
    ]
    for item in reversed(items):  # newest first, as hosts do
        out.append("<item>")
        out.append(f"<title>{escape(item.title)}</title>")
        if item.guid is not None:
            out.append(f'<guid isPermaLink="false">{escape(item.guid)}</guid>')
        out.append(f"<pubDate>{format_datetime(item.published)}</pubDate>")
        out.append(f"<description>{escape(item.description)}</description>")
        out.append(
            f'<enclosure url="{escape(item.audio_url)}" length="{item.length}" type="{item.mime}"/>'
        )
        if item.season is not None:
            out.append(f"<itunes:season>{item.season}</itunes:season>")
        if item.number is not None:
            out.append(f"<itunes:episode>{item.number}</itunes:episode>")
        out.append("<itunes:duration>00:01</itunes:duration>")
        out.append(item.extra)
        out.append("</item>")
    out += ["</channel>", "</rss>"]
    return "\n".join(out)
