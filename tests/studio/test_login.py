"""Signing in and out: labels, generic failures, cookies, session renewal, idle expiry,
CSRF, deactivated users, and public answers that never vary on the cookie."""

from __future__ import annotations

import re
import time

import pytest

from publisher.extensions import db
from publisher.models import User
from tests.support.studio import PASSWORD, csrf_token, login, post


def test_login_page_names_its_fields_and_button(client):
    page = client.get("/studio/login").get_data(as_text=True)
    assert re.search(r"<label for=\"email\">Email</label>", page)
    assert re.search(r"<label for=\"password\">Password</label>", page)
    assert re.search(r"<button[^>]*>Log in</button>", page)


def test_a_visitor_is_sent_to_login_with_the_page_to_come_back_to(client):
    response = client.get("/studio/shows/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/studio/login?next=")


def test_right_password_opens_the_dashboard(client, factory):
    user = factory.user(name="Pat")
    response = login(client, user.email)
    assert response.status_code == 302 and response.headers["Location"] == "/studio/"
    page = client.get("/studio/").get_data(as_text=True)
    assert "Welcome, Pat." in page and "Dashboard" in page


def test_login_follows_next_only_inside_the_studio(client, factory):
    user = factory.user()
    token = csrf_token(client)
    data = {"email": user.email, "password": PASSWORD, "csrf_token": token}
    response = client.post("/studio/login?next=https://evil.example/", data=data)
    assert response.headers["Location"] == "/studio/"
    client.post("/studio/logout", data={"csrf_token": csrf_token(client, "/studio/account")})
    token = csrf_token(client)
    data["csrf_token"] = token
    response = client.post("/studio/login?next=/studio/articles/", data=data)
    assert response.headers["Location"] == "/studio/articles/"


@pytest.mark.parametrize("which", ["email", "password", "both"])
def test_a_failure_does_not_say_which_field_was_wrong(client, factory, which):
    user = factory.user()
    email = "nobody@example.com" if which in ("email", "both") else user.email
    password = "wrong password" if which in ("password", "both") else PASSWORD
    response = login(client, email, password)
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert "The e-mail address or the password is not right." in page
    assert client.get("/studio/").status_code == 302  # still signed out


def test_a_deactivated_user_cannot_log_in_and_their_session_ends(app, client, factory):
    user = factory.user()
    assert login(client, user.email).status_code == 302
    with app.app_context():
        db.session.get(User, user.id).active = False
        db.session.commit()
    assert client.get("/studio/").status_code == 302
    assert login(client, user.email).status_code == 401


def test_session_cookie_is_httponly_and_lax(client, factory):
    response = login(client, factory.user().email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # PUBLIC_URL is http in tests


@pytest.mark.parametrize("app_config", [{"PUBLIC_URL": "https://publisher.test"}])
def test_session_cookie_is_secure_when_the_site_is_https(client, factory, app_config):
    response = login(client, factory.user().email)
    assert "Secure" in response.headers["Set-Cookie"]


def test_the_session_is_renewed_at_login(client, factory):
    user = factory.user()
    csrf_token(client)
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
        before = dict(session)
    login(client, user.email)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == str(user.id)
        assert session["_sid"] and session.get("_sid") != before.get("_sid")


@pytest.mark.parametrize("app_config", [{"STUDIO_IDLE_MINUTES": 30}])
def test_an_idle_session_expires(client, factory, app_config):
    login(client, factory.user().email)
    assert client.get("/studio/").status_code == 200
    with client.session_transaction() as session:
        session["_seen"] = int(time.time()) - 31 * 60
    response = client.get("/studio/shows/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/studio/login")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "without activity" in page
    assert client.get("/studio/").status_code == 302


def test_activity_keeps_the_session_alive(client, factory):
    login(client, factory.user().email)
    with client.session_transaction() as session:
        session["_seen"] = int(time.time()) - 60
    assert client.get("/studio/").status_code == 200
    with client.session_transaction() as session:
        assert session["_seen"] >= int(time.time()) - 5


def test_logout_is_a_post_with_the_csrf_token(client, factory):
    login(client, factory.user().email)
    assert client.get("/studio/logout").status_code == 405
    assert client.post("/studio/logout").status_code == 400  # no token: refused
    assert client.get("/studio/").status_code == 200  # still signed in
    response = post(client, "/studio/logout")
    assert response.status_code == 302
    assert client.get("/studio/").status_code == 302


def test_a_login_post_without_csrf_token_is_refused(client, factory):
    user = factory.user()
    response = client.post("/studio/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert client.get("/studio/").status_code == 302


def test_every_studio_form_carries_a_csrf_token(producers):
    _admin, client = producers.admin()
    for path in ("/studio/account", "/studio/users/", "/studio/settings"):
        page = client.get(path).get_data(as_text=True)
        forms = re.findall(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", page, re.S)
        assert forms, path
        assert all('name="csrf_token"' in form for form in forms), path


def test_public_answers_never_vary_on_the_cookie_even_when_signed_in(client, factory):
    show = factory.show()
    episode = factory.episode(show=show)
    article = factory.article()
    login(client, factory.user().email)
    assert client.get("/studio/").status_code == 200
    paths = ["/", "/shows/", f"/shows/{show.slug}", f"/shows/{show.slug}/{episode.slug}",
             f"/shows/{show.slug}/feed.xml", "/feed.xml", "/sitemap.xml", "/robots.txt",
             f"/articles/{article.slug}", "/search?q=episode"]  # fmt: skip
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Cookie" not in response.headers.get("Vary", ""), path
        assert "Set-Cookie" not in response.headers, path


def test_studio_pages_are_private_and_not_indexed(client, factory):
    login(client, factory.user().email)
    response = client.get("/studio/")
    assert response.headers["Cache-Control"] == "no-store"
    assert "noindex" in response.headers["X-Robots-Tag"]
