"""Studio test helpers: signing in, CSRF tokens, and producers of each kind."""

from __future__ import annotations

import re
import time

PASSWORD = "correct horse"
CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def csrf_token(client, path: str = "/studio/login") -> str:
    """A valid CSRF token for this client's session, read from a page's form."""
    page = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, email: str, password: str = PASSWORD, **extra):
    token = csrf_token(client)
    data = {"email": email, "password": password, "csrf_token": token, **extra}
    return client.post("/studio/login", data=data)


def post(client, path: str, data: dict | None = None, **kwargs):
    """A form POST with this session's CSRF token (read from the dashboard)."""
    token = csrf_token(client, "/studio/account")
    return client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)


def sign_in(client, user) -> None:
    """What a successful login leaves in the session, without the password hash's cost
    (test_login.py signs in the real way)."""
    with client.session_transaction() as session:
        session.clear()
        session.update({"_user_id": str(user.id), "_fresh": True, "_sid": "test",
                        "_seen": int(time.time())})  # fmt: skip


class Producers:
    """Users of each kind and test clients signed in as them."""

    def __init__(self, app, factory) -> None:
        self.app = app
        self.factory = factory

    def client(self, user):
        client = self.app.test_client()
        sign_in(client, user)
        return client

    def admin(self):
        user = self.factory.user(role="admin", name="Ada Admin")
        return user, self.client(user)

    def editor(self, *shows):
        user = self.factory.user(role="editor", name="Eddie Editor")
        for show in shows:
            self.factory.member(show, user)
        return user, self.client(user)
