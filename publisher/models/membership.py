"""Show membership: which editors work on which shows, and the one access rule.

An admin works on every show; an editor only on the shows they are a member of (they
become one by creating the show, or an admin adds them). The studio and the API's
token checks both ask :func:`can_edit_show`, so the rule is written once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, select
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import ColumnElement

from publisher.extensions import db
from publisher.models.base import UTCDateTime, utcnow
from publisher.models.show import Show
from publisher.models.user import User


class ShowMember(db.Model):
    """An editor's membership of a show."""

    __tablename__ = "show_members"

    show_id: Mapped[int] = mapped_column(
        ForeignKey("shows.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    show: Mapped[Show] = relationship()
    user: Mapped[User] = relationship()


def can_edit_show(user: User | None, show: Show) -> bool:
    """Whether ``user`` may change ``show`` and its episodes."""
    if user is None or not user.active:
        return False
    if user.is_admin:
        return True
    statement = select(ShowMember.user_id).where(
        ShowMember.show_id == show.id, ShowMember.user_id == user.id
    )
    return db.session.scalar(statement) is not None


def editable_shows_filter(user: User) -> ColumnElement[bool]:
    """SQL condition selecting the shows ``user`` works on."""
    if user.is_admin:
        return Show.id.is_not(None)
    members = select(ShowMember.show_id).where(ShowMember.user_id == user.id)
    return Show.id.in_(members)
