"""``flask --app wsgi shows import SOURCE [--no-media|--with-media] [--owner-email EMAIL]``."""

from __future__ import annotations

import sys
import time
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup

from publisher.extensions import db
from publisher.models import Job, JobStatus

shows_cli = AppGroup("shows", help="Shows: import one from another host's feed.")


class Progress:
    """A progress bar on a terminal (episodes, bytes, rate, ETA); a line per episode
    otherwise (logs, CI)."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty()
        self.total = self.done = self.bytes = 0
        self.started = time.monotonic()

    def start(self, total: int, done: int) -> None:
        self.total, self.done, self.started = total, done, time.monotonic()
        self.first_done = done
        if done:
            self._line(f"{done} of {total} episodes were imported before; continuing.")

    def update(self, done: int, bytes_done: int) -> None:
        self.done, self.bytes = done, bytes_done
        if not self.tty:
            return
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = bytes_done / elapsed
        new_done = max(done - self.first_done, 0)
        remaining = self.total - done
        eta = (elapsed / new_done * remaining) if new_done else 0
        width = 30
        filled = int(width * done / self.total) if self.total else width
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(
            f"\r[{bar}] {done}/{self.total} episodes  {bytes_done / 1048576:7.1f} MB  "
            f"{rate / 1048576:5.1f} MB/s  ETA {int(eta) // 60}:{int(eta) % 60:02d} "
        )
        self.stream.flush()

    def episode(self, title: str, outcome: str) -> None:
        if not self.tty or outcome.startswith("FAILED"):
            self._line(f"{outcome}: {title}")

    def finish(self, report) -> None:
        if self.tty:
            self.stream.write("\n")

    def _line(self, text: str) -> None:
        if self.tty:
            self.stream.write("\r\033[K")
        self.stream.write(text + "\n")
        self.stream.flush()


@shows_cli.command("import")
@click.argument("source")
@click.option(
    "--no-media",
    "media",
    flag_value="external",
    help="Keep the audio at the old host (enclosures redirect there) for now.",
)
@click.option(
    "--with-media",
    "media",
    flag_value="download",
    default=True,
    help="Download and store every episode's audio (the default).",
)
@click.option(
    "--owner-email",
    default=None,
    help="For a feed marked <podcast:locked>: the owner's email in that tag.",
)
@click.option("--queue", "queued", is_flag=True,
              help="Hand the import to the job consumers and print the job id.")  # fmt: skip
def import_show(source: str, media: str, owner_email: str | None, queued: bool) -> None:
    """Import a show from its RSS feed (a URL or a file): episodes, guids, dates, media.

    Run it again at any time: only new episodes are added (or, with --with-media, the
    audio of episodes imported with --no-media)."""
    from publisher.jobs import runner

    arguments: dict[str, Any] = {"source": source, "media": media, "owner_email": owner_email}
    arguments["allow_file"] = not source.lower().startswith(("http://", "https://"))
    arguments["trusted"] = True  # an operator at the server may import from its network
    title = f"Import of {source}"
    if queued:
        job = Job.request("imports.run", arguments, title=title)
        db.session.commit()
        click.echo(
            f"Queued import job {job.id}; follow it with: flask --app wsgi jobs show {job.id}"
        )
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    job = runner.run_now(app, "imports.run", arguments, title=title, observer=Progress())
    if job.status != JobStatus.DONE:
        raise click.ClickException(job.error or "The import failed.")
    result = job.result or {}
    click.echo(f"Show: {result.get('show')}  ({result.get('summary')})")
    for failure in result.get("failed", []):
        click.echo(f"  failed: {failure['title']} ({failure['guid']}): {failure['reason']}")
    for warning in result.get("warnings", []):
        click.echo(f"  note: {warning}")
    click.echo(f"Job {job.id}.")
