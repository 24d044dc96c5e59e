"""Download stats for producers: ``GET /api/v1/shows/<slug>/stats`` and
``GET /api/v1/episodes/<id>/stats`` (token needed; ``?since=&until=&format=json|csv|svg``)."""

from __future__ import annotations

from flask import Response, jsonify, request
from sqlalchemy import select

from publisher.analytics.chart import render_svg
from publisher.analytics.stats import (
    DownloadStats,
    episode_stats,
    parse_format,
    parse_period,
    show_stats,
)
from publisher.api import bp
from publisher.auth import require_token
from publisher.errors import NotFound
from publisher.extensions import db
from publisher.models import Episode, Show


@bp.get("/shows/<slug>/stats")
@require_token()
def get_show_stats(slug: str):
    """Downloads per day, total and by app for all episodes of a show."""
    show = db.session.scalar(select(Show).where(Show.slug == slug))
    if show is None:
        raise NotFound(f"There is no show {slug!r}.")
    period, fmt = parse_period(request.args), parse_format(request.args)
    return _render(show_stats(show, period), fmt, show.slug)


@bp.get("/episodes/<int:episode_id>/stats")
@require_token()
def get_episode_stats(episode_id: int):
    """Downloads per day, total and by app for one episode."""
    episode = db.session.get(Episode, episode_id)
    if episode is None:
        raise NotFound(f"There is no episode {episode_id}.")
    period, fmt = parse_period(request.args), parse_format(request.args)
    return _render(episode_stats(episode, period), fmt, f"episode-{episode.id}")


def _render(stats: DownloadStats, fmt: str, name: str) -> Response:
    filename = f"{name}-downloads-{stats.period.since}-{stats.period.until}"
    if fmt == "csv":
        return Response(
            stats.as_csv(),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
        )
    if fmt == "svg":
        response = Response(render_svg(stats), mimetype="image/svg+xml")
        # The chart is data, not a page: nothing in it may run, even if opened directly.
        response.headers["Content-Security-Policy"] = "default-src 'none'"
        response.headers["Content-Disposition"] = f'inline; filename="{filename}.svg"'
        return response
    return jsonify(stats.as_json())
