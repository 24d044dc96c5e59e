"""CORS on what other origins read (feeds, enclosures, artwork, chapters, transcripts),
none on the API or the site's pages; the feed addresses apps type or remember."""

from __future__ import annotations

import pytest

from tests.feeds.api_support import VTT, file_body, image_bytes


@pytest.fixture
def app_config():
    return {"FEED_RECHECK_SECONDS": 0}


@pytest.fixture
def site(app, editor, factory, audio):
    """A show with artwork, an episode with audio, chapters and a transcript."""
    show = factory.show(slug="cors-show")
    editor.open("PUT", "/api/v1/shows/cors-show/artwork",
                **file_body("image", image_bytes(1400), "a.png"))  # fmt: skip
    path = audio("mp3", seconds=3)
    episode = editor.post("/api/v1/shows/cors-show/episodes",
                          **file_body("audio", path.read_bytes(), path.name,
                                      status="published", slug="ep")).get_json()  # fmt: skip
    editor.open("PUT", f"/api/v1/episodes/{episode['id']}/chapters",
                json={"chapters": [{"startTime": 0, "title": "A"}]})  # fmt: skip
    transcript = editor.post(f"/api/v1/episodes/{episode['id']}/transcripts",
                             **file_body("file", VTT, "t.vtt")).get_json()  # fmt: skip
    show_json = editor.get("/api/v1/shows/cors-show").get_json()
    local = lambda url: url.replace("http://publisher.test", "")  # noqa: E731
    return {
        "feed": "/shows/cors-show/feed.xml",
        "articles feed": "/feed.xml",
        "enclosure": local(episode["media"]["url"]),
        "artwork": local(show_json["artwork"]["url"]),
        "artwork copy": local(show_json["artwork"]["sizes"]["300"]),
        "chapters": "/shows/cors-show/ep/chapters.json",
        "transcript": local(transcript["url"]),
        "show": show,
    }


OPEN = ["feed", "articles feed", "enclosure", "artwork", "artwork copy", "chapters", "transcript"]


@pytest.mark.parametrize("name", OPEN)
def test_simple_requests_are_open_to_any_origin(client, site, name):
    with client.get(site[name], headers={"Origin": "https://player.test"}) as answer:
        assert answer.status_code in (200, 302), (name, answer.status_code)
        assert answer.headers["Access-Control-Allow-Origin"] == "*"
        exposed = answer.headers["Access-Control-Expose-Headers"]
        for header in ("Content-Length", "Content-Range", "Accept-Ranges", "ETag"):
            assert header in exposed


@pytest.mark.parametrize("name", OPEN)
def test_preflights_are_answered(client, site, name):
    answer = client.options(site[name], headers={
        "Origin": "https://player.test",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "Range",
    })  # fmt: skip
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in answer.headers["Access-Control-Allow-Methods"]
    assert "Range" in answer.headers["Access-Control-Allow-Headers"]


@pytest.mark.parametrize(
    "path",
    ["/api/v1/shows", "/api/v1/shows/cors-show", "/api/v1/openapi.json", "/", "/shows/",
     "/shows/cors-show", "/shows/cors-show/ep", "/search?q=x"],
)  # fmt: skip
def test_no_cors_on_the_api_or_pages(client, site, path):
    for answer in (
        client.get(path, headers={"Origin": "https://evil.test"}),
        client.options(
            path, headers={"Origin": "https://evil.test", "Access-Control-Request-Method": "GET"}
        ),
    ):
        assert "Access-Control-Allow-Origin" not in answer.headers, path


@pytest.mark.parametrize(
    "path",
    ["/shows/cors-show/feed.xml/", "/shows/cors-show/feed", "/shows/cors-show/rss",
     "/shows/CORS-Show/feed.xml", "/shows/Cors-Show/rss"],
)  # fmt: skip
def test_remembered_feed_addresses_redirect_permanently(client, site, path):
    answer = client.get(path)
    assert answer.status_code == 301
    assert answer.headers["Location"] == "http://publisher.test/shows/cors-show/feed.xml"


def test_unknown_shows_stay_404(client, site):
    for path in ("/shows/nope/feed.xml", "/shows/nope/feed", "/shows/NOPE/rss"):
        assert client.get(path).status_code == 404


def test_a_draft_show_is_not_revealed_by_a_redirect(client, factory):
    factory.show(slug="hidden", status="draft")
    assert client.get("/shows/HIDDEN/feed.xml").status_code == 404
    assert client.get("/shows/hidden/rss").status_code == 404


def test_a_moved_feed_answers_301_to_its_new_address(app, client, site):
    from publisher.extensions import db
    from publisher.feeds.podcast import render_show_feed, show_feed_state
    from publisher.models import Show, utcnow

    with app.app_context():
        show = db.session.get(Show, site["show"].id)
        show.new_feed_url = "https://elsewhere.test/feed.rss"
        db.session.commit()
        state = show_feed_state("cors-show", utcnow())
        body = render_show_feed(show, state, utcnow(), None)
    answer = client.get("/shows/cors-show/feed.xml")
    assert answer.status_code == 301
    assert answer.headers["Location"] == "https://elsewhere.test/feed.rss"
    # The document keeps itunes:new-feed-url for apps that read it before following.
    assert b"<itunes:new-feed-url>https://elsewhere.test/feed.rss</itunes:new-feed-url>" in body
