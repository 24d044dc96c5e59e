"""``flask feeds …`` commands."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

feeds_cli = AppGroup("feeds", help="Podcast feeds: the feed checklist, WebSub pings.")


@feeds_cli.command("websub-ping")
def websub_ping() -> None:
    """Ping the WebSub hub for every feed changed since it was last rendered (cron)."""
    from publisher.feeds.websub import changed_feeds, send_pings

    hub = current_app.config.get("WEBSUB_HUB")
    if not hub:
        raise click.ClickException("WEBSUB_HUB is not set: there is no hub to ping.")
    feeds = changed_feeds()
    statuses = send_pings(hub, feeds)
    for feed, status in zip(feeds, statuses, strict=True):
        click.echo(f"{status} {feed}")
    click.echo(f"Pinged {len(feeds)} feed(s).")


@feeds_cli.command("check")
@click.argument("slug")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
def check(slug: str, as_json: bool) -> None:
    """List what SLUG's feed misses for Apple Podcasts and Podcasting 2.0, with fixes.

    Exits with status 1 when there is an error (Apple would refuse the feed)."""
    import json

    from publisher.feeds.checks import find_show, show_findings

    show = find_show(slug)
    if show is None:
        raise click.ClickException(f"There is no show '{slug}'.")
    findings = show_findings(show)
    errors = sum(1 for finding in findings if finding.level == "error")
    if as_json:
        click.echo(json.dumps([finding.as_dict() for finding in findings], indent=2))
    else:
        for finding in findings:
            where = "show" if finding.scope == "show" else f"episode {finding.episode_title!r}"
            click.echo(f"{finding.level.upper():7} {where}: {finding.message}")
            click.echo(f"        fix: {finding.fix}")
        verdict = "fails Apple's checklist" if errors else "passes Apple's checklist"
        click.echo(
            f"{show.slug}: {verdict} ({errors} error(s), {len(findings) - errors} warning(s))."
        )
    if errors:
        raise SystemExit(1)
