"""Security headers on every response; HTTP caching on public pages."""

import re

import pytest


def csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


@pytest.mark.parametrize("url", ["/", "/shows/", "/search?q=x", "/no-such-page", "/api/v1/nothing"])
def test_every_response_carries_the_security_headers(client, url):
    response = client.get(url)
    policy = csp(response)
    assert (
        policy["script-src"] == "'self'"
        and "unsafe-inline" not in response.headers["Content-Security-Policy"]
    )
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'self'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_only_the_embed_may_be_framed_by_other_sites(client, factory):
    show = factory.show()
    episode = factory.episode(show=show)
    response = client.get(f"/embed/{episode.guid}")
    assert response.status_code == 200
    assert csp(response)["frame-ancestors"] == "*"
    assert "X-Frame-Options" not in response.headers
    episode_page = client.get(f"/shows/{show.slug}/{episode.slug}")
    assert csp(episode_page)["frame-ancestors"] == "'self'"


def test_embed_of_a_draft_or_unknown_episode_is_not_found(client, factory):
    draft = factory.episode(public=False)
    assert client.get(f"/embed/{draft.guid}").status_code == 404
    assert client.get("/embed/not-a-guid").status_code == 404


def test_media_may_come_from_the_public_url_and_object_store(app, client):
    app.config.update(S3_PUBLIC_URL="https://cdn.example.net/podcasts")
    media = csp(client.get("/"))["media-src"].split()
    assert "'self'" in media and "http://publisher.test" in media
    assert "https://cdn.example.net" in media


def test_pages_use_no_inline_script_or_style(client, factory):
    show = factory.show()
    episode = factory.episode(show=show)
    article = factory.article(episodes=[episode], tags=["T"])
    for url in (
        "/",
        f"/articles/{article.slug}",
        f"/shows/{show.slug}",
        f"/shows/{show.slug}/{episode.slug}",
        f"/embed/{episode.guid}",
    ):
        html = client.get(url).get_data(as_text=True)
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
        for attributes, body in scripts:
            assert 'src="/static/' in attributes or 'type="application/ld+json"' in attributes
            assert not body.strip() or "ld+json" in attributes
        assert " style=" not in html and "<style" not in html
        assert not re.search(r"<[^>]+\son[a-z]+=", html)


def test_public_pages_are_cacheable_and_conditional(client, factory):
    article = factory.article()
    url = f"/articles/{article.slug}"
    first = client.get(url)
    assert first.status_code == 200
    assert first.cache_control.public and first.cache_control.max_age == 60
    etag = first.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    changed = client.get(url, headers={"If-None-Match": '"something-else"'})
    assert changed.status_code == 200


def test_errors_are_not_marked_cacheable(client):
    response = client.get("/articles/missing")
    assert response.status_code == 404
    assert "ETag" not in response.headers
    assert not response.cache_control.public
