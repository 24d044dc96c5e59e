"""``flask --app wsgi demo load``: fill an empty site with a demo show and articles."""

from __future__ import annotations

from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="Demo content for a first look.")
