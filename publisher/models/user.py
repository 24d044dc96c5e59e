"""Users (producers who sign in) and their API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from publisher.extensions import db
from publisher.models.base import UTCDateTime, utcnow
from publisher.models.vocabulary import Role, check_in

TOKEN_PREFIX = "pub_"  # noqa: S105  # nosec B105  (a prefix, not a secret)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (check_in("role", Role),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.EDITOR.value)
    active: Mapped[bool] = mapped_column(default=True)
    # Base32 TOTP secret (pyotp) once the user has turned two-factor sign-in on.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    # IANA zone the studio shows and reads times in (scheduling).
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


def hash_token(token: str) -> str:
    """The sha256 stored for a token; tokens are random, so a slow hash adds nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # A few characters of the token, enough to recognise it in a list, useless to an attacker.
    hint: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # None: the token works until revoked (``tokens create --expires`` sets a date).
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")

    @classmethod
    def issue(
        cls, user: User, name: str, expires_at: datetime | None = None
    ) -> tuple[ApiToken, str]:
        """Create a token row and return it with the plain token, which is never stored."""
        plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls(
            user=user,
            name=name,
            token_hash=hash_token(plain),
            hint=plain[:8] + "…",
            expires_at=expires_at,
        )
        db.session.add(token)
        return token, plain

    @classmethod
    def find_active(cls, plain: str) -> ApiToken | None:
        """The unrevoked, unexpired token matching ``plain`` whose user is active, if any."""
        token = db.session.scalar(select(cls).where(cls.token_hash == hash_token(plain)))
        if token is None or token.revoked_at is not None or not token.user.active:
            return None
        if token.expired():
            return None
        return token

    def expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or utcnow())

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = utcnow()
