"""The article page: what a reader sees, and what never appears on it."""

import json
import re
from datetime import UTC, datetime, timedelta

from publisher.extensions import db
from publisher.models import Article, ArticleRelated, utcnow
from tests.support.site import page

CHAPTERS = {
    "version": "1.2.0",
    "chapters": [
        {"startTime": 95, "title": "The interview"},
        {"startTime": 0, "title": "Opening"},
        {"startTime": 12, "title": "Hidden", "toc": False},
        {"startTime": "soon", "title": "Broken entry"},
    ],
}


def test_article_shows_date_headline_summary_author_body_and_tags(client, factory):
    factory.article(
        slug="harbour-vote",
        title="Harbour council votes on the new ferry line",
        summary="A narrow vote after a long night.",
        author_name="Ines Okafor",
        body_markdown="First paragraph.\n\n> The quay will never be the same.\n\nLast words.",
        tags=["Transport", "City hall"],
        publish_at=datetime(2021, 3, 4, 9, 5, tzinfo=UTC),
    )
    html = page(client, "/articles/harbour-vote")
    assert '<time datetime="2021-03-04T09:05:00+00:00">4 Mar 2021, 09:05</time>' in html
    assert '<h1 class="story-title">Harbour council votes on the new ferry line</h1>' in html
    assert "A narrow vote after a long night." in html
    assert '<span class="author">Ines Okafor</span>' in html
    assert "<blockquote>\n<p>The quay will never be the same.</p>\n</blockquote>" in html
    assert 'href="/tags/transport"' in html and 'href="/tags/city-hall"' in html


def test_article_body_keeps_no_script(client, factory):
    factory.article(
        slug="tricky",
        body_markdown="Hi <script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=y>",
    )
    html = page(client, "/articles/tricky")
    body = html.split('class="story-body prose">', 1)[1].split("</div>", 1)[0]
    assert "<script" not in body and "&lt;script&gt;" in body  # shown as text, never run
    assert not re.search(r"<[^>]*(onerror|javascript:)", body)


def test_linked_public_episodes_get_a_player_with_duration_download_and_chapters(client, factory):
    show = factory.show(slug="night-desk", title="Night Desk")
    first = factory.episode(
        show=show,
        slug="ep-one",
        title="Ferry economics",
        duration_seconds=1495.4,
        chapters=CHAPTERS,
    )
    second = factory.episode(
        show=show, slug="ep-two", title="Harbour voices", duration_seconds=1730
    )
    draft = factory.episode(show=show, slug="ep-draft", title="Unreleased cut", public=False)
    factory.article(slug="with-audio", episodes=[second, draft, first])
    html = page(client, "/articles/with-audio")

    assert html.count("data-player") == 2
    assert "Unreleased cut" not in html and draft.guid not in html
    # The article's order: second, then first.
    assert html.index("Harbour voices") < html.index("Ferry economics")
    enclosure = f"http://publisher.test/media/{first.guid}.mp3"
    assert f'<audio class="player-audio" controls preload="none" src="{enclosure}"' in html
    assert f'href="{enclosure}" download' in html
    assert "<span data-elapsed>0:00</span> / <span data-total>24:55</span>" in html
    assert "<span data-elapsed>0:00</span> / <span data-total>28:50</span>" in html
    assert 'href="http://publisher.test/shows/night-desk/ep-one"' in html
    # Chapters in time order; hidden and malformed ones left out.
    assert re.search(r'data-start="0.0".*Opening.*data-start="95.0".*The interview', html, re.S)
    assert "Hidden" not in html and "Broken entry" not in html


def test_share_links_are_plain_links_and_meta_describes_the_page(client, factory):
    factory.article(slug="shared", title="Tide & time", summary="Short.", tags=["Sea"])
    html = page(client, "/articles/shared")
    url = "http%3A%2F%2Fpublisher.test%2Farticles%2Fshared"
    for prefix in (
        "https://www.facebook.com/sharer/sharer.php?u=",
        "https://x.com/intent/post?url=",
        "https://t.me/share/url?url=",
        "https://vk.com/share.php?url=",
    ):
        assert f'href="{prefix}{url}' in html
    assert (
        'href="mailto:?subject=Tide%20%26%20time&amp;body=http%3A//publisher.test/articles/shared"'
        in html
    )
    assert 'data-copy="http://publisher.test/articles/shared"' in html
    assert '<link rel="canonical" href="http://publisher.test/articles/shared">' in html
    assert '<meta property="og:title" content="Tide &amp; time">' in html
    assert '<meta name="twitter:card" content="summary">' in html
    # Only our own scripts: no third-party widget.
    assert re.findall(r'<script src="([^"]+)"', html) == [
        "/static/js/site.js",
        "/static/js/player.js",
    ]


def test_json_ld_is_a_news_article_and_cannot_close_its_script(client, factory):
    factory.article(slug="ld", title="</script><script>alert(1)</script>", author_name="A & B")
    html = page(client, "/articles/ld")
    block = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block and "&" not in block
    data = json.loads(block)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "</script><script>alert(1)</script>"
    assert data["author"] == {"@type": "Person", "name": "A & B"}
    assert data["url"] == "http://publisher.test/articles/ld"


def test_read_also_lists_explicit_links_first_then_shared_tags_never_itself_or_drafts(
    app, client, factory
):
    main = factory.article(slug="main", tags=["Energy", "Coast"])
    two_tags = factory.article(slug="two-tags", title="Shares two tags", tags=["Energy", "Coast"])
    one_tag = factory.article(slug="one-tag", title="Shares one tag", tags=["Coast"])
    explicit = factory.article(slug="explicit", title="Chosen by the editor")
    factory.article(slug="unrelated", title="Nothing in common", tags=["Sport"])
    factory.article(slug="draft", title="Draft sibling", tags=["Energy"], public=False)
    factory.article(
        slug="later",
        title="Tomorrow's sibling",
        tags=["Energy"],
        status="scheduled",
        publish_at=utcnow() + timedelta(days=1),
    )
    with app.app_context():
        db.session.add(ArticleRelated(article_id=main.id, related_id=explicit.id))
        db.session.commit()

    html = page(client, "/articles/main")
    aside = html.split('class="read-also"', 1)[1]
    titles = re.findall(r'<a href="/articles/([^"]+)">', aside)
    assert titles == ["explicit", "two-tags", "one-tag"]
    assert "Draft sibling" not in html and "Tomorrow" not in html
    assert two_tags.slug in titles and one_tag.slug in titles


def test_drafts_scheduled_and_unknown_articles_are_not_found(client, factory):
    factory.article(slug="draft", public=False)
    factory.article(slug="later", status="scheduled", publish_at=utcnow() + timedelta(minutes=5))
    for slug in ("draft", "later", "missing"):
        html = page(client, f"/articles/{slug}", status=404)
        assert "Page not found" in html


def test_scheduled_article_appears_once_its_time_has_come(app, client, factory):
    article = factory.article(
        slug="soon", status="scheduled", publish_at=utcnow() + timedelta(hours=1)
    )
    page(client, "/articles/soon", status=404)
    with app.app_context():
        db.session.get(Article, article.id).publish_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    page(client, "/articles/soon")
