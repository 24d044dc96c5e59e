"""Shows: list, read, create, update, delete."""

from __future__ import annotations

from werkzeug.exceptions import Forbidden

from publisher.api.blueprint import bp
from publisher.api.representations import paginate, show_out
from publisher.api.schemas import ShowCreate, ShowOut, ShowPage, ShowStatusQuery, ShowUpdate
from publisher.api.spec import api_route, current_user_or_none
from publisher.auth import require_show_member
from publisher.extensions import db
from publisher.models import Role, Show, utcnow
from publisher.operations import shows as ops
from publisher.operations.memberships import add_member
from publisher.operations.shows import ADMIN_ONLY_SHOW_FIELDS


def _check_admin_only(fields: set[str]) -> None:
    user = current_user_or_none()
    sent = [name for name in ADMIN_ONLY_SHOW_FIELDS if name in fields]
    if sent and (user is None or user.role != Role.ADMIN):
        raise Forbidden(f"Only an admin may set {', '.join(sent)}; leave them out of the body.")


def _out(show: Show) -> ShowOut:
    counts = ops.episode_counts([show], current_user_or_none(), utcnow())
    return show_out(show, counts.get(show.id, 0))


@api_route(bp, "/shows", "GET", auth="public", tag="shows", query=ShowStatusQuery,
           response=ShowPage)  # fmt: skip
def list_shows(query: ShowStatusQuery) -> ShowPage:
    """List shows (anonymous callers see published shows only)."""
    user = current_user_or_none()
    shows, paging = paginate(ops.shows_query(user, query.status), query.page, query.per_page)
    counts = ops.episode_counts(shows, user, utcnow())
    return ShowPage(items=[show_out(s, counts.get(s.id, 0)) for s in shows], **paging)


@api_route(bp, "/shows", "POST", auth="editor", tag="shows", body=ShowCreate, response=ShowOut,
           status=201, errors=[409])  # fmt: skip
def create_show(body: ShowCreate) -> tuple[ShowOut, int]:
    """Create a show."""
    # A new show has no subscribers to move: an editor may set every field here.
    show = ops.create_show(body)
    user = current_user_or_none()
    if user is not None and not user.is_admin:
        add_member(show, user)  # an editor works on the shows they create
    db.session.commit()
    return _out(show), 201


@api_route(bp, "/shows/<slug>", "GET", auth="public", tag="shows", response=ShowOut)
def get_show(slug: str) -> ShowOut:
    """Read a show."""
    return _out(ops.get_show(slug, current_user_or_none()))


@api_route(bp, "/shows/<slug>", "PATCH", auth="editor", tag="shows", body=ShowUpdate,
           response=ShowOut)  # fmt: skip
def update_show(slug: str, body: ShowUpdate) -> ShowOut:
    """Change a show's fields (only those sent; the slug is fixed; new_feed_url,
    owner_email and locked: admins only)."""
    show = ops.get_show(slug, current_user_or_none())
    _check_admin_only(body.model_fields_set)
    require_show_member(show)
    ops.update_show(show, body)
    db.session.commit()
    return _out(show)


@api_route(bp, "/shows/<slug>", "DELETE", auth="admin", tag="shows", status=204, errors=[503])
def delete_show(slug: str) -> None:
    """Delete a show, its episodes and their media (admin only)."""
    ops.delete_show(ops.get_show(slug, current_user_or_none()))
    db.session.commit()
