"""Accounts: token expiry, deactivation, roles, passwords off the command line (finding 12)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from publisher.extensions import db
from publisher.models import ApiToken, User
from tests.support.api import ApiClient


def last_line(result) -> str:
    return result.output.strip().splitlines()[-1]


def test_a_token_with_an_expiry_stops_working_after_it(app, runner, client, factory):
    factory.user(email="ci@example.com")
    result = runner.invoke(
        args=["tokens", "create", "ci@example.com", "--name", "CI", "--expires", "2h"]
    )
    assert result.exit_code == 0, result.output
    assert "valid until" in result.output
    api = ApiClient(client, last_line(result))
    assert api.get("/api/v1/shows?status=draft").status_code == 200
    with app.app_context():
        token = db.session.scalar(select(ApiToken))
        assert timedelta(hours=1) < token.expires_at - datetime.now(UTC) <= timedelta(hours=2)
        token.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()
    response = api.get("/api/v1/shows")
    assert response.status_code == 401
    assert "expired" in response.get_json()["error"]["message"]
    assert "\texpired" in runner.invoke(args=["tokens", "list"]).output


@pytest.mark.parametrize("value", ["yesterday", "0d", "2001-01-01", "99999999d"])
def test_a_bad_expiry_is_refused(runner, factory, value):
    factory.user(email="ci@example.com")
    result = runner.invoke(
        args=["tokens", "create", "ci@example.com", "--name", "CI", "--expires", value]
    )
    assert result.exit_code != 0
    assert "--expires" in result.output and "Traceback" not in result.output


def test_a_token_without_expiry_never_expires(app, runner, factory):
    factory.user(email="ci@example.com")
    runner.invoke(args=["tokens", "create", "ci@example.com", "--name", "CI"])
    with app.app_context():
        assert db.session.scalar(select(ApiToken.expires_at)) is None


def test_deactivating_a_user_stops_their_tokens_and_activating_restores_them(
    runner, client, factory
):
    user = factory.user(email="ed@example.com")
    api = ApiClient(client, factory.token(user))
    assert api.get("/api/v1/shows").status_code == 200
    result = runner.invoke(args=["users", "deactivate", "ed@example.com"])
    assert result.exit_code == 0, result.output
    assert api.get("/api/v1/shows").status_code == 401
    assert "ed@example.com\teditor\tinactive" in runner.invoke(args=["users", "list"]).output
    assert runner.invoke(args=["users", "activate", "ed@example.com"]).exit_code == 0
    assert api.get("/api/v1/shows").status_code == 200


def test_set_role_changes_what_a_token_may_do(runner, client, factory):
    user = factory.user(email="ed@example.com")
    factory.user(role="admin", email="boss@example.com")
    show = factory.show()
    api = ApiClient(client, factory.token(user))
    assert api.delete(f"/api/v1/shows/{show.slug}").status_code == 403
    assert runner.invoke(args=["users", "set-role", "ed@example.com", "admin"]).exit_code == 0
    assert api.delete(f"/api/v1/shows/{show.slug}").status_code == 204
    result = runner.invoke(args=["users", "set-role", "ed@example.com", "owner"])
    assert result.exit_code != 0 and "'owner' is not one of" in result.output


def test_the_last_active_admin_cannot_be_deactivated_or_demoted(app, runner, factory):
    factory.user(role="admin", email="boss@example.com")
    for args in (["users", "deactivate", "boss@example.com"],
                 ["users", "set-role", "boss@example.com", "editor"]):  # fmt: skip
        result = runner.invoke(args=args)
        assert result.exit_code == 1
        assert "last active admin" in result.output
    with app.app_context():
        boss = db.session.scalar(select(User))
        assert (boss.role, boss.active) == ("admin", True)


def test_unknown_users_are_named(runner):
    for command in ("deactivate", "activate"):
        result = runner.invoke(args=["users", command, "ghost@example.com"])
        assert result.exit_code == 1 and "No user with the email" in result.output


def test_the_password_is_read_from_stdin_not_the_command_line(app, runner):
    result = runner.invoke(args=["users", "create", "ann@example.com"], input="s3cret-pass\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(User)).check_password("s3cret-pass")


def test_a_short_password_from_stdin_is_refused(runner):
    result = runner.invoke(args=["users", "create", "ann@example.com"], input="short\n")
    assert result.exit_code != 0 and "at least 8" in result.output
