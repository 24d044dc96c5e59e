"""Two-factor sign-in, one's own tokens, and the admin's user management."""

from __future__ import annotations

import re

import pyotp
import pytest

from publisher.extensions import db
from publisher.models import ApiToken, ShowMember, User
from tests.support.studio import PASSWORD, csrf_token, login, post


def _totp_user(app, factory, role="editor"):
    secret = pyotp.random_base32()
    user = factory.user(role=role)
    with app.app_context():
        db.session.get(User, user.id).totp_secret = secret
        db.session.commit()
    return user, secret


def test_a_user_with_two_factor_needs_the_code(app, client, factory):
    user, secret = _totp_user(app, factory)
    response = login(client, user.email)
    assert response.headers["Location"].startswith("/studio/login/code")
    assert client.get("/studio/").status_code == 302  # not signed in yet
    token = csrf_token(client, "/studio/login/code")
    wrong = client.post("/studio/login/code", data={"code": "000000", "csrf_token": token})
    assert wrong.status_code == 401
    assert "This code is not right" in wrong.get_data(as_text=True)
    code = pyotp.TOTP(secret).now()
    right = client.post("/studio/login/code", data={"code": code, "csrf_token": token})
    assert right.status_code == 302 and right.headers["Location"] == "/studio/"
    assert client.get("/studio/").status_code == 200


def test_the_code_page_without_a_password_first_goes_back_to_login(client):
    response = client.get("/studio/login/code")
    assert response.headers["Location"] == "/studio/login"


def test_setting_up_two_factor_needs_a_matching_code(app, producers):
    user, client = producers.editor()
    page = client.get("/studio/account/two-factor").get_data(as_text=True)
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)
    assert "otpauth://totp/" in page
    bad = post(client, "/studio/account/two-factor", {"code": "123456"})
    assert bad.status_code == 422 and "does not match" in bad.get_data(as_text=True)
    good = post(client, "/studio/account/two-factor", {"code": pyotp.TOTP(secret).now()})
    assert good.status_code == 302
    with app.app_context():
        assert db.session.get(User, user.id).totp_secret == secret
    post(client, "/studio/account/two-factor/off")
    with app.app_context():
        assert db.session.get(User, user.id).totp_secret is None


def test_an_admin_can_require_two_factor_for_admins(app, producers):
    _admin, client = producers.admin()
    assert post(client, "/studio/settings", {"require_totp_for_admins": "y"}).status_code == 302
    response = client.get("/studio/")
    assert response.headers["Location"] == "/studio/account/two-factor"
    assert client.get("/studio/account/two-factor").status_code == 200
    # Editors are not concerned.
    _editor, editor_client = producers.editor()
    assert editor_client.get("/studio/").status_code == 200


def test_settings_are_for_admins_only(producers):
    _editor, client = producers.editor()
    assert client.get("/studio/settings").status_code == 403
    assert post(client, "/studio/settings", {"require_totp_for_admins": "y"}).status_code == 403


def test_a_token_is_shown_once_and_works_until_revoked(app, producers):
    _user, client = producers.editor()
    response = post(client, "/studio/account/tokens", {"name": "laptop script"})
    assert response.status_code == 201
    plain = re.search(r'value="(pub_[^"]+)"', response.get_data(as_text=True)).group(1)
    account = client.get("/studio/account").get_data(as_text=True)
    assert "laptop script" in account and plain not in account
    api = app.test_client()
    headers = {"Authorization": f"Bearer {plain}"}
    assert api.get("/api/v1/shows", headers=headers).status_code == 200
    with app.app_context():
        token_id = db.session.scalar(db.select(ApiToken.id).where(ApiToken.name == "laptop script"))
    assert post(client, f"/studio/account/tokens/{token_id}/revoke").status_code == 302
    assert api.get("/api/v1/shows", headers=headers).status_code == 401


def test_nobody_revokes_someone_elses_token_from_their_account(app, producers, factory):
    other = factory.user()
    factory.token(other)
    with app.app_context():
        token_id = db.session.scalar(db.select(ApiToken.id))
    _user, client = producers.editor()
    assert post(client, f"/studio/account/tokens/{token_id}/revoke").status_code == 404
    with app.app_context():
        assert db.session.get(ApiToken, token_id).revoked_at is None


def test_an_admin_creates_a_user_who_can_then_log_in(app, producers):
    _admin, client = producers.admin()
    data = {"email": "New@Example.com", "name": "Nia", "role": "editor", "password": "long enough"}
    response = post(client, "/studio/users/", data)
    assert response.status_code == 302
    assert login(app.test_client(), "new@example.com", "long enough").status_code == 302


@pytest.mark.parametrize(
    ("fields", "message"),
    [({"email": "not an address"}, "is not an e-mail address"),
     ({"password": "short"}, "at least 8")],
)  # fmt: skip
def test_a_bad_new_user_is_refused_with_a_reason(producers, fields, message):
    _admin, client = producers.admin()
    data = {"email": "ok@example.com", "role": "editor", "password": "long enough", **fields}
    response = post(client, "/studio/users/", data)
    assert 400 <= response.status_code < 500
    assert message in response.get_data(as_text=True)


def test_a_taken_email_is_a_conflict(producers, factory):
    factory.user(email="taken@example.com")
    _admin, client = producers.admin()
    response = post(client, "/studio/users/", {"email": "taken@example.com", "role": "editor",
                                               "password": "long enough"})  # fmt: skip
    assert response.status_code == 409
    assert "already exists" in response.get_data(as_text=True)


def test_an_admin_changes_role_state_and_memberships(app, producers, factory):
    show = factory.show()
    _admin, client = producers.admin()
    user = factory.user()
    data = {"name": "Renamed", "role": "admin", "active": "0", "shows": [str(show.id)]}
    assert post(client, f"/studio/users/{user.id}", data).status_code == 302
    with app.app_context():
        saved = db.session.get(User, user.id)
        assert (saved.name, saved.role, saved.active) == ("Renamed", "admin", False)
        assert db.session.get(ShowMember, (show.id, user.id)) is not None
    data = {"name": "Renamed", "role": "editor", "active": "1"}
    assert post(client, f"/studio/users/{user.id}", data).status_code == 302
    with app.app_context():
        assert db.session.get(ShowMember, (show.id, user.id)) is None
        assert db.session.get(User, user.id).active


def test_an_admin_cannot_lock_themselves_out(app, producers):
    admin, client = producers.admin()
    data = {"name": "Me", "role": "editor", "active": "1"}
    response = post(client, f"/studio/users/{admin.id}", data)
    assert response.status_code == 422
    assert "ask another admin" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, admin.id).role == "admin"


def test_an_admin_creates_and_revokes_tokens_for_anyone(app, producers, factory):
    _admin, client = producers.admin()
    user = factory.user()
    response = post(client, f"/studio/users/{user.id}/tokens", {"name": "their CI"})
    assert response.status_code == 201
    with app.app_context():
        token = db.session.scalar(db.select(ApiToken).where(ApiToken.user_id == user.id))
        token_id = token.id
    response = post(client, f"/studio/users/{user.id}/tokens/{token_id}/revoke")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(ApiToken, token_id).revoked


def test_user_management_is_for_admins_only(producers, factory):
    user = factory.user()
    _editor, client = producers.editor()
    assert client.get("/studio/users/").status_code == 403
    assert client.get(f"/studio/users/{user.id}").status_code == 403
    response = post(client, "/studio/users/", {"email": "x@example.com", "role": "admin",
                                               "password": PASSWORD})  # fmt: skip
    assert response.status_code == 403
