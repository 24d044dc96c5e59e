"""Command-line tools: ``flask --app wsgi users|tokens|episodes …``.

Each command parses its arguments, calls the model or service layer, commits once, and
reports. Bad input raises click errors, which print a message and exit non-zero.
"""

from __future__ import annotations

import re
import sys
from datetime import UTC, date, datetime, time, timedelta

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from publisher.exceptions import PublisherError
from publisher.extensions import db
from publisher.models import ApiToken, Role, User, utcnow
from publisher.models.vocabulary import values
from publisher.operations import tokens, users

users_cli = AppGroup("users", help="Manage the people who can sign in to the studio and API.")
tokens_cli = AppGroup("tokens", help="Manage API tokens.")


def _commit() -> None:
    try:
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        raise click.ClickException(
            f"Could not save to the database: {exc.__class__.__name__}"
        ) from exc


def _user_by_email(email: str) -> User:
    try:
        return users.user_by_email(email)
    except PublisherError as exc:
        raise click.ClickException(exc.message) from None


def _validate_email(_ctx, _param, value: str) -> str:
    value = value.strip().lower()
    local, _, domain = value.partition("@")
    if not local or "." not in domain or " " in value or len(value) > 254:
        raise click.BadParameter(f"{value!r} is not an email address.")
    return value


def _run(operation, *args) -> None:
    """Call an operation; its refusal becomes the command's error message."""
    try:
        operation(*args)
    except PublisherError as exc:
        raise click.ClickException(exc.message) from None


def _read_password() -> str:
    """Prompt twice on a terminal; read one line from stdin otherwise (pipes, secrets)."""
    stdin = sys.stdin
    if stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    password = stdin.readline().rstrip("\r\n")
    if not password:
        raise click.BadParameter(
            "no password given: type it at the prompt, pipe it on stdin, or use --password.",
            param_hint="--password",
        )
    return password


@users_cli.command("create")
@click.argument("email", callback=_validate_email)
@click.option(
    "--password",
    default=None,
    help="For scripts only (visible in the process list and shell history); without it the "
    "password is asked for, or read from stdin. At least 8 characters.",
)
@click.option("--role", type=click.Choice(values(Role)), default="editor", show_default=True)
@click.option("--name", default="", help="The name shown as author.")
def create_user(email: str, password: str | None, role: str, name: str) -> None:
    """Create a user who can sign in to the studio and own API tokens."""
    if password is None:
        password = _read_password()
    if len(password) < users.MIN_PASSWORD_LENGTH:
        raise click.BadParameter(
            f"must be at least {users.MIN_PASSWORD_LENGTH} characters.", param_hint="--password"
        )
    try:
        users.create_user(email, password, role, name)
    except PublisherError as exc:
        raise click.ClickException(exc.message) from None
    _commit()
    click.echo(f"Created {role} {email}.")


@users_cli.command("list")
def list_users() -> None:
    """List users with their role and state."""
    users = db.session.scalars(select(User).order_by(User.email)).all()
    if not users:
        click.echo("No users yet. Create one with: flask --app wsgi users create EMAIL ...")
        return
    for user in users:
        state = "active" if user.active else "inactive"
        click.echo(f"{user.id}\t{user.email}\t{user.role}\t{state}")


def _parse_expiry(_ctx, _param, value: str | None) -> datetime | None:
    """``90d`` / ``12h`` from now, or the start of a UTC date ``YYYY-MM-DD``."""
    if value is None:
        return None
    value = value.strip()
    match = re.fullmatch(r"([0-9]{1,5})([dh])", value)
    if match:
        amount = int(match.group(1))
        delta = timedelta(days=amount) if match.group(2) == "d" else timedelta(hours=amount)
        expires = utcnow() + delta
    else:
        try:
            expires = datetime.combine(date.fromisoformat(value), time(), tzinfo=UTC)
        except ValueError:
            raise click.BadParameter(
                f"{value!r} is neither a duration like 90d or 12h nor a date YYYY-MM-DD."
            ) from None
    if expires <= utcnow():
        raise click.BadParameter(f"{value!r} is already in the past.")
    return expires


@tokens_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="What the token is for, e.g. 'CI pipeline'.")
@click.option(
    "--expires",
    default=None,
    callback=_parse_expiry,
    help="When the token stops working: a duration (90d, 12h) or a UTC date (2026-12-31). "
    "Default: never (until revoked).",
)
def create_token(email: str, name: str, expires: datetime | None) -> None:
    """Create an API token; it is printed once, alone on the last line."""
    name = name.strip()
    if not name or len(name) > 100:
        raise click.BadParameter("must be 1 to 100 characters.", param_hint="--name")
    user = _user_by_email(email)
    _token, plain = tokens.issue_token(user, name, expires_at=expires)
    _commit()
    until = f", valid until {expires.isoformat(timespec='minutes')}" if expires else ""
    click.echo(f"Token {name!r} for {user.email}{until}. Copy it now: it will not be shown again.")
    click.echo(plain)


@tokens_cli.command("list")
@click.option("--email", default=None, help="Only this user's tokens.")
def list_tokens(email: str | None) -> None:
    """List tokens (never their secret): id, user, name, hint, last use, state."""
    query = select(ApiToken).join(ApiToken.user).order_by(ApiToken.id)
    if email:
        query = query.where(ApiToken.user_id == _user_by_email(email).id)
    tokens = db.session.scalars(query).all()
    if not tokens:
        click.echo("No tokens.")
        return
    for token in tokens:
        used = token.last_used_at.isoformat(timespec="seconds") if token.last_used_at else "never"
        state = "revoked" if token.revoked else "expired" if token.expired() else "active"
        click.echo(f"{token.id}\t{token.user.email}\t{token.name}\t{token.hint}\t{used}\t{state}")


@tokens_cli.command("revoke")
@click.argument("token_id", type=int)
def revoke_token(token_id: int) -> None:
    """Revoke a token by its id (see ``tokens list``)."""
    try:
        token = tokens.revoke_token(token_id)
    except PublisherError as exc:
        raise click.ClickException(exc.message) from None
    _commit()
    click.echo(f"Revoked token {token_id} ({token.name}).")


@users_cli.command("deactivate")
@click.argument("email")
def deactivate_user(email: str) -> None:
    """Stop a user from signing in; their API tokens stop working too (kept, not revoked)."""
    user = _user_by_email(email)
    _run(users.deactivate_user, user)
    _commit()
    click.echo(f"Deactivated {user.email}: no sign-in, no API access.")


@users_cli.command("activate")
@click.argument("email")
def activate_user(email: str) -> None:
    """Let a deactivated user sign in again (their unrevoked tokens work again)."""
    user = _user_by_email(email)
    _run(users.activate_user, user)
    _commit()
    click.echo(f"Activated {user.email}.")


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(values(Role)))
def set_role(email: str, role: str) -> None:
    """Change a user's role (admin or editor)."""
    user = _user_by_email(email)
    _run(users.set_role, user, role)
    _commit()
    click.echo(f"{user.email} is now {role}.")


# ---------------------------------------------------------------------------- episodes

episodes_cli = AppGroup("episodes", help="Listen to episodes: analysis and renditions.")


def _print_analysis(analysis) -> None:
    if analysis.status != "done":
        click.echo(f"Analysis failed: {analysis.error}")
        return
    m = analysis.measurements
    click.echo(
        f"Integrated loudness {m['integrated_lufs']:.1f} LUFS, loudness range "
        f"{m['loudness_range_lu']:.1f} LU, true peak {m['true_peak_dbtp']:.1f} dBTP"
    )
    click.echo(
        f"Silence: {m['leading_silence_seconds']:.2f} s at the start, "
        f"{m['trailing_silence_seconds']:.2f} s at the end; clipping runs: "
        f"{m['clipping_runs']}; channels: {m['channel_use']}; "
        f"duration {m['duration_seconds']:.2f} s"
    )
    if not analysis.findings:
        click.echo("No findings: the audio meets the targets.")
    for finding in analysis.findings:
        click.echo(f"[{finding['severity']}] {finding['message']}")


def _audio_operation(call):
    try:
        result = call()
    except PublisherError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    _commit()
    return result


@episodes_cli.command("analyze")
@click.argument("episode_id", type=int)
def analyze_episode_command(episode_id: int) -> None:
    """Measure an episode's audio (loudness, true peak, silence, clipping, channels) and
    store its waveform; print the findings."""
    from publisher.operations import audio

    _print_analysis(_audio_operation(lambda: audio.analyze_episode(episode_id)))


@episodes_cli.command("render")
@click.argument("episode_id", type=int)
@click.option(
    "--kind",
    type=click.Choice(["normalized", "compatible"]),
    required=True,
    help="normalized: loudness to the target; compatible: MP3/AAC for Opus, FLAC, Ogg, WAV.",
)
@click.option("--codec", type=click.Choice(["mp3", "aac"]), default=None, help="Output codec.")
def render_episode_command(episode_id: int, kind: str, codec: str | None) -> None:
    """Make a rendition the episode's enclosure (the uploaded file is kept), then analyze it."""
    from publisher.operations import audio

    episode = _audio_operation(lambda: audio.make_rendition(episode_id, kind, codec))
    click.echo(
        f"Episode {episode_id}: the {kind} rendition {episode.storage_key} is the enclosure."
    )
    _print_analysis(_audio_operation(lambda: audio.analyze_episode(episode_id)))


@episodes_cli.command("restore-original")
@click.argument("episode_id", type=int)
def restore_original_command(episode_id: int) -> None:
    """Make the uploaded file the enclosure again (the rendition is deleted)."""
    from publisher.operations import audio

    episode = _audio_operation(lambda: audio.drop_rendition(episode_id))
    click.echo(f"Episode {episode_id}: the uploaded file {episode.storage_key} is the enclosure.")
    _audio_operation(lambda: audio.analyze_episode(episode_id))


def init_cli(app: Flask) -> None:
    """The users, tokens and episodes commands (each area registers its own: see create_app)."""
    app.cli.add_command(users_cli)
    app.cli.add_command(tokens_cli)
    app.cli.add_command(episodes_cli)
