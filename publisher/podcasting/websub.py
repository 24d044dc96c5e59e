"""WebSub (W3C) publish notifications: ``POST hub`` with ``hub.mode=publish&hub.url=<feed>``
(the form hubs such as Google's and Superfeedr accept). Flask-free; the feeds area decides
when (``feeds.websub``) and the ``websub.ping`` job sends, with retries."""

from __future__ import annotations

import logging
import urllib.parse
import urllib.request
from collections.abc import Iterable

logger = logging.getLogger(__name__)

PING_TIMEOUT = 5.0


def send_pings(hub: str, feed_urls: Iterable[str], timeout: float = PING_TIMEOUT) -> list[int]:
    """POST one publish notification per feed URL; return the hub's status codes."""
    statuses = []
    for feed in feed_urls:
        data = urllib.parse.urlencode({"hub.mode": "publish", "hub.url": feed}).encode()
        request = urllib.request.Request(  # noqa: S310  (the hub URL is the operator's config)
            hub,
            data=data,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            method="POST",
        )
        try:
            # The hub URL is the operator's WEBSUB_HUB setting, not user input.
            with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310  # nosec B310
                statuses.append(answer.status)
        except OSError as exc:  # URLError, HTTPError, timeouts
            logger.warning("WebSub ping to %s for %s failed: %s", hub, feed, exc)
            statuses.append(getattr(exc, "code", 0) or 0)
    return statuses
