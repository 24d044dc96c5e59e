"""Two people acting at once get the answer the rule implies, never a 500 (issue 16, #1-2).

Real parallel requests against gunicorn (two worker processes, eight threads each), on
the database under test and both media stores."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from publisher.extensions import db
from publisher.models import Article, Episode, Show, Tag
from tests.concurrency.helpers import article_tags, parallel, rows, stored_and_referenced
from tests.concurrency.live import api, upload

ROUNDS = 2


@pytest.fixture
def mp3(audio) -> bytes:
    return audio("mp3", seconds=2).read_bytes()


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_same_slug_uploads_give_one_201_and_409s_and_keep_one_object(
    app, live, factory, token, mp3, round_
):
    show = factory.show()
    answers = parallel(
        20, lambda i: upload(live.url, token, show.slug, mp3, slug="same", title=f"Take {i}")
    )
    statuses = sorted(answer.status for answer in answers)
    assert statuses.count(201) == 1 and statuses.count(409) == 19, statuses
    for answer in answers:
        if answer.status == 409:
            error = answer.json()["error"]
            assert error["code"] == "conflict"
            assert "'same' is already used" in error["message"]
    episodes = rows(app, Episode, Episode.show_id == show.id)
    assert [e.slug for e in episodes] == ["same"]
    stored, referenced = stored_and_referenced(app)
    assert stored == referenced == {episodes[0].storage_key}


def test_same_title_uploads_all_succeed_with_distinct_slugs(app, live, factory, token, mp3):
    show = factory.show()
    answers = parallel(10, lambda i: upload(live.url, token, show.slug, mp3, title="Same title"))
    assert [a.status for a in answers] == [201] * 10, [a.body[:200] for a in answers]
    slugs = {answer.json()["slug"] for answer in answers}
    assert len(slugs) == 10 and "same-title" in slugs
    stored, referenced = stored_and_referenced(app)
    assert stored == referenced and len(stored) == 10


@pytest.mark.parametrize("store", ["filesystem"], indirect=True)
def test_same_slug_shows_and_articles_give_one_201_and_409s(app, live, token):
    shows = parallel(
        10, lambda i: api(live.url, token, "POST", "/shows", {"title": f"S{i}", "slug": "taken"})
    )
    assert sorted(a.status for a in shows) == [201] + [409] * 9
    articles = parallel(10, lambda i: api(live.url, token, "POST", "/articles",
                                          {"title": f"A{i}", "slug": "taken"}))  # fmt: skip
    assert sorted(a.status for a in articles) == [201] + [409] * 9
    assert {a.json()["error"]["code"] for a in shows + articles if a.status == 409} == {"conflict"}
    same_title = parallel(10, lambda i: api(live.url, token, "POST", "/articles",
                                            {"title": "Same title"}))  # fmt: skip
    assert [a.status for a in same_title] == [201] * 10
    assert len({a.json()["slug"] for a in same_title}) == 10
    with app.app_context():
        assert db.session.scalar(select(func.count(Show.id))) == 1
        assert db.session.scalar(select(func.count(Article.id))) == 11


@pytest.mark.parametrize("store", ["filesystem"], indirect=True)
@pytest.mark.parametrize("round_", range(ROUNDS))
def test_parallel_edits_adding_one_new_tag_all_succeed(app, live, factory, token, round_):
    article = factory.article(tags=["Existing"])
    answers = parallel(
        10,
        lambda i: api(live.url, token, "PATCH", f"/articles/{article.id}",
                      {"tags": ["Existing", "Breaking News"], "summary": f"edit {i}"}),
    )  # fmt: skip
    assert [a.status for a in answers] == [200] * 10, [a.body[:300] for a in answers]
    assert article_tags(app, article.id) == {"existing", "breaking-news"}
    assert len(rows(app, Tag, Tag.slug == "breaking-news")) == 1


@pytest.mark.parametrize("store", ["filesystem"], indirect=True)
def test_parallel_articles_creating_the_same_tag_share_it(app, live, token):
    answers = parallel(
        10,
        lambda i: api(live.url, token, "POST", "/articles",
                      {"title": f"Article {i}", "tags": ["Fresh Tag", f"Own {i}"]}),
    )  # fmt: skip
    assert [a.status for a in answers] == [201] * 10, [a.body[:300] for a in answers]
    fresh = rows(app, Tag, Tag.slug == "fresh-tag")
    assert len(fresh) == 1
    for answer in answers:
        assert "fresh-tag" in article_tags(app, answer.json()["id"])


@pytest.mark.parametrize("store", ["filesystem"], indirect=True)
def test_parallel_edits_replacing_links_leave_one_editors_set(app, live, factory, token):
    """Each editor sends a different set of tags and episodes: the article ends with
    exactly one of the sets (the last writer's), never a mix or a 500."""
    episodes = [factory.episode() for _ in range(4)]
    article = factory.article(tags=["Old"], episodes=episodes[:1])
    requested = [
        {"tags": [f"Tag {i}", "Common"], "episodes": [episodes[i % 4].id, episodes[(i + 1) % 4].id]}
        for i in range(10)
    ]
    answers = parallel(
        10, lambda i: api(live.url, token, "PATCH", f"/articles/{article.id}", requested[i])
    )
    assert [a.status for a in answers] == [200] * 10, [a.body[:300] for a in answers]
    final = api(live.url, token, "GET", f"/articles/{article.id}").json()
    final_tags = set(article_tags(app, article.id))
    assert final_tags in [{f"tag-{i}", "common"} for i in range(10)]
    winner = int(next(t for t in final_tags if t != "common").split("-")[1])
    assert final["episodes"] == requested[winner]["episodes"]
