"""Per-address limits on the public surfaces and on failed authentication.

The API's per-token limits are Flask-Limiter's (``publisher/api/ratelimit.py``); this
module adds what an attacker on the open internet tries first:

- **failed authentication**: every request whose credentials turn out wrong (an unknown,
  revoked or expired API token; the studio's sign-in can use the same two functions)
  counts against the client's address; past ``AUTH_FAILURE_LIMIT`` the address gets 429
  with ``Retry-After`` *before* its credentials are looked up, so cycling random tokens
  costs no database work;
- **public routes**, per address: ``SEARCH_RATE_LIMIT`` for ``/search`` (the one
  expensive query anyone can send), ``PAGE_RATE_LIMIT`` for the other pages,
  ``FEED_RATE_LIMIT`` for feeds and the sitemap, ``MEDIA_RATE_LIMIT`` for enclosures.
  Feeds and media are limited generously: a podcast app behind a carrier NAT shares its
  address with many listeners.

The address is the client's network as counting sees it (IPv4 whole, IPv6 its /64: one
device rotates through its /64). Counters live in ``RATELIMIT_STORAGE_URI``, which
defaults to ``REDIS_URL`` when that is set, else to process memory (fine for one
process; with several, each would count on its own).
"""

from __future__ import annotations

import time

from flask import Flask, current_app, request
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

from publisher.analytics.clients import network_of

_KEY = "publisher.ratelimits"
# Endpoint → the setting holding its limit; endpoints not listed (API, studio, static)
# are not limited here. Blueprint-wide defaults come after the specific endpoints.
ENDPOINT_LIMITS = {"site.search": "SEARCH_RATE_LIMIT", "site.media": "MEDIA_RATE_LIMIT"}
BLUEPRINT_LIMITS = {"site": "PAGE_RATE_LIMIT", "feeds": "FEED_RATE_LIMIT"}


def storage_uri(config) -> str:
    """Where counters live: RATELIMIT_STORAGE_URI, else REDIS_URL, else memory."""
    return config.get("RATELIMIT_STORAGE_URI") or config.get("REDIS_URL") or "memory://"


def client_network() -> str:
    """The requesting address as limits see it: IPv4 whole, IPv6 cut to its /64."""
    return network_of(request.remote_addr) or "unknown"


def _configured(config) -> dict[str, str]:
    """{setting: its limit text}, read once when the app is made."""
    return {
        "AUTH_FAILURE_LIMIT": config["AUTH_FAILURE_LIMIT"],
        "SEARCH_RATE_LIMIT": config["SEARCH_RATE_LIMIT"],
        "PAGE_RATE_LIMIT": config["PAGE_RATE_LIMIT"],
        "FEED_RATE_LIMIT": config["FEED_RATE_LIMIT"],
        "MEDIA_RATE_LIMIT": config["MEDIA_RATE_LIMIT"],
    }


class _Limits:
    def __init__(self, app: Flask) -> None:
        self.limiter = FixedWindowRateLimiter(storage_from_string(storage_uri(app.config)))
        self.texts = _configured(app.config)
        self.items = {setting: parse(text) for setting, text in self.texts.items()}

    def item(self, setting: str) -> RateLimitItem:
        return self.items[setting]


def _limits() -> _Limits | None:
    return current_app.extensions.get(_KEY)


def _too_many(setting: str, limit: RateLimitItem, *keys: str) -> TooManyRequests:
    limits = current_app.extensions[_KEY]
    reset_at = limits.limiter.get_window_stats(limit, *keys).reset_time
    seconds = max(1, int(reset_at - time.time() + 0.999))
    return TooManyRequests(
        f"Too many requests from your address: the limit is {limits.texts[setting]}."
        f" Try again in {seconds} seconds.",
        retry_after=seconds,
    )


def refuse_after_failures(scope: str = "auth") -> None:
    """429 when this address failed to authenticate too often lately (check first)."""
    limits = _limits()
    if limits is None:
        return
    limit = limits.item("AUTH_FAILURE_LIMIT")
    if not limits.limiter.test(limit, "failures", scope, client_network()):
        raise _too_many("AUTH_FAILURE_LIMIT", limit, "failures", scope, client_network())


def record_failure(scope: str = "auth") -> None:
    """Count one failed authentication against this address."""
    limits = _limits()
    if limits is not None:
        limits.limiter.hit(limits.item("AUTH_FAILURE_LIMIT"), "failures", scope, client_network())


def _limit_public_routes() -> None:
    endpoint = request.endpoint or ""
    setting = ENDPOINT_LIMITS.get(endpoint) or BLUEPRINT_LIMITS.get(endpoint.partition(".")[0])
    limits = _limits()
    if setting is None or limits is None or request.method == "OPTIONS":
        return
    limit = limits.item(setting)
    if not limits.limiter.hit(limit, "route", setting, client_network()):
        raise _too_many(setting, limit, "route", setting, client_network())


def init_rate_limits(app: Flask) -> None:
    """Resolve the counters' storage and limit public routes (unless RATELIMIT_ENABLED
    is off: then nothing is counted at all)."""
    app.config["RATELIMIT_STORAGE_URI"] = storage_uri(app.config)
    if not app.config["RATELIMIT_ENABLED"]:
        return
    app.extensions[_KEY] = _Limits(app)
    app.before_request(_limit_public_routes)
