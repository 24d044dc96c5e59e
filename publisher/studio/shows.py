"""Shows in the studio: the list of one's shows and a show's page with its episodes."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from sqlalchemy import select

from publisher.extensions import db
from publisher.models import Episode
from publisher.studio import queries
from publisher.studio.access import show_for_editing, studio_access
from publisher.studio.blueprint import bp


@bp.get("/shows/")
def shows():
    """The shows the producer works on (every show for an admin)."""
    return render_template("studio/shows.html", shows=queries.editable_shows(current_user))


@bp.get("/shows/<slug>/")
@studio_access("member")
def show(slug: str):
    """A show's episodes, newest first, with links to its public page and feed."""
    show = show_for_editing(slug)
    episodes = db.session.scalars(
        select(Episode)
        .where(Episode.show_id == show.id)
        .order_by(Episode.publish_at.desc().nulls_first(), Episode.id.desc())
    ).all()
    return render_template("studio/show.html", show=show, episodes=episodes)
