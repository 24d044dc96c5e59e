"""Jinja filters and globals shared by every template."""

from __future__ import annotations

from flask import Flask


def format_duration(seconds: float | None) -> str:
    """Seconds as a player shows them: "24:55", or "1:02:03" past an hour."""
    total = int(seconds or 0)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def init_templating(app: Flask) -> None:
    app.add_template_filter(format_duration, "duration")
