"""App name, device and bot flag from a user agent, using the OPAWG podcast list.

The list (``data/user-agents.json``, MIT licence, see ``data/SOURCE.md``) maps regular
expressions to apps and marks bots. Rules applied here:

- the app is the first entry (in file order) that matches and names an app;
- a user agent is a bot when *any* matching entry is marked as a bot, when it is empty
  (IAB guidance: requests without a user agent are filtered), or when it looks like a
  generic crawler (``…bot``, ``…crawler``, ``…spider``, HeadlessChrome) that the list
  does not know yet.

Results are cached per user agent string: apps send the same few strings all day.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_FILE = Path(__file__).parent / "data" / "user-agents.json"
UNKNOWN_APP = "Unknown"
# Words that only crawlers put in their user agent; a safety net under the list.
GENERIC_BOT = re.compile(r"\w*(?:bot|crawler|spider)\b|HeadlessChrome", re.IGNORECASE)


@dataclass(frozen=True)
class UserAgentInfo:
    app: str
    is_bot: bool
    device: str | None = None
    os: str | None = None


@dataclass(frozen=True)
class _Entry:
    patterns: tuple[re.Pattern[str], ...]
    app: str | None
    bot: bool
    device: str | None
    os: str | None

    def matches(self, user_agent: str) -> bool:
        return any(pattern.search(user_agent) for pattern in self.patterns)


@lru_cache(maxsize=1)
def _entries() -> tuple[_Entry, ...]:
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return tuple(
        _Entry(
            patterns=tuple(re.compile(p) for p in item["user_agents"]),
            app=item.get("app"),
            bot=bool(item.get("bot", False)),
            device=item.get("device"),
            os=item.get("os"),
        )
        for item in raw
    )


@lru_cache(maxsize=4096)
def classify(user_agent: str | None) -> UserAgentInfo:
    """What the list says about ``user_agent`` (cached)."""
    user_agent = (user_agent or "").strip()
    if not user_agent:
        return UserAgentInfo(UNKNOWN_APP, is_bot=True)
    app = device = os_name = None
    is_bot = False
    for entry in _entries():
        if not entry.matches(user_agent):
            continue
        is_bot = is_bot or entry.bot
        app = app or entry.app
        device = device or entry.device
        os_name = os_name or entry.os
    if not is_bot and GENERIC_BOT.search(user_agent):
        is_bot = True
    return UserAgentInfo(app or UNKNOWN_APP, is_bot, device, os_name)


def entry_count() -> int:
    """How many entries the shipped list has (for docs and tests)."""
    return len(_entries())
