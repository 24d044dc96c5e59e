"""``flask feeds …`` commands."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

feeds_cli = AppGroup("feeds", help="Podcast feeds: WebSub pings.")


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
