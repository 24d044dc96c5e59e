"""Apple's requirements as the tests use them: the feature's checklist
(``publisher.podcasting.feedcheck``), reduced to its errors' messages."""

from __future__ import annotations

from collections.abc import Callable

from publisher.podcasting.feedcheck import check_feed, error_messages


def apple_problems(body: bytes, fetch: Callable[[str], bytes | None] | None = None) -> list[str]:
    """Every way the feed misses Apple's requirements (empty: it passes)."""
    return error_messages(check_feed(body, fetch))
