"""Shows through the API: create, read, update, delete, list with paging and filters."""

from __future__ import annotations

import pytest

from publisher.extensions import db
from publisher.models import Show
from publisher.models.show import podcast_guid_for
from tests.support.api import error_fields


def test_create_show_answers_201_with_urls(editor, app):
    response = editor.post("/api/v1/shows", json={"title": "Morning News", "language": "fr"})
    assert response.status_code == 201
    show = response.get_json()
    assert show["slug"] == "morning-news"
    assert show["url"] == "http://publisher.test/shows/morning-news"
    assert show["feed_url"] == "http://publisher.test/shows/morning-news/feed.xml"
    assert show["language"] == "fr"
    assert show["podcast_guid"] == podcast_guid_for(show["feed_url"])
    assert show["created_at"].endswith("+00:00")
    with app.app_context():
        assert db.session.scalar(db.select(Show.title)) == "Morning News"


def test_create_show_with_a_taken_slug_is_409(editor, factory):
    factory.show(slug="taken")
    response = editor.post("/api/v1/shows", json={"title": "Other", "slug": "taken"})
    assert response.status_code == 409
    assert "taken" in response.get_json()["error"]["message"]


def test_generated_slugs_stay_unique(editor):
    first = editor.post("/api/v1/shows", json={"title": "Same"}).get_json()
    second = editor.post("/api/v1/shows", json={"title": "Same"}).get_json()
    assert (first["slug"], second["slug"]) == ("same", "same-2")


@pytest.mark.parametrize(
    ("payload", "field", "words"),
    [
        ({}, "title", "required"),
        ({"title": "   "}, "title", "at least 1"),
        ({"title": "x" * 301}, "title", "at most 300"),
        ({"title": "A", "surprise": 1}, "surprise", "Unknown field"),
        ({"title": 12}, "title", "valid string"),
        ({"title": "A", "explicit": "yes"}, "explicit", "boolean"),
        ({"title": "A\x00B"}, "title", "control characters"),
        ({"title": "A", "slug": "Not A Slug"}, "slug", "lowercase letters"),
        ({"title": "A", "link": "javascript:alert(1)"}, "link", "http"),
        ({"title": "A", "show_type": "weekly"}, "show_type", "episodic"),
    ],
)
def test_invalid_show_fields_get_field_level_422(editor, payload, field, words):
    response = editor.post("/api/v1/shows", json=payload)
    assert response.status_code == 422
    body = response.get_json()["error"]
    assert body["code"] == "validation_error"
    assert words in error_fields(response)[field]


def test_body_must_be_json(editor):
    response = editor.post("/api/v1/shows", data="title=x")
    assert response.status_code == 415
    assert "application/json" in response.get_json()["error"]["message"]


def test_broken_json_is_400(editor):
    response = editor.post(
        "/api/v1/shows", data="{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "not valid JSON" in response.get_json()["error"]["message"]


def test_a_json_array_is_not_a_show(editor):
    response = editor.post("/api/v1/shows", json=["title"])
    assert response.status_code == 422
    assert error_fields(response) == {"body": "Send a JSON object."}


def test_description_html_is_sanitized(editor):
    html = '<p onclick="x()">Hi <script>alert(1)</script><a href="https://e.org">l</a></p>'
    show = editor.post("/api/v1/shows", json={"title": "S", "description": html}).get_json()
    assert "script" not in show["description"] and "onclick" not in show["description"]
    assert 'href="https://e.org"' in show["description"]


def test_patch_changes_only_what_is_sent(editor, factory):
    factory.show(slug="s", title="Old", author="Keep Me")
    response = editor.patch("/api/v1/shows/s", json={"title": "New", "explicit": True})
    assert response.status_code == 200
    show = response.get_json()
    assert (show["title"], show["explicit"], show["author"]) == ("New", True, "Keep Me")


def test_patch_cannot_change_the_slug_or_null_the_title(editor, factory):
    factory.show(slug="s")
    response = editor.patch("/api/v1/shows/s", json={"slug": "other", "title": None})
    assert response.status_code == 422
    fields = error_fields(response)
    assert fields["slug"] == "Unknown field."
    assert "title" in fields


def test_admin_deletes_a_show_with_its_episodes(admin, factory, app):
    show = factory.show(slug="gone")
    factory.episode(show=show)
    assert admin.delete("/api/v1/shows/gone").status_code == 204
    assert admin.get("/api/v1/shows/gone").status_code == 404


def test_editor_cannot_delete_a_show(editor, factory):
    factory.show(slug="stays")
    response = editor.delete("/api/v1/shows/stays")
    assert response.status_code == 403
    assert editor.get("/api/v1/shows/stays").status_code == 200


def test_anonymous_callers_see_published_shows_only(anon, editor, factory):
    factory.show(slug="public")
    factory.show(slug="hidden", status="draft")
    assert [s["slug"] for s in anon.get("/api/v1/shows").get_json()["items"]] == ["public"]
    assert anon.get("/api/v1/shows/hidden").status_code == 404
    assert editor.get("/api/v1/shows/hidden").status_code == 200
    listed = editor.get("/api/v1/shows?status=draft").get_json()["items"]
    assert [s["slug"] for s in listed] == ["hidden"]


def test_episode_count_counts_what_the_caller_can_see(anon, editor, factory):
    show = factory.show(slug="s")
    factory.episode(show=show)
    factory.episode(show=show, public=False)
    assert anon.get("/api/v1/shows/s").get_json()["episode_count"] == 1
    assert editor.get("/api/v1/shows/s").get_json()["episode_count"] == 2


def test_list_is_paginated_with_links(anon, factory):
    for n in range(5):
        factory.show(slug=f"show-{n}", title=f"Show {n}")
    page = anon.get("/api/v1/shows?per_page=2&page=2").get_json()
    assert [s["slug"] for s in page["items"]] == ["show-2", "show-3"]
    assert (page["total"], page["pages"], page["page"], page["per_page"]) == (5, 3, 2, 2)
    assert page["links"]["next"].endswith("/api/v1/shows?page=3&per_page=2")
    assert page["links"]["prev"].endswith("/api/v1/shows?page=1&per_page=2")
    last = anon.get(page["links"]["next"]).get_json()
    assert [s["slug"] for s in last["items"]] == ["show-4"]
    assert last["links"]["next"] is None


@pytest.mark.parametrize("query", ["per_page=101", "page=0", "per_page=abc", "status=gone", "x=1"])
def test_bad_paging_or_filters_are_422(anon, query):
    response = anon.get(f"/api/v1/shows?{query}")
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]


def test_unknown_show_and_weird_slugs_are_404(anon):
    for slug in ["nope", "UPPER", "a%00b", "x" * 200]:
        response = anon.get(f"/api/v1/shows/{slug}")
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"


def test_categories_are_checked_against_apples_list(editor):
    created = editor.post(
        "/api/v1/shows",
        json={"title": "S", "category": " health & fitness ", "subcategory": "mental health"},
    ).get_json()
    assert (created["category"], created["subcategory"]) == ("Health & Fitness", "Mental Health")
    response = editor.patch(f"/api/v1/shows/{created['slug']}", json={"subcategory": "Cooking"})
    assert response.status_code == 422
    assert "not a subcategory" in error_fields(response)["subcategory"]
    response = editor.post("/api/v1/shows", json={"title": "T", "category": "Gossip"})
    assert "not an Apple Podcasts category" in error_fields(response)["category"]
