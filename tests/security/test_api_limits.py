"""API abuse: ownership fields, JSON body size, links built from the Host header."""

from __future__ import annotations

import io
import json

import pytest

from tests.support.api import ApiClient

ADMIN_ONLY = {
    "new_feed_url": "https://elsewhere.example/feed.xml",
    "owner_email": "thief@elsewhere.example",
    "locked": False,
}


@pytest.mark.parametrize(("field", "value"), ADMIN_ONLY.items())
def test_an_editor_cannot_change_who_owns_a_show_or_where_it_lives(editor, factory, field, value):
    show = factory.show(locked=True)
    response = editor.patch(f"/api/v1/shows/{show.slug}", json={field: value})
    assert response.status_code == 403
    assert field in response.get_json()["error"]["message"]
    after = editor.get(f"/api/v1/shows/{show.slug}").get_json()
    assert after[field] == {"new_feed_url": "", "owner_email": "owner@example.com",
                            "locked": True}[field]  # fmt: skip


@pytest.mark.parametrize(("field", "value"), ADMIN_ONLY.items())
def test_an_admin_can(admin, factory, field, value):
    show = factory.show(locked=True)
    response = admin.patch(f"/api/v1/shows/{show.slug}", json={field: value})
    assert response.status_code == 200
    assert response.get_json()[field] == value


def test_an_editor_still_edits_the_other_fields(editor, factory):
    show = factory.show()
    response = editor.patch(f"/api/v1/shows/{show.slug}", json={"title": "Renamed"})
    assert response.status_code == 200


@pytest.fixture
def app_config():
    return {"MAX_JSON_KB": 4}


def test_a_json_body_over_the_limit_is_refused_before_it_is_read(editor):
    body = json.dumps({"title": "x" * 5000}).encode()
    response = editor.post("/api/v1/shows", data=body, content_type="application/json")
    assert response.status_code == 413
    assert "4 KB" in response.get_json()["error"]["message"]
    assert editor.get("/api/v1/shows").get_json()["total"] == 0


def test_a_body_without_a_declared_length_is_cut_at_the_limit(editor):
    body = io.BytesIO(json.dumps({"title": "x" * 100_000}).encode())
    response = editor.post(
        "/api/v1/shows",
        input_stream=body,
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
        environ_base={"wsgi.input_terminated": True},  # as gunicorn says of chunked bodies
    )
    assert response.status_code == 413


def test_a_json_body_under_the_limit_still_works(editor):
    assert editor.post("/api/v1/shows", json={"title": "Small"}).status_code == 201


def test_paging_links_come_from_public_url_not_the_host_header(anon, factory):
    for _ in range(3):
        factory.show(status="published")
    response = anon.get("/api/v1/shows?per_page=1", headers={"Host": "evil.example"})
    links = response.get_json()["links"]
    assert all(v.startswith("http://publisher.test/api/v1/shows?") for v in links.values() if v)
    assert "evil.example" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("caller", "status"), [("anonymous", 401), ("revoked", 401), ("editor", 403), ("admin", 200)]
)
def test_authorization_matrix_of_the_ownership_fields(client, factory, caller, status):
    show = factory.show()
    token = {
        "anonymous": None,
        "revoked": factory.token(revoked=True),
        "editor": factory.token(factory.user(role="editor")),
        "admin": factory.token(factory.user(role="admin")),
    }[caller]
    response = ApiClient(client, token).patch(
        f"/api/v1/shows/{show.slug}", json={"owner_email": "new@example.com"}
    )
    assert response.status_code == status
