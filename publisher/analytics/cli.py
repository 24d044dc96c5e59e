"""``flask --app wsgi stats SHOW [--since DATE] [--until DATE]`` and ``stats prune``."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from publisher.analytics.counting import prune_progress
from publisher.analytics.stats import DownloadStats, parse_period, show_stats
from publisher.exceptions import ValidationError
from publisher.extensions import db
from publisher.models import Show, utcnow


class _ShowByDefault(AppGroup):
    """``stats SHOW …`` means ``stats show SHOW …`` unless SHOW names a subcommand."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["show", *args]
        return super().parse_args(ctx, args)


stats_cli = _ShowByDefault(
    "stats",
    help="Download numbers: `stats SHOW [--since DATE]`, or `stats prune`.",
)


@stats_cli.command("show")
@click.argument("slug")
@click.option("--since", default=None, help="First UTC day, YYYY-MM-DD (default: 30 days ago).")
@click.option("--until", default=None, help="Last UTC day, YYYY-MM-DD (default: today).")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV instead of a table.")
def show_command(slug: str, since: str | None, until: str | None, as_csv: bool) -> None:
    """Print a show's downloads per day, its total and its apps."""
    show = db.session.scalar(select(Show).where(Show.slug == slug))
    if show is None:
        raise click.ClickException(f"No show with the slug {slug!r}.")
    try:
        period = parse_period({"since": since or "", "until": until or ""})
    except ValidationError as exc:
        detail = "; ".join(f"--{d['field']}: {d['message']}" for d in exc.details or [])
        raise click.ClickException(f"{exc.message} {detail}".strip()) from exc
    stats = show_stats(show, period)
    click.echo(stats.as_csv() if as_csv else format_table(stats), nl=not as_csv)


def format_table(stats: DownloadStats) -> str:
    """The numbers as plain text columns, for a terminal."""
    lines = [
        f"Downloads of {stats.subject}, {stats.period.since} to {stats.period.until} (UTC days)",
        "",
        f"{'date':<12}{'downloads':>10}",
    ]
    lines += [f"{day.isoformat():<12}{count:>10}" for day, count in stats.days]
    lines.append(f"{'total':<12}{stats.total:>10}")
    if stats.by_app:
        width = max(12, *(len(app) + 2 for app, _n in stats.by_app))
        lines += ["", f"{'app':<{width}}{'downloads':>10}"]
        lines += [f"{app:<{width}}{count:>10}" for app, count in stats.by_app]
    if stats.bot_downloads:
        lines += ["", f"({stats.bot_downloads} downloads by bots not counted)"]
    return "\n".join(lines)


@stats_cli.command("prune")
def prune_command() -> None:
    """Delete byte-progress rows of past days (run daily, e.g. from cron)."""
    # Yesterday's rows go too: a day's counting window closes at its UTC midnight.
    removed = prune_progress(before=utcnow().date())
    db.session.commit()
    click.echo(f"Removed {removed} progress rows of past days.")
