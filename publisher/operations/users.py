"""Users: the producers who sign in to the studio and own API tokens."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from publisher.exceptions import Conflict, NotFound, ValidationError
from publisher.extensions import db
from publisher.models import Role, User
from publisher.models.races import savepoint

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
    if _email_taken(email):
        raise _email_conflict(email)
    user = User(email=email, role=role, name=name or email.split("@")[0])
    user.set_password(password)
    try:
        with savepoint():  # a concurrent request may register the same e-mail meanwhile
            db.session.add(user)
    except IntegrityError:
        if _email_taken(email):
            raise _email_conflict(email) from None
        raise
    return user


def _email_taken(email: str) -> bool:
    return db.session.scalar(select(User.id).where(User.email == email)) is not None


def _email_conflict(email: str) -> Conflict:
    return Conflict(f"A user with the email {email!r} already exists.")


def user_by_email(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound(f"No user with the email {email!r}.")
    return user


def _other_active_admins(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.role == Role.ADMIN, User.active.is_(True), User.id != user.id)
        )
        or 0
    )


def _keep_an_admin(user: User, action: str) -> None:
    """409 when the change would leave nobody able to manage users."""
    if user.role == Role.ADMIN and user.active and not _other_active_admins(user):
        raise Conflict(
            f"{user.email} is the last active admin: make another admin before you {action}."
        )


def deactivate_user(user: User) -> None:
    """No sign-in, no API access; tokens are kept (not revoked) and work again if the
    user is activated."""
    _keep_an_admin(user, "deactivate them")
    user.active = False
    db.session.flush()


def activate_user(user: User) -> None:
    user.active = True
    db.session.flush()


def set_role(user: User, role: str) -> None:
    if role not in tuple(Role):
        raise ValidationError(f"The role must be one of: {', '.join(Role)}.")
    if role != Role.ADMIN:
        _keep_an_admin(user, "demote them")
    user.role = role
    db.session.flush()
