"""Publisher: a podcast and article publishing platform on Flask."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

from flask import Flask

from publisher.config import load_config
from publisher.cors import init_cors
from publisher.security_headers import init_security_headers

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application: config, extensions, blueprints, error handlers, CLI."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=str((config or {}).get("INSTANCE_PATH") or PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    load_config(app, config)
    register_logging(app)
    register_extensions(app)
    register_session_hooks(app)
    register_blueprints(app)
    register_error_handlers(app)
    init_security_headers(app)
    init_cors(app)
    register_templating(app)
    register_cli(app)
    return app


def register_extensions(app: Flask) -> None:
    from publisher.analytics.clients import init_proxy_fix
    from publisher.extensions import init_extensions

    init_extensions(app)
    init_proxy_fix(app)  # PROXY_FIX_X_FOR: the client address behind reverse proxies


def register_session_hooks(app: Flask) -> None:
    """What a commit triggers (storage cleanup, feed memo, WebSub): publisher/session_hooks.py."""
    from publisher.session_hooks import register_session_hooks as register

    register(app)


def register_blueprints(app: Flask) -> None:
    """Each surface's init_app imports its views and registers its blueprint."""
    from publisher.api import init_app as init_api
    from publisher.feeds import init_app as init_feeds
    from publisher.site import init_app as init_site

    init_site(app)
    init_api(app)
    init_feeds(app)


def register_error_handlers(app: Flask) -> None:
    from publisher.errors import init_error_handlers

    init_error_handlers(app)


def register_templating(app: Flask) -> None:
    from publisher.templating import init_templating

    init_templating(app)


def register_cli(app: Flask) -> None:
    """Every area's ``flask --app wsgi …`` command group."""
    from publisher.analytics.cli import stats_cli
    from publisher.cli import init_cli
    from publisher.demo import demo_cli
    from publisher.feeds.cli import feeds_cli
    from publisher.media.cli import storage_cli

    init_cli(app)
    for group in (demo_cli, storage_cli, stats_cli, feeds_cli):
        app.cli.add_command(group)


def register_logging(app: Flask) -> None:
    """Log to stdout in production; debug and test runs keep Flask's defaults."""
    if app.debug or app.testing:
        return
    logger = logging.getLogger("publisher")
    if not any(getattr(h, "_publisher", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler._publisher = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(app.config["LOG_LEVEL"])
