"""The studio's forms (Flask-WTF: every form carries and checks a CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp


class LoginForm(FlaskForm):
    email = StringField(
        "Email",
        validators=[DataRequired("Enter your e-mail address."), Length(max=254)],
        render_kw={"type": "email", "autocomplete": "username", "spellcheck": "false"},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Enter your password."), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )


class TotpForm(FlaskForm):
    code = StringField(
        "Code from your authenticator app",
        validators=[
            DataRequired("Enter the 6-digit code."),
            Regexp(r"^\s*\d{3}\s?\d{3}\s*$", message="The code is 6 digits."),
        ],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class PostForm(FlaskForm):
    """A form with nothing but its CSRF token (buttons that change something)."""


class AccountForm(FlaskForm):
    name = StringField("Name", validators=[Optional(), Length(max=200)])
    timezone = SelectField("Time zone", validate_choice=True)


class TokenForm(FlaskForm):
    name = StringField(
        "Token name",
        validators=[DataRequired("Name the token after what will use it."), Length(max=100)],
    )


class SettingsForm(FlaskForm):
    require_totp_for_admins = BooleanField("Require two-factor sign-in for admins")
