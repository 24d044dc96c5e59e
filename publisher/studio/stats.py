"""Downloads of a show or an episode: the chart, by app, a date range, CSV."""

from __future__ import annotations

from flask import Response, render_template, request

from publisher.analytics.chart import render_svg
from publisher.analytics.stats import DownloadStats, episode_stats, parse_period, show_stats
from publisher.exceptions import PublisherError
from publisher.studio.access import episode_for_editing, show_for_editing, studio_access
from publisher.studio.blueprint import bp


def _page(stats: DownloadStats, name: str, **context):
    if request.args.get("format") == "csv":
        filename = f"{name}-downloads-{stats.period.since}-{stats.period.until}.csv"
        return Response(
            stats.as_csv(),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return render_template("studio/stats.html", stats=stats, chart=render_svg(stats), **context)


def _period():
    try:
        return parse_period(request.args), None
    except PublisherError as exc:
        return parse_period({}), exc.message


@bp.get("/shows/<slug>/stats")
@studio_access("member")
def show_stats_page(slug: str):
    """Downloads of all the show's episodes."""
    show = show_for_editing(slug)
    period, error = _period()
    return _page(show_stats(show, period), show.slug, show=show, episode=None, error=error)


@bp.get("/shows/<slug>/episodes/<int:episode_id>/stats")
@studio_access("member")
def episode_stats_page(slug: str, episode_id: int):
    """Downloads of one episode."""
    episode = episode_for_editing(slug, episode_id)
    period, error = _period()
    return _page(
        episode_stats(episode, period),
        f"episode-{episode.id}",
        show=episode.show,
        episode=episode,
        error=error,
    )
