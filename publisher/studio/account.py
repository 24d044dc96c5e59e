"""Signing in and out, two-factor sign-in, one's own account and API tokens."""

from __future__ import annotations

import zoneinfo

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from publisher.exceptions import PublisherError
from publisher.extensions import db
from publisher.models import ApiToken, User
from publisher.operations import accounts, tokens
from publisher.studio.access import (
    TOTP_PENDING_KEY,
    end_session,
    safe_next,
    start_session,
    studio_access,
)
from publisher.studio.blueprint import bp
from publisher.studio.forms import AccountForm, LoginForm, PostForm, TokenForm, TotpForm
from publisher.studio.limits import login_limits

FAILED_LOGIN = "The e-mail address or the password is not right. Please try again."


def _too_many(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    return (
        f"Too many failed attempts. For your account's safety, wait {minutes} "
        f"minute{'s' if minutes != 1 else ''} before trying again."
    )


@bp.route("/login", methods=["GET", "POST"])
@studio_access("public")
def login():
    """Sign in with e-mail and password (and a TOTP code when the user has one)."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            status = _try_login(form)
            if status == 302:
                user_next = request.args.get("next")
                if TOTP_PENDING_KEY in session:
                    return redirect(url_for("studio.login_totp", next=user_next))
                return redirect(safe_next(user_next))
    return render_template("studio/login.html", form=form), status


def _try_login(form: LoginForm) -> int:
    email, address = form.email.data or "", request.remote_addr or "unknown"
    limits = login_limits()
    wait = limits.retry_after(email, address) if limits else 0
    if wait:
        form.form_errors.append(_too_many(wait))
        return 429
    user = accounts.authenticate(email, form.password.data or "")
    if user is None:
        if limits:
            limits.failed(email, address)
        form.form_errors.append(FAILED_LOGIN)
        return 401
    if user.totp_secret:
        session.clear()  # nothing from before the login survives
        session[TOTP_PENDING_KEY] = user.id
        return 302
    start_session(user)
    flash(f"Welcome, {user.name or user.email}.", "success")
    return 302


@bp.route("/login/code", methods=["GET", "POST"])
@studio_access("public")
def login_totp():
    """The second step of sign-in for users with two-factor sign-in."""
    user_id = session.get(TOTP_PENDING_KEY)
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.active or not user.totp_secret:
        return redirect(url_for("studio.login"))
    form = TotpForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            limits = login_limits()
            address = request.remote_addr or "unknown"
            wait = limits.retry_after(user.email, address) if limits else 0
            if wait:
                form.form_errors.append(_too_many(wait))
                status = 429
            elif accounts.totp_matches(user.totp_secret, form.code.data or ""):
                start_session(user)
                flash(f"Welcome, {user.name or user.email}.", "success")
                return redirect(safe_next(request.args.get("next")))
            else:
                if limits:
                    limits.failed(user.email, address)
                form.code.errors = ["This code is not right. Type the newest code of your app."]
                status = 401
    return render_template("studio/login_totp.html", form=form), status


@bp.post("/logout")
def logout():
    """Sign out (a POST with the CSRF token, so no other site can sign you out)."""
    form = PostForm()
    if not form.validate_on_submit():
        abort(400, "The form expired; reload the page and try again.")
    end_session()
    flash("You are logged out.", "info")
    return redirect(url_for("studio.login"))


@bp.route("/account", methods=["GET", "POST"])
def account():
    """Your name and time zone, your two-factor sign-in and your API tokens."""
    form = AccountForm(obj=current_user)
    form.timezone.choices = sorted(zoneinfo.available_timezones())
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            accounts.update_user(
                current_user,
                current_user,
                {"name": form.name.data or "", "timezone": form.timezone.data},
            )
            db.session.commit()
            flash("Your account is saved.", "success")
            return redirect(url_for("studio.account"))
    tokens = sorted(current_user.tokens, key=lambda t: t.created_at, reverse=True)
    return render_template(
        "studio/account.html",
        form=form,
        token_form=TokenForm(formdata=None),
        tokens=tokens,
        post_form=PostForm(),
    ), status


@bp.route("/account/two-factor", methods=["GET", "POST"])
def account_totp():
    """Turn two-factor sign-in on (scan the secret, confirm with a code) or off."""
    form = TotpForm()
    secret = session.get("_totp_setup") or accounts.new_totp_secret()
    session["_totp_setup"] = secret
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                accounts.enable_totp(current_user, secret, form.code.data or "")
            except PublisherError as exc:
                form.code.errors = [exc.message]
                status = 422
            else:
                db.session.commit()
                session.pop("_totp_setup", None)
                flash("Two-factor sign-in is on. You will be asked for a code at login.", "success")
                return redirect(url_for("studio.account"))
    uri = accounts.totp_uri(current_user, secret, current_app.config["SITE_NAME"])
    return render_template(
        "studio/account_totp.html", form=form, secret=secret, uri=uri, post_form=PostForm()
    ), status


@bp.post("/account/two-factor/off")
def account_totp_off():
    """Turn two-factor sign-in off."""
    if not PostForm().validate_on_submit():
        abort(400, "The form expired; reload the page and try again.")
    accounts.disable_totp(current_user)
    db.session.commit()
    flash("Two-factor sign-in is off.", "info")
    return redirect(url_for("studio.account"))


@bp.post("/account/tokens")
def create_own_token():
    """Create an API token for yourself; it is shown once."""
    form = TokenForm()
    if not form.validate_on_submit():
        for error in form.name.errors or ["The form expired; reload the page and try again."]:
            flash(error, "error")
        return redirect(url_for("studio.account"))
    _token, plain = tokens.issue_token(current_user, form.name.data or "")
    db.session.commit()
    return render_template("studio/token_created.html", plain=plain, name=form.name.data), 201


@bp.post("/account/tokens/<int:token_id>/revoke")
def revoke_own_token(token_id: int):
    """Revoke one of your API tokens."""
    if not PostForm().validate_on_submit():
        abort(400, "The form expired; reload the page and try again.")
    token = db.session.get(ApiToken, token_id) if 0 < token_id < 2**31 else None
    if token is None or token.user_id != current_user.id:
        abort(404, "You have no such token.")
    tokens.revoke_token(token.id)
    db.session.commit()
    flash(f"The token “{token.name}” is revoked.", "info")
    return redirect(url_for("studio.account"))
