"""Articles from the studio: create, edit with tags and ordered episodes, server preview,
paste normalization, autosave, version conflicts, preview links, delete."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest

from publisher.extensions import db
from publisher.models import Article, ArticleAutosave, utcnow
from tests.support.studio import csrf_token, post


def _new(client, title="Draft piece") -> int:
    response = post(client, "/studio/articles/", {"title": title})
    assert response.status_code == 302
    return int(re.search(r"/articles/(\d+)/edit", response.headers["Location"]).group(1))


def _data(client, article_id, **changes):
    page = client.get(f"/studio/articles/{article_id}/edit").get_data(as_text=True)
    version = re.search(r'id="version" name="version" type="hidden" value="(\d+)"', page).group(1)
    slug = re.search(r'id="slug" [^>]*value="([^"]*)"', page).group(1)
    data = {
        "version": version,
        "title": "T",
        "slug": slug,
        "summary": "",
        "body": "",
        "tags": "",
        "episodes": "",
        "status": "draft",
    }
    data.update(changes)
    return data


def test_an_article_is_written_with_tags_and_ordered_episodes(app, producers, factory):
    first, second = factory.episode(title="First"), factory.episode(title="Second")
    _editor, client = producers.editor()
    article_id = _new(client)
    data = _data(
        client,
        article_id,
        title="Tides",
        body="# Tides\n\nHigh **water**.",
        tags="Sea, Boats, sea",
        episodes=f"{second.id},{first.id}",
    )
    assert post(client, f"/studio/articles/{article_id}/edit", data).status_code == 302
    with app.app_context():
        article = db.session.get(Article, article_id)
        assert article.title == "Tides" and "<strong>water</strong>" in article.body_html
        assert sorted(tag.name for tag in article.tags) == ["Boats", "Sea"]
        assert [link.episode_id for link in article.episode_links] == [second.id, first.id]
        assert article.version == 2


def test_pasted_control_characters_are_normalized_not_refused(app, producers):
    _editor, client = producers.editor()
    article_id = _new(client)
    data = _data(client, article_id, title="Pasted\x07 title", body="Line one\x0bLine two\x0c")
    assert post(client, f"/studio/articles/{article_id}/edit", data).status_code == 302
    with app.app_context():
        article = db.session.get(Article, article_id)
        assert article.title == "Pasted title"
        assert article.body_markdown == "Line one\nLine two"


def test_the_preview_uses_the_sites_renderer_and_sanitizer(producers):
    _editor, client = producers.editor()
    token = csrf_token(client, "/studio/account")
    body = "Hello *there*<script>alert(1)</script>\x0bnext"
    response = client.post(
        "/studio/articles/preview", json={"body": body}, headers={"X-CSRFToken": token}
    )
    html = response.get_json()["html"]
    assert "<em>there</em>" in html and "<script>" not in html
    assert client.post("/studio/articles/preview", json={"body": "x"}).status_code == 400


def test_autosave_keeps_what_was_typed_until_saved(app, producers, factory):
    _editor, client = producers.editor()
    article_id = _new(client)
    token = csrf_token(client, "/studio/account")
    fields = {"title": "Half written", "body": "Some words"}
    response = client.post(
        f"/studio/articles/{article_id}/autosave",
        json={"version": 1, "fields": fields},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200
    time.sleep(0.01)
    page = client.get(f"/studio/articles/{article_id}/edit").get_data(as_text=True)
    assert "unsaved changes" in page and "Half written" in page
    data = _data(client, article_id, title="Saved", body="Some words")
    assert post(client, f"/studio/articles/{article_id}/edit", data).status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ArticleAutosave.id))) == 0


def test_autosave_refuses_what_is_not_text(producers):
    _editor, client = producers.editor()
    article_id = _new(client)
    token = csrf_token(client, "/studio/account")
    response = client.post(
        f"/studio/articles/{article_id}/autosave",
        json={"version": 1, "fields": {"body": ["x"]}},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 422


def test_two_editors_saving_the_same_version_conflict_and_nothing_is_lost(app, producers):
    _a, first = producers.editor()
    _b, second = producers.editor()
    article_id = _new(first)
    first_data = _data(first, article_id, title="Mine", body="First text")
    second_data = _data(second, article_id, title="Yours", body="Second text")
    assert post(first, f"/studio/articles/{article_id}/edit", first_data).status_code == 302
    response = post(second, f"/studio/articles/{article_id}/edit", second_data)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "First text" in page and "Second text" in page
    with app.app_context():
        assert db.session.get(Article, article_id).body_markdown == "First text"


def test_a_scheduled_article_has_a_working_expiring_preview_link(app, producers):
    _editor, client = producers.editor()
    article_id = _new(client, "Tomorrow's news")
    later = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    data = _data(
        client,
        article_id,
        title="Tomorrow's news",
        body="Soon.",
        status="scheduled",
        publish_at=later,
    )
    assert post(client, f"/studio/articles/{article_id}/edit", data).status_code == 302
    with app.app_context():
        slug = db.session.get(Article, article_id).slug
    anonymous = app.test_client()
    assert anonymous.get(f"/articles/{slug}").status_code == 404
    page = client.get(f"/studio/preview-link/article/{article_id}").get_data(as_text=True)
    url = re.search(r'value="(http://publisher\.test/preview/[^"]+)"', page).group(1)
    path = url.removeprefix("http://publisher.test")
    shown = anonymous.get(path)
    assert shown.status_code == 200 and "Soon." in shown.get_data(as_text=True)
    assert "noindex" in shown.headers["X-Robots-Tag"]
    assert "Set-Cookie" not in shown.headers
    app.config["PREVIEW_LINK_HOURS"] = 0  # every link is now past its lifetime
    time.sleep(1.1)  # signatures carry whole seconds
    expired = anonymous.get(path)
    assert expired.status_code == 404 and "expired" in expired.get_data(as_text=True)


@pytest.mark.parametrize("token", ["nonsense", "a" * 600, "eyJ.bad.sig"])
def test_a_forged_preview_link_is_404(client, token):
    response = client.get(f"/preview/{token}")
    assert response.status_code == 404


def test_tags_autocomplete_and_episode_search(producers, factory):
    factory.article(tags=["Harbour", "Harvest", "Weather"])
    factory.episode(title="Harbour at dawn")
    _editor, client = producers.editor()
    assert client.get("/studio/tags/suggest?q=har").get_json() == ["Harbour", "Harvest"]
    found = client.get("/studio/episodes/search?q=dawn").get_json()
    assert [item["title"] for item in found] == ["Harbour at dawn"]
    assert client.get("/studio/tags/suggest?q=%25").status_code == 200


def test_deleting_an_article_asks_first(app, producers):
    _editor, client = producers.editor()
    article_id = _new(client)
    assert client.get(f"/studio/articles/{article_id}/delete").status_code == 200
    assert post(client, f"/studio/articles/{article_id}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(Article, article_id) is None


def test_stats_pages_show_the_chart_and_export_csv(producers, factory):
    show = factory.show(slug="numbers")
    episode = factory.episode(show=show)
    _editor, client = producers.editor(show)
    page = client.get("/studio/shows/numbers/stats").get_data(as_text=True)
    assert "<svg" in page and "By app" in page
    csv = client.get("/studio/shows/numbers/stats?since=2026-01-01&until=2026-01-03&format=csv")
    assert csv.mimetype == "text/csv" and csv.get_data(as_text=True).count("\n") == 4
    bad = client.get("/studio/shows/numbers/stats?since=yesterday").get_data(as_text=True)
    assert "Dates must be written YYYY-MM-DD" in bad
    assert client.get(f"/studio/shows/numbers/episodes/{episode.id}/stats").status_code == 200
