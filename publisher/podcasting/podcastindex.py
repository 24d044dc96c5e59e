"""The Podcasting 2.0 namespace's vocabularies and limits, and checks for stored values.

Source: the namespace specification (podcastindex.org/namespace/1.0, docs/1.0.md and
docs/tags/*.md in Podcastindex-org/podcast-namespace) and its taxonomy.json (the Podcast
Taxonomy Project's roles and groups). ``validate_*`` raise ``ValidationError`` with a
message a producer can act on; the API and studio call them before saving. The feed
builder calls the ``normalize_*`` functions, which never raise: a row saved before a
check existed still yields a valid feed.
"""

from __future__ import annotations

import re
from typing import Any

from publisher.exceptions import ValidationError

NAMESPACE = "https://podcastindex.org/namespace/1.0"

# Node-value limits the specification asks for ("may be truncated by aggregators").
FUNDING_TEXT_MAX = 128
PERSON_NAME_MAX = 128
SOUNDBITE_TITLE_MAX = 128
LOCATION_MAX = 128
SEASON_NAME_MAX = 128
EPISODE_DISPLAY_MAX = 32
TXT_MAX = 4000
TXT_PURPOSE_MAX = 128
UPDATE_FREQUENCY_TEXT_MAX = 128
LICENSE_MAX = 128

MEDIUMS = (
    "podcast",
    "music",
    "video",
    "film",
    "audiobook",
    "newsletter",
    "blog",
    "publisher",
    "course",
)

# Podcast Taxonomy Project: group -> roles (lowercase; the attributes are case-insensitive).
TAXONOMY: dict[str, tuple[str, ...]] = {
    "creative direction": (
        "director",
        "assistant director",
        "executive producer",
        "senior producer",
        "producer",
        "associate producer",
        "development producer",
        "creative director",
    ),
    "cast": (
        "host",
        "co-host",
        "guest host",
        "guest",
        "voice actor",
        "narrator",
        "announcer",
        "reporter",
    ),
    "writing": (
        "author",
        "editorial director",
        "co-writer",
        "writer",
        "songwriter",
        "guest writer",
        "story editor",
        "managing editor",
        "script editor",
        "script coordinator",
        "researcher",
        "editor",
        "fact checker",
        "translator",
        "transcriber",
        "logger",
    ),
    "audio production": (
        "studio coordinator",
        "technical director",
        "technical manager",
        "audio engineer",
        "remote recording engineer",
        "post production engineer",
    ),
    "audio post-production": (
        "audio editor",
        "sound designer",
        "foley artist",
        "composer",
        "theme music",
        "music production",
        "music contributor",
    ),
    "administration": (
        "production coordinator",
        "booking coordinator",
        "production assistant",
        "content manager",
        "marketing manager",
        "sales representative",
        "sales manager",
    ),
    "visuals": ("graphic designer", "cover art designer"),
    "community": ("social media manager",),
    "misc": ("consultant", "intern"),
    "video production": ("camera operator", "lighting designer", "camera grip", "assistant camera"),
    "video post-production": ("editor", "assistant editor"),
}
GROUP_ALIASES = {"misc.": "misc"}
ROLE_ALIASES = {"translater": "translator"}  # the taxonomy file's own spelling
# A role's group when none is given: the first group listing it ("editor" is writing).
ROLE_GROUP: dict[str, str] = {}
for _group, _roles in TAXONOMY.items():
    for _role in _roles:
        ROLE_GROUP.setdefault(_role, _group)
ROLES = frozenset(ROLE_GROUP)

_RRULE_PART = re.compile(r"^[A-Z]+=[A-Za-z0-9,:+\-TZ.]+$")
_RRULE_FREQ = re.compile(r"(^|;)FREQ=(SECONDLY|MINUTELY|HOURLY|DAILY|WEEKLY|MONTHLY|YEARLY)(;|$)")
_RRULE_KEYS = {
    "FREQ",
    "UNTIL",
    "COUNT",
    "INTERVAL",
    "BYSECOND",
    "BYMINUTE",
    "BYHOUR",
    "BYDAY",
    "BYMONTHDAY",
    "BYYEARDAY",
    "BYWEEKNO",
    "BYMONTH",
    "BYSETPOS",
    "WKST",
}


def _lower(value: Any) -> str:
    return re.sub(r"\s+", " ", str(value or "")).strip().lower()


def normalize_role(role: Any) -> str | None:
    """The taxonomy role for ``role`` (case-insensitive), or None when unknown."""
    name = _lower(role)
    name = ROLE_ALIASES.get(name, name)
    return name if name in ROLES else None


def normalize_group(group: Any) -> str | None:
    name = _lower(group)
    name = GROUP_ALIASES.get(name, name)
    return name if name in TAXONOMY else None


def validate_person(person: Any, *, default_role: str = "host") -> dict[str, str]:
    """Check one ``{"name", "role", "group", "href", "img"}`` person; return it normalised."""
    if not isinstance(person, dict):
        raise ValidationError("Each person must be an object with at least a name.")
    name = str(person.get("name") or "").strip()
    if not name:
        raise ValidationError("A person needs a name (podcast:person cannot be blank).")
    if len(name) > PERSON_NAME_MAX:
        raise ValidationError(f"A person's name can have at most {PERSON_NAME_MAX} characters.")
    result = {"name": name}
    role_given = person.get("role")
    role = normalize_role(role_given) if role_given else default_role
    if role is None:
        raise ValidationError(
            f"{role_given!r} is not a role of the Podcast Taxonomy Project "
            "(for example: host, co-host, guest, producer, editor)."
        )
    result["role"] = role
    group_given = person.get("group")
    group = normalize_group(group_given) if group_given else ROLE_GROUP[role]
    if group is None:
        raise ValidationError(
            f"{group_given!r} is not a group of the Podcast Taxonomy Project "
            f"(one of: {', '.join(TAXONOMY)})."
        )
    if role not in TAXONOMY[group]:
        raise ValidationError(f"The role {role!r} is not in the group {group!r}.")
    result["group"] = group
    for key in ("href", "img"):
        url = str(person.get(key) or "").strip()
        if url:
            if not url.startswith(("https://", "http://")):
                raise ValidationError(f"A person's {key} must be an http(s) URL.")
            result[key] = url
    return result


def normalize_person(person: Any, *, default_role: str) -> dict[str, str] | None:
    """A person the feed can write, or None (no name). Unknown roles fall back to
    ``default_role``; an unknown or mismatched group to the role's own group."""
    if not isinstance(person, dict):
        return None
    name = str(person.get("name") or "").strip()
    if not name:
        return None
    role = normalize_role(person.get("role")) or default_role
    group = normalize_group(person.get("group"))
    if group is None or role not in TAXONOMY[group]:
        group = ROLE_GROUP[role]
    result = {"name": name[:PERSON_NAME_MAX], "role": role, "group": group}
    for key in ("href", "img"):
        url = str(person.get(key) or "").strip()
        if url.startswith(("https://", "http://")):
            result[key] = url
    return result


def validate_rrule(rrule: str) -> str:
    """Check an iCalendar (RFC 5545) recurrence rule as podcast:updateFrequency wants it."""
    rule = (rrule or "").strip()
    if rule.upper().startswith("RRULE:"):
        rule = rule[6:]
    parts = [part for part in rule.split(";") if part]
    problem = None
    if not parts:
        problem = "it is empty"
    elif not _RRULE_FREQ.search(";".join(parts)):
        problem = "it needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY (or another RFC 5545 FREQ)"
    else:
        for part in parts:
            if not _RRULE_PART.match(part) or part.split("=", 1)[0] not in _RRULE_KEYS:
                problem = f"{part!r} is not an RFC 5545 rule part"
                break
    if problem:
        raise ValidationError(
            f"The update frequency rule {rrule!r} is not valid: {problem}. "
            "Example: FREQ=WEEKLY;BYDAY=MO."
        )
    return ";".join(parts)


def validate_medium(medium: str) -> str:
    value = (medium or "").strip()
    if value not in MEDIUMS:
        raise ValidationError(
            f"{medium!r} is not a podcast:medium. Use one of: {', '.join(MEDIUMS)}."
        )
    return value


def validate_txt(entries: Any) -> list[dict[str, str]]:
    """``[{"text", "purpose"?}]`` for podcast:txt (text ≤ 4000, purpose ≤ 128 characters)."""
    if not isinstance(entries, list):
        raise ValidationError("txt must be a list of {text, purpose} objects.")
    result = []
    for entry in entries:
        if not isinstance(entry, dict) or not str(entry.get("text") or "").strip():
            raise ValidationError("Each txt entry needs a non-empty text.")
        value = str(entry["text"]).strip()
        purpose = str(entry.get("purpose") or "").strip()
        if len(value) > TXT_MAX:
            raise ValidationError(f"A txt entry can have at most {TXT_MAX} characters.")
        if len(purpose) > TXT_PURPOSE_MAX:
            raise ValidationError(f"A txt purpose can have at most {TXT_PURPOSE_MAX} characters.")
        result.append({"text": value, **({"purpose": purpose} if purpose else {})})
    return result


def validate_soundbite(soundbite: Any) -> dict[str, Any]:
    """``{"start_time", "duration", "title"?}`` in seconds for podcast:soundbite."""
    if not isinstance(soundbite, dict):
        raise ValidationError("A soundbite must be an object with start_time and duration.")
    try:
        start = float(soundbite["start_time"])
        duration = float(soundbite["duration"])
    except (KeyError, TypeError, ValueError):
        raise ValidationError(
            "A soundbite needs start_time and duration, in seconds (numbers)."
        ) from None
    if start < 0 or duration <= 0:
        raise ValidationError("A soundbite's start_time must be ≥ 0 and its duration > 0.")
    title = str(soundbite.get("title") or "").strip()
    if len(title) > SOUNDBITE_TITLE_MAX:
        raise ValidationError(
            f"A soundbite's title can have at most {SOUNDBITE_TITLE_MAX} characters."
        )
    return {"start_time": start, "duration": duration, **({"title": title} if title else {})}


def normalize_soundbite(soundbite: Any) -> dict[str, Any] | None:
    try:
        return validate_soundbite(soundbite)
    except ValidationError:
        return None


def seconds(value: float) -> str:
    """A time in seconds as the namespace writes it: ``73.0``, ``1234.5``."""
    written = f"{float(value):.3f}".rstrip("0")
    return written + "0" if written.endswith(".") else written
