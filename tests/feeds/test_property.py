"""Any stored text gives a well-formed feed that parsers read back (hypothesis).

Documented normalisation (docs/feeds.md): characters XML 1.0 forbids are removed; then
podcastparser squashes runs of whitespace into one space and strips the ends of titles
and names, and feedparser strips the ends of titles.
"""

from __future__ import annotations

import io
import os

import feedparser
import podcastparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from publisher.extensions import db
from publisher.models import Episode, Show
from publisher.podcasting.xmltext import clean

ON_POSTGRES = bool(os.environ.get("PUBLISHER_TEST_DATABASE_URL"))
# PostgreSQL text cannot hold NUL at all: there it is excluded from what can be stored.
stored_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\x00" if ON_POSTGRES else None),
    max_size=120,
)


@pytest.fixture
def rows(factory) -> tuple[int, int]:
    """One show and episode, rewritten by every example (fixtures run once per test)."""
    show = factory.show()
    return show.id, factory.episode(show=show).id


def as_feedparser_reads(value: str) -> str:
    """feedparser "repairs" text that looks like UTF-8 read as Latin-1 ("Â¡" becomes "¡"),
    even in a feed that declares and is UTF-8: the same repair, applied to what we stored."""
    try:
        return value.encode("iso-8859-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def squash(value: str) -> str:
    return podcastparser.squash_whitespace(clean(value))


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    show_title=stored_text,
    author=stored_text,
    title=stored_text,
    description=stored_text,
    guest=stored_text,
    host=stored_text,
)
def test_any_stored_text_makes_a_feed_parsers_read_back(
    app, client, rows, show_title, author, title, description, guest, host
):
    show_id, episode_id = rows
    with app.app_context():
        show = db.session.get(Show, show_id)
        show.title, show.author = show_title, author
        show.hosts = [{"name": host}]
        episode = db.session.get(Episode, episode_id)
        episode.title, episode.description = title, description
        episode.persons = [{"name": guest, "role": "guest"}]
        db.session.commit()
        slug = show.slug

    body = client.get(f"/shows/{slug}/feed.xml").data
    etree.fromstring(body)  # well-formed, whatever was stored
    parsed = podcastparser.parse(f"http://publisher.test/shows/{slug}/feed.xml", io.BytesIO(body))
    (item,) = parsed["episodes"]
    expected_title = squash(title)
    if expected_title:  # an empty title makes podcastparser use the file name
        assert item["title"] == expected_title
    assert parsed["title"] == squash(show_title) or not squash(show_title)
    assert parsed.get("itunes_author", "") == squash(author)
    if clean(description).strip():
        assert item["description_html"] == clean(description).strip()

    fp = feedparser.parse(body)
    assert not fp.bozo, fp.bozo_exception
    (entry,) = fp.entries
    assert entry.get("title", "") == as_feedparser_reads(clean(title).strip())

    root = etree.fromstring(body)
    ns = {"podcast": "https://podcastindex.org/namespace/1.0"}

    def names(path: str) -> list[str]:
        return [p.text or "" for p in root.findall(path, ns)]

    def written(name: str) -> list[str]:  # blank names are left out (the spec forbids them)
        return [clean(name.strip())[:128]] if name.strip() else []

    assert names("channel/podcast:person") == written(host)
    # An item's people replace the channel's, so with a guest the host is restated.
    item_people = written(host) + written(guest) if written(guest) else []
    assert names("channel/item/podcast:person") == item_people
