"""Signing in, changing users, two-factor secrets and the site settings admins change
(creating users and tokens: ``users.py``, ``tokens.py``)."""

from __future__ import annotations

import functools
import re
import secrets
import zoneinfo
from typing import Any

import pyotp
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from publisher.exceptions import ValidationError
from publisher.extensions import db
from publisher.models import Role, User
from publisher.models.setting import SETTING_DEFAULTS, SiteSetting
from publisher.operations import users

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@functools.cache
def _dummy_hash() -> str:
    """Checked when no account matches, so a wrong e-mail takes as long to refuse as a
    wrong password and timing does not tell which of the two was wrong."""
    return generate_password_hash(secrets.token_hex(16))


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (same cost either way)."""
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def _field_error(field: str, message: str) -> ValidationError:
    return ValidationError(message, details=[{"field": field, "message": message}])


def create_user(email: str, password: str, role: str, name: str = "") -> User:
    """A new user (see ``users.create_user``), with an e-mail address that looks like one."""
    email = email.strip().lower()
    if not EMAIL_RE.fullmatch(email) or len(email) > 254:
        raise _field_error("email", f"{email!r} is not an e-mail address.")
    return users.create_user(email, password, role, name.strip())


def update_user(user: User, acting: User, fields: dict[str, Any]) -> None:
    """Change role, active state, name or password; an admin cannot lock themselves out."""
    if user.id == acting.id and (
        fields.get("role", user.role) != user.role or fields.get("active", True) is False
    ):
        raise ValidationError(
            "You cannot remove your own admin role or deactivate yourself; "
            "ask another admin to do it."
        )
    if "role" in fields and fields["role"] not in tuple(Role):
        raise _field_error("role", "The role is admin or editor.")
    password = fields.pop("password", None)
    if password:
        if len(password) < users.MIN_PASSWORD_LENGTH:
            raise _field_error(
                "password", f"The password needs at least {users.MIN_PASSWORD_LENGTH} characters."
            )
        user.set_password(password)
    for name in ("role", "active", "name", "timezone"):
        if name in fields:
            value = fields[name]
            if name == "timezone" and value not in zoneinfo.available_timezones():
                raise _field_error("timezone", f"{value!r} is not a time zone.")
            setattr(user, name, value)
    db.session.flush()


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(user: User, secret: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def totp_matches(secret: str, code: str) -> bool:
    """The 6-digit code is the current one (or the one just before or after)."""
    code = re.sub(r"\s", "", code or "")
    return bool(secret) and code.isdigit() and pyotp.TOTP(secret).verify(code, valid_window=1)


def enable_totp(user: User, secret: str, code: str) -> None:
    if not totp_matches(secret, code):
        raise _field_error(
            "code",
            "This code does not match. Check your phone's clock and type the newest code.",
        )
    user.totp_secret = secret
    db.session.flush()


def disable_totp(user: User) -> None:
    user.totp_secret = None
    db.session.flush()


def set_setting(key: str, value: Any) -> None:
    if key not in SETTING_DEFAULTS:
        raise ValidationError(f"There is no setting {key!r}.")
    row = db.session.get(SiteSetting, key)
    if row is None:
        db.session.add(SiteSetting(key=key, value=value))
    else:
        row.value = value
    db.session.flush()
