"""The command line: users, tokens; clear messages and non-zero exits on bad input."""

import pytest
from sqlalchemy import select

from publisher.extensions import db
from publisher.models import ApiToken, User, hash_token


def test_users_create_and_list(app, runner):
    result = runner.invoke(
        args=["users", "create", "Ann@Example.com", "--password", "s3cret-pass", "--role", "admin"]
    )
    assert result.exit_code == 0, result.output
    assert "Created admin ann@example.com" in result.output
    listing = runner.invoke(args=["users", "list"])
    assert "ann@example.com\tadmin\tactive" in listing.output
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.check_password("s3cret-pass")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["users", "create", "not-an-email", "--password", "longenough"], "not an email"),
        (["users", "create", "a@example.com", "--password", "short"], "at least 8"),
        (
            ["users", "create", "a@example.com", "--password", "longenough", "--role", "god"],
            "'god' is not one of",
        ),
        (["users", "create", "a@example.com"], "no password given"),
        (["tokens", "create", "nobody@example.com", "--name", "ci"], "No user with the email"),
        (["tokens", "revoke", "999"], "No token with id 999"),
        (["tokens", "revoke", "abc"], "'abc' is not a valid integer"),
    ],
)
def test_bad_arguments_give_a_message_and_a_non_zero_exit(runner, args, message):
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_duplicate_user_is_refused(runner, factory):
    factory.user(email="dup@example.com")
    result = runner.invoke(args=["users", "create", "dup@example.com", "--password", "longenough"])
    assert result.exit_code == 1
    assert "already exists" in result.output


def test_token_is_printed_alone_on_the_last_line_and_stored_hashed(app, runner, factory):
    factory.user(email="ed@example.com")
    result = runner.invoke(args=["tokens", "create", "ed@example.com", "--name", "CI"])
    assert result.exit_code == 0, result.output
    plain = result.output.strip().splitlines()[-1]
    assert plain.startswith("pub_") and " " not in plain and len(plain) > 40
    with app.app_context():
        token = db.session.scalar(select(ApiToken))
        assert token.token_hash == hash_token(plain)
        assert plain not in (token.hint, token.name, token.token_hash)


def test_tokens_list_and_revoke(app, runner, factory):
    user = factory.user(email="ed@example.com")
    factory.token(user, name="laptop")
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    assert "laptop" in runner.invoke(args=["tokens", "list"]).output
    result = runner.invoke(args=["tokens", "revoke", str(token_id)])
    assert result.exit_code == 0
    assert "revoked" in runner.invoke(args=["tokens", "list"]).output.splitlines()[-1]
    with app.app_context():
        assert db.session.get(ApiToken, token_id).revoked
