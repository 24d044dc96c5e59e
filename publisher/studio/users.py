"""User management for admins: create, change role, deactivate, memberships, tokens."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import PasswordField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional

from publisher.exceptions import PublisherError
from publisher.extensions import db
from publisher.models import ApiToken, Role, Show, ShowMember, User, get_setting
from publisher.operations import accounts, memberships, tokens
from publisher.studio.access import admin_required
from publisher.studio.blueprint import bp
from publisher.studio.forms import PostForm, SettingsForm, TokenForm


class NewUserForm(FlaskForm):
    email = StringField(
        "Email",
        validators=[DataRequired("Enter an e-mail address."), Length(max=254)],
        render_kw={"type": "email", "autocomplete": "off"},
    )
    name = StringField("Name", validators=[Optional(), Length(max=200)])
    role = SelectField(
        "Role", choices=[SelectChoice(r, r.capitalize()) for r in Role], default="editor"
    )
    password = PasswordField(
        "Initial password",
        validators=[
            DataRequired("Choose an initial password."),
            Length(min=8, max=1024, message="Use at least 8 characters."),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class EditUserForm(FlaskForm):
    name = StringField("Name", validators=[Optional(), Length(max=200)])
    role = SelectField("Role", choices=[SelectChoice(r, r.capitalize()) for r in Role])
    active = SelectField(
        "Account", choices=[SelectChoice("1", "Active"), SelectChoice("0", "Deactivated")]
    )
    password = PasswordField(
        "New password (leave empty to keep it)",
        validators=[Optional(), Length(min=8, max=1024, message="Use at least 8 characters.")],
        render_kw={"autocomplete": "new-password"},
    )
    shows = SelectMultipleField("Member of these shows", coerce=int, validate_choice=True)


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id) if 0 < user_id < 2**31 else None
    if user is None:
        abort(404, f"There is no user {user_id}.")
    return user


def _flash_form_errors(form: FlaskForm) -> None:
    for field, errors in form.errors.items():
        label = getattr(getattr(form, field, None), "label", None)
        for error in errors:
            flash(f"{label.text}: {error}" if label else error, "error")


@bp.route("/users/", methods=["GET", "POST"])
@admin_required
def users():
    """Everyone who can sign in; create a user."""
    form = NewUserForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                user = accounts.create_user(
                    form.email.data or "",
                    form.password.data or "",
                    form.role.data,
                    form.name.data or "",
                )
            except PublisherError as exc:
                form.email.errors = [exc.message]
                status = exc.status_code
            else:
                db.session.commit()
                flash(f"{user.email} can now log in as {user.role}.", "success")
                return redirect(url_for("studio.edit_user", user_id=user.id))
    people = db.session.scalars(select(User).order_by(User.email)).all()
    return render_template("studio/users.html", users=people, form=form), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    """Change a user's role, state, password and show memberships."""
    user = _user_or_404(user_id)
    all_shows = db.session.scalars(select(Show).order_by(Show.title)).all()
    member_of = list(
        db.session.scalars(select(ShowMember.show_id).where(ShowMember.user_id == user.id))
    )
    form = EditUserForm(
        data={
            "name": user.name,
            "role": user.role,
            "active": "1" if user.active else "0",
            "shows": member_of,
        }
    )
    form.shows.choices = [SelectChoice(show.id, show.title) for show in all_shows]
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                accounts.update_user(
                    user,
                    current_user,
                    {
                        "name": form.name.data or "",
                        "role": form.role.data,
                        "active": form.active.data == "1",
                        "password": form.password.data or None,
                    },
                )
                memberships.set_memberships(user, form.shows.data or [])
            except PublisherError as exc:
                db.session.rollback()
                flash(exc.message, "error")
                status = exc.status_code
            else:
                db.session.commit()
                flash(f"{user.email} is saved.", "success")
                return redirect(url_for("studio.edit_user", user_id=user.id))
        else:
            _flash_form_errors(form)
    tokens = sorted(user.tokens, key=lambda t: t.created_at, reverse=True)
    return render_template(
        "studio/user.html",
        user=user,
        form=form,
        tokens=tokens,
        token_form=TokenForm(formdata=None),
        post_form=PostForm(),
    ), status


@bp.post("/users/<int:user_id>/tokens")
@admin_required
def create_user_token(user_id: int):
    """Create an API token for a user; it is shown once."""
    user = _user_or_404(user_id)
    form = TokenForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
        return redirect(url_for("studio.edit_user", user_id=user.id))
    _token, plain = tokens.issue_token(user, form.name.data or "")
    db.session.commit()
    return render_template(
        "studio/token_created.html", plain=plain, name=form.name.data, owner=user
    ), 201


@bp.post("/users/<int:user_id>/tokens/<int:token_id>/revoke")
@admin_required
def revoke_user_token(user_id: int, token_id: int):
    """Revoke a user's API token."""
    if not PostForm().validate_on_submit():
        abort(400, "The form expired; reload the page and try again.")
    token = db.session.get(ApiToken, token_id) if 0 < token_id < 2**31 else None
    if token is None or token.user_id != user_id:
        abort(404, "This user has no such token.")
    tokens.revoke_token(token.id)
    db.session.commit()
    flash(f"The token “{token.name}” is revoked.", "info")
    return redirect(url_for("studio.edit_user", user_id=user_id))


@bp.route("/settings", methods=["GET", "POST"])
@admin_required
def settings():
    """Site settings: require two-factor sign-in for admins."""
    form = SettingsForm(data={"require_totp_for_admins": get_setting("require_totp_for_admins")})
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400, "The form expired; reload the page and try again.")
        accounts.set_setting("require_totp_for_admins", bool(form.require_totp_for_admins.data))
        db.session.commit()
        flash("Settings saved.", "success")
        return redirect(url_for("studio.settings"))
    return render_template("studio/settings.html", form=form)
