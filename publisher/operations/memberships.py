"""Show membership: which editors work on a show (see models/membership.py for the rule)."""

from __future__ import annotations

from sqlalchemy import select

from publisher.exceptions import ValidationError
from publisher.extensions import db
from publisher.models import Show, ShowMember, User


def add_member(show: Show, user: User) -> ShowMember:
    """Make ``user`` a member of ``show`` (nothing changes when they already are)."""
    member = db.session.get(ShowMember, (show.id, user.id))
    if member is None:
        member = ShowMember(show_id=show.id, user_id=user.id)
        db.session.add(member)
        db.session.flush()
    return member


def remove_member(show: Show, user: User) -> None:
    member = db.session.get(ShowMember, (show.id, user.id))
    if member is not None:
        db.session.delete(member)
        db.session.flush()


def set_memberships(user: User, show_ids: list[int]) -> None:
    """Make ``user`` a member of exactly these shows."""
    wanted = set(show_ids)
    found = set(db.session.scalars(select(Show.id).where(Show.id.in_(wanted))))
    if found != wanted:
        raise ValidationError("Some of the chosen shows no longer exist; reload the page.")
    current = {
        member.show_id: member
        for member in db.session.scalars(select(ShowMember).where(ShowMember.user_id == user.id))
    }
    for show_id, member in current.items():
        if show_id not in wanted:
            db.session.delete(member)
    for show_id in wanted - set(current):
        db.session.add(ShowMember(show_id=show_id, user_id=user.id))
    db.session.flush()


def member_ids(show: Show) -> set[int]:
    return set(db.session.scalars(select(ShowMember.user_id).where(ShowMember.show_id == show.id)))
