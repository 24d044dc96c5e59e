"""Bearer tokens: 401 with WWW-Authenticate, 403 for a missing role, last use recorded."""

import pytest

from publisher.auth import require_token
from publisher.extensions import db
from publisher.models import ApiToken


@pytest.fixture
def guarded(app):
    @app.get("/api/v1/_editor")
    @require_token()
    def editor_only():
        return {"ok": True}

    @app.get("/api/v1/_admin")
    @require_token("admin")
    def admin_only():
        return {"ok": True}

    return app.test_client()


def auth(token):
    return {"Authorization": f"Bearer {token}"}


def test_missing_token_is_401_with_a_challenge(guarded):
    response = guarded.get("/api/v1/_editor")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("header", ["Bearer", "Basic dXNlcjpwYXNz", "Bearer pub_wrong"])
def test_malformed_or_unknown_token_is_401(guarded, header):
    response = guarded.get("/api/v1/_editor", headers={"Authorization": header})
    assert response.status_code == 401
    assert "WWW-Authenticate" in response.headers


def test_revoked_token_is_401(guarded, factory):
    assert (
        guarded.get("/api/v1/_editor", headers=auth(factory.token(revoked=True))).status_code == 401
    )


def test_editor_is_refused_an_admin_route_with_403(guarded, factory):
    token = factory.token(factory.user(role="editor"))
    assert guarded.get("/api/v1/_editor", headers=auth(token)).status_code == 200
    response = guarded.get("/api/v1/_admin", headers=auth(token))
    assert response.status_code == 403
    assert "admin role" in response.get_json()["error"]["message"]


def test_admin_passes_and_last_use_is_recorded(app, guarded, factory):
    token = factory.token(factory.user(role="admin"))
    assert guarded.get("/api/v1/_admin", headers=auth(token)).status_code == 200
    with app.app_context():
        assert db.session.scalar(db.select(ApiToken)).last_used_at is not None
