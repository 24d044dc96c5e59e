"""Articles through the API: Markdown bodies, tags by name, ordered episodes, visibility."""

from __future__ import annotations

from datetime import timedelta

import pytest

from publisher.extensions import db
from publisher.models import Tag, utcnow
from tests.support.api import error_fields


def test_create_article_renders_markdown_and_links_tags_and_episodes(editor, factory, app):
    show = factory.show()
    first, second = factory.episode(show=show), factory.episode(show=show)
    response = editor.post(
        "/api/v1/articles",
        json={
            "title": "Big Story",
            "summary": "In short.",
            "body": "Hello **world** <script>alert(1)</script>\n\n> A quote",
            "tags": ["Élections 2025", "Politics", "politics"],
            "episodes": [second.id, first.id],
            "status": "published",
        },
    )
    assert response.status_code == 201
    article = response.get_json()
    assert article["slug"] == "big-story"
    assert article["url"] == "http://publisher.test/articles/big-story"
    assert article["status"] == "published"
    assert "<strong>world</strong>" in article["body_html"]
    assert "<script>" not in article["body_html"] and "<blockquote>" in article["body_html"]
    assert sorted(article["tags"]) == ["Politics", "Élections 2025"]
    assert article["episodes"] == [second.id, first.id]
    assert article["author_name"] == "Eddie Editor"
    with app.app_context():
        assert sorted(db.session.scalars(db.select(Tag.slug))) == ["elections-2025", "politics"]


def test_existing_tags_are_reused(editor, factory, app):
    factory.article(tags=["Science"])
    editor.post("/api/v1/articles", json={"title": "T", "tags": ["science"]})
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Tag.id))) == 1


def test_unknown_or_repeated_episode_ids_are_named(editor, factory):
    episode = factory.episode()
    response = editor.post(
        "/api/v1/articles", json={"title": "T", "episodes": [episode.id, 999999, episode.id]}
    )
    assert response.status_code == 422
    assert error_fields(response) == {
        "episodes.1": "No episode 999999.",
        "episodes.2": "Listed twice.",
    }


def test_nothing_is_written_when_an_article_is_refused(editor, factory, app):
    editor.post("/api/v1/articles", json={"title": "T", "tags": ["new-tag"], "episodes": [424242]})
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Tag.id))) == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "T", "status": "scheduled"}, "publish_at"),
        ({"title": "T", "publish_at": "2025-01-01T10:00:00"}, "publish_at"),
        ({"title": "T", "publish_at": "next tuesday"}, "publish_at"),
        ({"title": "T", "episodes": ["1"]}, "episodes.0"),
        ({"title": "T", "episodes": [0]}, "episodes.0"),
        ({"title": "T", "tags": [""]}, "tags.0"),
        ({"title": "T", "tags": ["x"] * 51}, "tags"),
        ({"title": "T", "status": "live"}, "status"),
    ],
)
def test_invalid_article_fields_are_refused(editor, payload, field):
    response = editor.post("/api/v1/articles", json=payload)
    assert response.status_code == 422
    assert field in error_fields(response)


def test_naive_times_are_explained(editor):
    response = editor.post(
        "/api/v1/articles", json={"title": "T", "publish_at": "2025-01-01T10:00:00"}
    )
    assert "UTC offset" in error_fields(response)["publish_at"]


def test_scheduled_article_is_hidden_until_its_time(anon, editor):
    soon = (utcnow() + timedelta(hours=1)).isoformat()
    created = editor.post(
        "/api/v1/articles", json={"title": "Soon", "status": "scheduled", "publish_at": soon}
    ).get_json()
    assert created["status"] == "scheduled"
    assert anon.get(f"/api/v1/articles/{created['id']}").status_code == 404
    assert anon.get("/api/v1/articles").get_json()["items"] == []
    assert editor.get("/api/v1/articles?status=scheduled").get_json()["total"] == 1


def test_times_keep_their_instant_and_come_back_with_an_offset(editor):
    created = editor.post(
        "/api/v1/articles",
        json={"title": "T", "status": "published", "publish_at": "2025-05-01T09:00:00+02:00"},
    ).get_json()
    assert created["publish_at"] == "2025-05-01T07:00:00+00:00"


def test_anonymous_callers_do_not_learn_unpublished_episode_ids(anon, editor, factory):
    public, draft = factory.episode(), factory.episode(public=False)
    article = factory.article(episodes=[draft, public])
    assert anon.get(f"/api/v1/articles/{article.id}").get_json()["episodes"] == [public.id]
    assert editor.get(f"/api/v1/articles/{article.id}").get_json()["episodes"] == [
        draft.id,
        public.id,
    ]


def test_status_filter_uses_the_effective_status(editor, factory):
    factory.article(slug="pub")
    factory.article(slug="draft", public=False)
    factory.article(slug="later", status="published", publish_at=utcnow() + timedelta(days=1))
    slugs = {
        status: [
            a["slug"] for a in editor.get(f"/api/v1/articles?status={status}").get_json()["items"]
        ]
        for status in ("published", "draft", "scheduled")
    }
    assert slugs == {"published": ["pub"], "draft": ["draft"], "scheduled": ["later"]}


def test_patch_replaces_tags_and_episodes_and_keeps_the_rest(editor, factory):
    episode = factory.episode()
    article = factory.article(tags=["old"], summary="Keep")
    response = editor.patch(
        f"/api/v1/articles/{article.id}", json={"tags": ["new"], "episodes": [episode.id]}
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["tags"], body["episodes"], body["summary"]) == (["new"], [episode.id], "Keep")


def test_patch_to_a_taken_slug_is_409(editor, factory):
    factory.article(slug="taken")
    article = factory.article()
    assert editor.patch(f"/api/v1/articles/{article.id}", json={"slug": "taken"}).status_code == 409


def test_delete_article(editor, factory):
    article = factory.article()
    assert editor.delete(f"/api/v1/articles/{article.id}").status_code == 204
    assert editor.get(f"/api/v1/articles/{article.id}").status_code == 404


def test_draft_article_is_404_for_anonymous_callers(anon, factory):
    article = factory.article(public=False)
    response = anon.get(f"/api/v1/articles/{article.id}")
    assert response.status_code == 404
    assert response.get_json() == {
        "error": {"code": "not_found", "message": f"There is no article {article.id}."}
    }


def test_huge_ids_are_404_not_errors(anon):
    assert anon.get("/api/v1/articles/99999999999999999999999").status_code == 404
