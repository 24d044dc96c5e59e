"""Failed sign-ins counted per account and per address, in the shared limiter storage.

Counters live where Flask-Limiter's do: ``REDIS_URL`` when set (every process and
machine sees the same counts), else ``RATELIMIT_STORAGE_URI`` (memory by default).
Only failures count, so a producer who types the password right is never slowed down;
once an account or an address is over its limit, even the right password is refused
until the window passes, which is what stops guessing.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from flask import current_app
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

EXTENSION_KEY = "publisher_studio_login_limits"


@dataclass
class LoginLimits:
    limiter: FixedWindowRateLimiter
    per_account: RateLimitItem
    per_address: RateLimitItem

    def _keys(self, email: str, address: str) -> list[tuple[RateLimitItem, str]]:
        return [
            (self.per_account, "studio-login-account:" + email.strip().lower()[:254]),
            (self.per_address, "studio-login-address:" + address),
        ]

    def retry_after(self, email: str, address: str) -> int:
        """Seconds until a sign-in may be tried again (0 when it may be tried now)."""
        waits = []
        for item, key in self._keys(email, address):
            if not self.limiter.test(item, key):
                reset = self.limiter.get_window_stats(item, key).reset_time
                waits.append(max(1, math.ceil(reset - time.time())))
        return max(waits, default=0)

    def failed(self, email: str, address: str) -> None:
        for item, key in self._keys(email, address):
            self.limiter.hit(item, key)

    def clear_account(self, email: str) -> None:
        item, key = self._keys(email, "")[0]
        self.limiter.clear(item, key)


def storage_uri() -> str:
    config = current_app.config
    return config.get("REDIS_URL") or config["RATELIMIT_STORAGE_URI"]


def login_limits() -> LoginLimits | None:
    """The app's login limits, or None when STUDIO_LOGIN_LIMITS_ENABLED is off."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config["STUDIO_LOGIN_LIMITS_ENABLED"]:
        return None
    limits = app.extensions.get(EXTENSION_KEY)
    if limits is None:
        storage: Any = storage_from_string(storage_uri())  # a sync storage (not limits.aio)
        limits = LoginLimits(
            FixedWindowRateLimiter(storage),
            parse(app.config["STUDIO_LOGIN_LIMIT_PER_ACCOUNT"]),
            parse(app.config["STUDIO_LOGIN_LIMIT_PER_ADDRESS"]),
        )
        app.extensions[EXTENSION_KEY] = limits
    return limits
