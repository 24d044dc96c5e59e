"""Making any stored text safe inside an XML 1.0 document.

Feeds are built as text (it is several times faster than building a tree), so every
value goes through one of two functions here: ``text()`` for element content and
``attr()`` for attribute values. Both drop the characters XML 1.0 forbids (control
characters other than tab, newline and carriage return, lone surrogates, U+FFFE/U+FFFF)
and escape markup. Carriage returns, tabs and newlines in attributes are written as
character references so that a parser reads back exactly what was stored.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

# Everything outside XML 1.0's Char production.
_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TEXT_SPECIAL = re.compile("[&<>\r]")
_ATTR_SPECIAL = re.compile('[&<>"\r\n\t]')
_TEXT_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}
_ATTR_ESCAPES = {**_TEXT_ESCAPES, '"': "&quot;", "\n": "&#10;", "\t": "&#9;"}

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def clean(value: object) -> str:
    """The value as a string without the characters XML 1.0 forbids."""
    if value is None:
        return ""
    string = value if isinstance(value, str) else str(value)
    return _FORBIDDEN.sub("", string)


def text(value: object) -> str:
    """Element content: cleaned and escaped."""
    string = clean(value)
    if _TEXT_SPECIAL.search(string):
        return _TEXT_SPECIAL.sub(lambda m: _TEXT_ESCAPES[m.group()], string)
    return string


def attr(value: object) -> str:
    """An attribute value (to be put between double quotes): cleaned and escaped."""
    string = clean(value)
    if _ATTR_SPECIAL.search(string):
        return _ATTR_SPECIAL.sub(lambda m: _ATTR_ESCAPES[m.group()], string)
    return string


def truncate(value: str | None, limit: int) -> str:
    """At most ``limit`` characters (after cleaning), cut on a character boundary."""
    string = clean(value).strip()
    return string if len(string) <= limit else string[: limit - 1].rstrip() + "…"


def rfc2822(moment: datetime) -> str:
    """RFC 2822 date in GMT, as RSS wants: ``Wed, 02 Oct 2002 13:00:00 GMT``."""
    moment = moment.astimezone(UTC)
    return (
        f"{_DAYS[moment.weekday()]}, {moment.day:02d} {_MONTHS[moment.month - 1]} "
        f"{moment.year:04d} {moment.hour:02d}:{moment.minute:02d}:{moment.second:02d} GMT"
    )


def rfc3339(moment: datetime) -> str:
    """RFC 3339 date in UTC, as Atom and sitemaps want: ``2002-10-02T13:00:00Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
