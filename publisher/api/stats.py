"""Download stats for producers: ``GET /api/v1/shows/<slug>/stats`` and
``GET /api/v1/episodes/<id>/stats`` (token needed; ``?since=&until=&format=json|csv|svg``)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Literal

from flask import Response
from pydantic import AfterValidator, Field, StringConstraints

from publisher.analytics.chart import render_svg
from publisher.analytics.stats import DownloadStats, episode_stats, make_period, show_stats
from publisher.api.blueprint import bp
from publisher.api.schemas import Input, Output
from publisher.api.spec import api_route, current_user_or_none
from publisher.models import utcnow
from publisher.operations.episodes import get_episode
from publisher.operations.shows import get_show

EXPORTS = {
    "text/csv": {"type": "string", "description": "date,downloads per UTC day"},
    "image/svg+xml": {"type": "string", "description": "an accessible chart of downloads per day"},
}


def _utc_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a date like 2024-05-31.") from None


# Only YYYY-MM-DD: pydantic's lax date parsing would also take "0" (a Unix time).
if TYPE_CHECKING:
    UtcDay = date  # what the validator turns the string into
else:
    UtcDay = Annotated[
        str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$"), AfterValidator(_utc_day)
    ]


class StatsQuery(Input):
    since: UtcDay | None = Field(None, description="First UTC day (default: 29 days before until).")
    until: UtcDay | None = Field(None, description="Last UTC day (default: today).")
    format: Literal["json", "csv", "svg"] = "json"


class DayCount(Output):
    date: date
    downloads: int


class AppCount(Output):
    app: str
    downloads: int


class EpisodeRef(Output):
    id: int
    guid: str
    title: str


class StatsOut(Output):
    since: date
    until: date
    total: int = Field(description="Downloads in the period (bots excluded).")
    days: list[DayCount] = Field(description="Every day of the period, zeros included.")
    by_app: list[AppCount]
    bot_downloads_excluded: int


class ShowStatsOut(StatsOut):
    show: str = Field(description="The show's slug.")


class EpisodeStatsOut(StatsOut):
    episode: EpisodeRef


@api_route(bp, "/shows/<slug>/stats", "GET", auth="editor", tag="stats", query=StatsQuery,
           response=ShowStatsOut, alternative_content=EXPORTS)  # fmt: skip
def get_show_stats(slug: str, query: StatsQuery):
    """Downloads per day, total and by app for all episodes of a show."""
    show = get_show(slug, current_user_or_none())
    stats = show_stats(show, make_period(query.since, query.until))
    return _render(stats, query.format, slug, ShowStatsOut)


@api_route(bp, "/episodes/<int:episode_id>/stats", "GET", auth="editor", tag="stats",
           query=StatsQuery, response=EpisodeStatsOut, alternative_content=EXPORTS)  # fmt: skip
def get_episode_stats(episode_id: int, query: StatsQuery):
    """Downloads per day, total and by app for one episode."""
    episode = get_episode(episode_id, current_user_or_none(), utcnow())
    stats = episode_stats(episode, make_period(query.since, query.until))
    return _render(stats, query.format, f"episode-{episode.id}", EpisodeStatsOut)


def _render(
    stats: DownloadStats, fmt: str, name: str, model: type[StatsOut]
) -> Response | StatsOut:
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
    return model.model_validate(stats.as_json())
