"""Users: the producers who sign in to the studio and own API tokens."""

from __future__ import annotations

from sqlalchemy import select

from publisher.exceptions import Conflict, NotFound, ValidationError
from publisher.extensions import db
from publisher.models import Role, User

MIN_PASSWORD_LENGTH = 8


def create_user(email: str, password: str, role: str = Role.EDITOR, name: str = "") -> User:
    """A new user (flushed); 409 when the e-mail is taken, 422 for a short password."""
    email = email.strip().lower()
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            f"The password must be at least {MIN_PASSWORD_LENGTH} characters.",
            details=[{"field": "password", "message": "Too short."}],
        )
    if role not in tuple(Role):
        raise ValidationError(f"The role must be one of: {', '.join(Role)}.")
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"A user with the email {email!r} already exists.")
    user = User(email=email, role=role, name=name or email.split("@")[0])
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def user_by_email(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound(f"No user with the email {email!r}.")
    return user
