"""Optimistic concurrency for the studio's editors: every save names the version it was
based on; a save based on an older one is a conflict, never a silent overwrite."""

from __future__ import annotations

from typing import Any

from publisher.exceptions import Conflict


class VersionConflict(Conflict):
    code = "version_conflict"


def check_version(row: Any, based_on: int | None) -> None:
    """409 when ``row`` changed since the version the producer started from."""
    if based_on is None or int(based_on) != row.version:
        raise VersionConflict(
            f"Someone saved this {type(row).__name__.lower()} while you were editing "
            f"(you started from version {based_on}, it is now at version {row.version}). "
            "Both versions are shown: keep what you need, then save again."
        )


def bump_version(row: Any) -> None:
    row.version = (row.version or 0) + 1
