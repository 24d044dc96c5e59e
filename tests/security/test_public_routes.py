"""Hostile query strings on every public route: a 4xx at worst, never a 500 (finding 4)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PAGED = ["/search?q=show", "/shows/{show}", "/tags/{tag}", "/shows/{show}/feed.xml",
         "/sitemap.xml"]  # fmt: skip


@pytest.fixture
def site(factory) -> dict[str, str]:
    show = factory.show()
    episode = factory.episode(show=show, tags=["news"])
    article = factory.article(tags=["news"], episodes=[episode])
    return {"show": show.slug, "episode": episode.slug, "guid": episode.guid,
            "article": article.slug, "tag": "news", "episode_id": episode.id,
            "article_id": article.id}  # fmt: skip


def public_paths(app, site: dict[str, str]) -> list[str]:
    """Every GET route anyone may call (pages, feeds, media, the API without a token),
    its arguments filled from ``site``."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(("/studio", "/static")):
            continue
        values = {"show": site["show"], "show_slug": site["show"], "slug": site["article"],
                  "episode": site["episode"], "episode_slug": site["episode"],
                  "guid": site["guid"], "ext": "mp3", "episode_id": site["episode_id"],
                  "article_id": site["article_id"],
                  # Routes whose argument is not content of the site: any value will do.
                  "side": 600, "transcript_id": 1, "job_id": 1, "token": "x" * 20,
                  "import_id": 1}  # fmt: skip
        if rule.endpoint.endswith("tag"):
            values["slug"] = site["tag"]
        elif rule.endpoint.startswith("api.") and "shows" in rule.rule:
            values["slug"] = site["show"]
        try:
            paths.append(rule.build(values, append_unknown=False)[1])
        except Exception:
            pytest.fail(f"Cannot build {rule.rule}: give its arguments a value in this test")
    return sorted(set(paths))


NOT_PAGES = ["²", "\u0661\u0662", "\U0001d7d9", "0", "-1", "1.5", "", "9" * 30, "1\x00"]


@pytest.mark.parametrize("value", NOT_PAGES)
@pytest.mark.parametrize("route", PAGED)
def test_a_page_number_that_is_not_ascii_digits_is_a_400(client, site, route, value):
    path = route.format(**site)
    joiner = "&" if "?" in path else "?"
    response = client.get(f"{path}{joiner}page={quote(value)}")
    assert response.status_code == 400, (path, value, response.status_code)
    assert b"whole number" in response.data


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    query=st.lists(
        st.tuples(
            st.sampled_from(["page", "q", "per_page", "format", "since", "x"]) | st.text(),
            st.text(),
        ),
        max_size=4,
    )
)
def test_no_query_string_makes_a_public_route_fail(app, client, site, query):
    encoded = "&".join(f"{quote(name, safe='')}={quote(value, safe='')}" for name, value in query)
    for path in public_paths(app, site):
        response = client.get(f"{path}?{encoded}")
        assert response.status_code < 500, (path, encoded, response.status_code)
