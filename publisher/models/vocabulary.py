"""The words the data model knows: statuses, types and roles, written once.

Each vocabulary is a ``StrEnum``; the CHECK constraints (``check_in``), the API's and the
operations' input types (``literal``), the CLI's choices and (later) form choices derive
from it, so adding a value is one edit here plus a migration for the constraint.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from sqlalchemy import CheckConstraint


class Status(StrEnum):
    """Where an article or episode stands: ``scheduled`` is a release at ``publish_at``."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"


class ShowStatus(StrEnum):
    """A draft show is hidden from the public (its pages, feed and episodes answer 404)."""

    DRAFT = "draft"
    PUBLISHED = "published"


class EpisodeType(StrEnum):
    """``itunes:episodeType``."""

    FULL = "full"
    TRAILER = "trailer"
    BONUS = "bonus"


class ShowType(StrEnum):
    """``itunes:type``: newest first (episodic) or in order (serial)."""

    EPISODIC = "episodic"
    SERIAL = "serial"


class Role(StrEnum):
    """What a producer may do: an admin everything, an editor content."""

    ADMIN = "admin"
    EDITOR = "editor"


def values(vocabulary: type[StrEnum]) -> tuple[str, ...]:
    """The vocabulary's values, in declaration order."""
    return tuple(member.value for member in vocabulary)


def check_in(column: str, vocabulary: type[StrEnum], name: str | None = None) -> CheckConstraint:
    """CHECK (column IN ('a', 'b', …)) over the vocabulary's values."""
    listed = ", ".join(f"'{value}'" for value in values(vocabulary))
    return CheckConstraint(f"{column} IN ({listed})", name=name or column)


def literal(vocabulary: type[StrEnum]) -> Any:
    """``Literal['a', 'b', …]`` of the vocabulary's values, for pydantic input types (plain
    strings in JSON and in the OpenAPI document, like the enum's values)."""
    return Literal[values(vocabulary)]
