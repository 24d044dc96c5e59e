"""Who may open which studio page: login, idle expiry, roles and show membership.

Every studio endpoint needs a signed-in, active user, except the sign-in pages. Views
declare what more they need with :func:`admin_required`, or load their show through
:func:`show_for_editing` (404 for no such show, 403 when the user is not a member).
``view.studio_access`` ("editor", "member", "admin" or "public") is read by the test
that walks every studio route.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from publisher.extensions import db
from publisher.models import Episode, Show, User, can_edit_show, get_setting
from publisher.studio.blueprint import bp, login_manager

# Endpoints a visitor may open before signing in.
OPEN_ENDPOINTS = frozenset({"studio.login", "studio.login_totp", "studio.static"})
SEEN_KEY = "_seen"
TOTP_PENDING_KEY = "_totp_user"


def init_login(app: Flask) -> None:
    """Bind Flask-Login to the app without its app-wide hooks (see the package doc)."""
    app.login_manager = login_manager  # type: ignore[attr-defined]
    login_manager.login_view = "studio.login"
    login_manager.login_message = "Please log in to open the studio."
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # we renew the session ourselves at login


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


@bp.context_processor
def _studio_context() -> dict[str, Any]:
    return {"current_user": current_user}


def studio_access(level: str) -> Callable[[Callable], Callable]:
    """Mark a view with the access it needs (documentation for the route walk test)."""

    def mark(view: Callable) -> Callable:
        view.studio_access = level  # type: ignore[attr-defined]
        return view

    return mark


def admin_required(view: Callable) -> Callable:
    """The view is for admins only (403 for editors)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any):
        if not current_user.is_admin:
            abort(403, "This page is for admins only.")
        return view(*args, **kwargs)

    wrapper.studio_access = "admin"  # type: ignore[attr-defined]
    return wrapper


def show_for_editing(slug: str) -> Show:
    """The show with this slug, if the current user works on it (404 / 403 otherwise)."""
    show = db.session.scalar(select(Show).where(Show.slug == slug[:100]))
    if show is None:
        abort(404, f"There is no show '{slug}'.")
    if not can_edit_show(current_user, show):
        abort(403, "You are not a member of this show. Ask an admin to add you.")
    return show


def episode_for_editing(slug: str, episode_id: int) -> Episode:
    """An episode of a show the current user works on (404 / 403 otherwise)."""
    show = show_for_editing(slug)
    episode = db.session.get(Episode, episode_id) if 0 < episode_id < 2**31 else None
    if episode is None or episode.show_id != show.id:
        abort(404, f"There is no episode {episode_id} in this show.")
    return episode


def safe_next(target: str | None) -> str:
    """A redirect target inside the studio; anything else falls back to the dashboard."""
    if target:
        parts = urlsplit(target)
        inside = not parts.scheme and not parts.netloc and target.startswith("/studio/")
        if inside and not target.startswith("//") and "\\" not in target:
            return target
    return url_for("studio.dashboard")


def start_session(user: User) -> None:
    """Sign ``user`` in with a fresh session: nothing from before the login survives."""
    session.clear()
    login_user(user)
    session["_sid"] = secrets.token_urlsafe(24)
    session[SEEN_KEY] = int(time.time())


def end_session() -> None:
    logout_user()
    session.clear()


def totp_setup_required(user: User) -> bool:
    """An admin without two-factor sign-in while the site requires it for admins."""
    return user.is_admin and not user.totp_secret and bool(get_setting("require_totp_for_admins"))


@bp.before_request
def _require_login():
    """Every studio page needs an active, recently seen user."""
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    now = int(time.time())
    idle_limit = int(current_app.config["STUDIO_IDLE_MINUTES"]) * 60
    if now - int(session.get(SEEN_KEY, 0)) > idle_limit:
        end_session()
        flash("You were logged out after a while without activity. Please log in again.", "info")
        return redirect(url_for("studio.login", next=request.full_path.rstrip("?")))
    session[SEEN_KEY] = now
    if totp_setup_required(current_user) and request.endpoint not in (
        "studio.account_totp",
        "studio.logout",
    ):
        flash("This site requires two-factor sign-in for admins: set it up to go on.", "info")
        return redirect(url_for("studio.account_totp"))
    return None


@bp.after_request
def _private(response):
    """Studio pages are personal: never cached by a shared cache, never indexed."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response
