"""The articles Atom feed, the sitemap and robots.txt."""

from __future__ import annotations

import calendar
from datetime import timedelta

import feedparser
from lxml import etree

from publisher.extensions import db
from publisher.models import Article, Episode, utcnow

SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def test_the_articles_feed_is_atom_with_full_content_and_enclosures(client, factory):
    show = factory.show()
    first = factory.episode(show=show, title="Ep one", size_bytes=1234)
    second = factory.episode(
        show=show, title="Ep two", mime_type="audio/mp4", storage_key="a/b.m4a"
    )
    draft_episode = factory.episode(show=show, public=False)
    article = factory.article(
        title="Big <news> & more",
        body_markdown="Hello **world**\n\n<script>alert(1)</script>",
        tags=["Politics", "Local News"],
        episodes=[second, first, draft_episode],
        publish_at=utcnow() - timedelta(hours=2),
    )
    factory.article(title="Older", publish_at=utcnow() - timedelta(days=3))
    factory.article(title="Draft", public=False)
    factory.article(title="Later", status="scheduled", publish_at=utcnow() + timedelta(days=1))

    answer = client.get("/feed.xml")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    etree.fromstring(answer.data)
    feed = feedparser.parse(answer.data)
    assert not feed.bozo and feed.version == "atom10"
    assert [e.title for e in feed.entries] == ["Big <news> & more", "Older"]
    entry = feed.entries[0]
    assert entry.link == f"http://publisher.test/articles/{article.slug}"
    assert entry.id.startswith("tag:publisher.test,") and entry.id.endswith(
        f":article:{article.id}"
    )
    assert calendar.timegm(entry.published_parsed) == int(article.publish_at.timestamp())
    html = entry.content[0].value
    assert "<strong>world</strong>" in html and "<script>" not in html
    assert [t.term for t in entry.tags] == ["local-news", "politics"]
    enclosures = [(e.href, int(e.length), e.type) for e in entry.enclosures]
    assert enclosures == [
        (f"http://publisher.test/media/{second.guid}.m4a", 1000, "audio/x-m4a"),
        (f"http://publisher.test/media/{first.guid}.mp3", 1234, "audio/mpeg"),
    ]
    assert feed.feed.links[0].href == "http://publisher.test/feed.xml"
    again = client.get("/feed.xml", headers={"If-None-Match": answer.headers["ETag"]})
    assert again.status_code == 304


def test_the_articles_feed_changes_when_links_or_tags_change(app, client, factory):
    show = factory.show()
    episode = factory.episode(show=show)
    article = factory.article(tags=["One"])
    first = client.get("/feed.xml").headers["ETag"]
    with app.app_context():
        linked = db.session.get(Episode, episode.id)
        row = db.session.get(Article, article.id)
        with db.session.no_autoflush:  # set_episodes on a stored article warns otherwise
            row.set_episodes([linked])
        db.session.commit()
    second = client.get("/feed.xml")
    assert second.headers["ETag"] != first
    assert episode.guid.encode() in second.data


def test_the_sitemap_lists_public_pages_with_lastmod(client, factory):
    show = factory.show(slug="talk")
    factory.episode(show=show, slug="ep-1", tags=["Science"])
    factory.episode(show=show, slug="secret", public=False)
    hidden_show = factory.show(slug="hidden", status="draft")
    factory.episode(show=hidden_show, slug="nope")
    factory.article(slug="news", tags=["Politics"])
    factory.article(slug="draft-article", public=False, tags=["Unused"])

    answer = client.get("/sitemap.xml")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/xml; charset=utf-8"
    root = etree.fromstring(answer.data)
    entries = {
        u.findtext("s:loc", namespaces=SITEMAP): u.findtext("s:lastmod", namespaces=SITEMAP)
        for u in root.findall("s:url", SITEMAP)
    }
    base = "http://publisher.test"
    assert set(entries) == {
        f"{base}/",
        f"{base}/shows/",
        f"{base}/shows/talk",
        f"{base}/shows/talk/ep-1",
        f"{base}/articles/news",
        f"{base}/tags/politics",
        f"{base}/tags/science",
    }
    assert all(value and value.endswith("Z") for value in entries.values())


def test_robots_txt_points_at_the_sitemap(client):
    answer = client.get("/robots.txt")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/plain; charset=utf-8"
    lines = answer.data.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /studio/" in lines and "Disallow: /api/" in lines
    assert "Sitemap: http://publisher.test/sitemap.xml" in lines
