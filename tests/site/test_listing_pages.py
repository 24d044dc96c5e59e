"""Home, tags, shows and episodes: public content only, paginated where lists grow."""

import json
from datetime import timedelta

import pytest

from publisher.models import utcnow
from tests.support.site import page


def test_home_lists_latest_public_articles_and_episodes_with_links(client, factory):
    show = factory.show(slug="dawn", title="Dawn Report")
    episode = factory.episode(
        show=show, slug="tuesday", title="Tuesday edition", duration_seconds=754
    )
    factory.episode(show=show, title="Secret edition", public=False)
    factory.article(slug="lead", title="Bridge reopens")
    factory.article(title="Quiet draft", public=False)
    html = page(client, "/")
    assert 'href="/articles/lead"' in html and "Bridge reopens" in html
    assert 'href="http://publisher.test/shows/dawn/tuesday"' in html and "12:34" in html
    assert "Secret edition" not in html and "Quiet draft" not in html
    assert episode.title in html


def test_tag_page_lists_public_articles_and_episodes(client, factory):
    factory.article(slug="a1", title="On rivers", tags=["Rivers"])
    factory.article(slug="a2", title="Draft on rivers", tags=["Rivers"], public=False)
    factory.episode(slug="e1", title="River sounds", tags=["Rivers"])
    html = page(client, "/tags/rivers")
    assert "On rivers" in html and "River sounds" in html
    assert "Draft on rivers" not in html
    page(client, "/tags/nothing-here", status=404)
    page(client, "/tags/rivers?page=2", status=404)


def test_a_tag_carried_only_by_drafts_is_not_found(client, factory):
    factory.article(tags=["Embargoed"], public=False)
    page(client, "/tags/embargoed", status=404)


def test_shows_page_lists_published_shows_with_public_episode_counts(client, factory):
    show = factory.show(slug="open", title="Open Show")
    factory.episode(show=show)
    factory.episode(show=show)
    factory.episode(show=show, public=False)
    factory.show(slug="closed", title="Closed Show", status="draft")
    html = page(client, "/shows/")
    assert "Open Show" in html and "2 episodes" in html
    assert "Closed Show" not in html


def test_show_page_has_feed_subscribe_box_and_paginated_public_episodes(client, factory):
    show = factory.show(slug="long", title="Long Runner")
    for n in range(23):
        factory.episode(
            show=show,
            slug=f"ep-{n:02d}",
            title=f"Installment {n:02d}",
            publish_at=utcnow() - timedelta(days=30 - n),
        )
    factory.episode(show=show, slug="unreleased", title="Installment unreleased", public=False)
    html = page(client, "/shows/long")
    feed = "http://publisher.test/shows/long/feed.xml"
    assert (
        f'<link rel="alternate" type="application/rss+xml" title="Long Runner" href="{feed}">'
        in html
    )
    assert f'value="{feed}"' in html and f'data-copy="{feed}"' in html
    assert html.count('class="episode-card"') == 20
    assert "Installment 22" in html and "Installment 02" not in html  # newest first
    assert "Page 1 of 2" in html and 'href="/shows/long?page=2"' in html
    second = page(client, "/shows/long?page=2")
    assert second.count('class="episode-card"') == 3 and "Installment 00" in second
    assert "unreleased" not in html + second
    page(client, "/shows/long?page=3", status=404)


def test_podcast_app_links_come_from_configuration(app, client, factory):
    factory.show(slug="apps")
    app.config["PODCAST_APP_LINKS"] = {
        "apps": [{"name": "Podcast App", "url": "https://podcasts.example/apps"}]
    }
    assert 'href="https://podcasts.example/apps"' in page(client, "/shows/apps")


def test_unpublished_show_and_its_episodes_are_not_found(client, factory):
    show = factory.show(slug="wip", status="draft")
    episode = factory.episode(show=show, slug="one")
    page(client, "/shows/wip", status=404)
    page(client, "/shows/wip/one", status=404)
    page(client, f"/embed/{episode.guid}", status=404)


@pytest.mark.parametrize("kind", ["draft", "scheduled"])
def test_unreleased_episode_is_not_found(client, factory, kind):
    fields = (
        {"public": False}
        if kind == "draft"
        else {"status": "scheduled", "publish_at": utcnow() + timedelta(days=1)}
    )
    show = factory.show(slug="s")
    factory.episode(show=show, slug="x", **fields)
    page(client, "/shows/s/x", status=404)


def test_episode_page_has_player_notes_chapters_articles_and_podcast_json_ld(client, factory):
    show = factory.show(slug="desk", title="The Desk")
    episode = factory.episode(
        show=show,
        slug="pilot",
        title="Pilot",
        number=1,
        duration_seconds=3723,
        description='<p>Guests and <a href="https://example.org">links</a>.</p>',
        chapters={"chapters": [{"startTime": 0, "title": "Welcome"}]},
    )
    factory.article(slug="writeup", title="Our write-up", episodes=[episode])
    factory.article(slug="unseen", title="Unseen draft", episodes=[episode], public=False)
    html = page(client, "/shows/desk/pilot")
    assert '<h1 class="story-title">Pilot</h1>' in html
    assert "<span data-total>1:02:03</span>" in html
    assert 'Guests and <a href="https://example.org">links</a>.' in html
    assert "Welcome" in html
    assert 'href="/articles/writeup"' in html and "Unseen draft" not in html
    assert 'href="http://publisher.test/shows/desk/feed.xml"' in html
    block = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    data = json.loads(block)
    assert data["@type"] == "PodcastEpisode"
    assert data["partOfSeries"]["name"] == "The Desk"
    assert (
        data["associatedMedia"]["contentUrl"] == f"http://publisher.test/media/{episode.guid}.mp3"
    )
    assert data["timeRequired"] == "PT3723S"


def test_embed_page_is_a_bare_player(client, factory):
    episode = factory.episode(title="Embeddable")
    html = page(client, f"/embed/{episode.guid}")
    assert "data-player" in html and "Embeddable" in html
    assert 'class="site-header"' not in html


def test_not_found_page_is_styled_and_offers_search(client):
    html = page(client, "/definitely/not/here", status=404)
    assert 'class="error-code">404<' in html and 'action="/search"' in html
