"""What the studio's pages read (never writes): shows a user works on, recent items."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import case, func, select

from publisher.analytics.chart import render_svg
from publisher.analytics.stats import make_period, shows_stats
from publisher.extensions import db
from publisher.models import (
    Article,
    Episode,
    Job,
    JobStatus,
    Role,
    Show,
    Status,
    User,
    editable_shows_filter,
    scheduled_filter,
    utcnow,
)


def editable_shows(user: User) -> list[Show]:
    return list(
        db.session.scalars(select(Show).where(editable_shows_filter(user)).order_by(Show.title))
    )


# Jobs the queue runs for itself (rollups, pings, cleaning): not a producer's business.
HOUSEKEEPING_JOB_PREFIXES = ("stats.", "websub.", "storage.")
DASHBOARD_JOBS = 10


def recent_jobs(user: User, limit: int = DASHBOARD_JOBS) -> list[Job]:
    """The user's jobs and those on the audio of the shows they work on (an admin's:
    everybody's), those still running first, then the newest: imports, uploads, analyses,
    renditions (the same rule as ``Job.visible_to``)."""
    statement = select(Job)
    if user.role != Role.ADMIN:
        their_episodes = (
            select(Episode.id).join(Show).where(editable_shows_filter(user)).scalar_subquery()
        )
        statement = statement.where(
            (Job.user_id == user.id) | Job.arguments["episode_id"].as_integer().in_(their_episodes)
        )
    for prefix in HOUSEKEEPING_JOB_PREFIXES:
        statement = statement.where(Job.kind.not_like(f"{prefix}%"))
    unfinished = case((Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]), 0), else_=1)
    statement = statement.order_by(unfinished, Job.created_at.desc(), Job.id).limit(limit)
    return list(db.session.scalars(statement))


def dashboard(user: User) -> dict[str, Any]:
    now = utcnow()
    shows = editable_shows(user)
    show_ids = [show.id for show in shows]
    episodes = select(Episode).where(Episode.show_id.in_(show_ids))
    recent = db.session.scalars(episodes.order_by(Episode.updated_at.desc()).limit(8)).all()
    scheduled_episodes = db.session.scalars(
        episodes.where(scheduled_filter(Episode, now)).order_by(Episode.publish_at)
    ).all()
    scheduled_articles = db.session.scalars(
        select(Article).where(scheduled_filter(Article, now)).order_by(Article.publish_at)
    ).all()
    recent_articles = db.session.scalars(
        select(Article).order_by(Article.updated_at.desc()).limit(8)
    ).all()
    storage_bytes = db.session.scalar(
        select(func.coalesce(func.sum(Episode.size_bytes), 0)).where(Episode.show_id.in_(show_ids))
    )
    period = make_period(now.date() - timedelta(days=6), now.date())
    week = shows_stats(show_ids, period, "your shows")
    return {
        "shows": shows,
        "recent_episodes": recent,
        "recent_articles": recent_articles,
        "scheduled_episodes": scheduled_episodes,
        "scheduled_articles": scheduled_articles,
        "storage_bytes": int(storage_bytes or 0),
        "jobs": recent_jobs(user),
        "week": week,
        "week_chart": render_svg(week),
        "SCHEDULED": Status.SCHEDULED,
    }
