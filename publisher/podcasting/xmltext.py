"""Making any stored text safe inside an XML 1.0 document.

Feeds are built as text (it is several times faster than building a tree), so every
value goes through one of two functions here: ``text()`` for element content and
``attr()`` for attribute values. Both drop the characters XML 1.0 forbids (control
characters other than tab, newline and carriage return, lone surrogates, U+FFFE/U+FFFF)
and the ones it discourages that parsers disagree on (DEL and the C1 controls
U+0080-U+009F), and escape markup. Carriage returns, tabs and newlines in attributes are written as
character references so that a parser reads back exactly what was stored.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

# Everything outside XML 1.0's Char production, plus DEL and the C1 controls that XML 1.0
# (section 2.2) asks authors to avoid: feedparser reads them as Windows-1252 letters.
_FORBIDDEN = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# One pass does both jobs: forbidden characters go, markup characters are escaped.
# (Each class lists what passes untouched: the allowed characters minus & < > and, in
# attributes, " and the whitespace that attribute normalisation would change.)
_UPPER_RANGES = "\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff"
_TEXT_NEEDS_WORK = re.compile(f"[^\t\n\x20-\x25\x27-\x3b\x3d\x3f-\x7e{_UPPER_RANGES}]")
_ATTR_NEEDS_WORK = re.compile(f"[^\x20\x21\x23-\x25\x27-\x3b\x3d\x3f-\x7e{_UPPER_RANGES}]")
_ESCAPES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "\r": "&#13;",
    "\n": "&#10;",
    "\t": "&#9;",
}


def _replacement(match: re.Match[str]) -> str:
    return _ESCAPES.get(match.group(), "")  # escaped, or removed when forbidden


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
    string = value if isinstance(value, str) else ("" if value is None else str(value))
    if _FORBIDDEN.search(string):
        return _TEXT_NEEDS_WORK.sub(_replacement, string)
    # The usual case (HTML show notes are full of < and >): str.replace runs in C.
    if "&" in string:
        string = string.replace("&", "&amp;")
    if "<" in string:
        string = string.replace("<", "&lt;")
    if ">" in string:
        string = string.replace(">", "&gt;")
    if "\r" in string:
        string = string.replace("\r", "&#13;")
    return string


def attr(value: object) -> str:
    """An attribute value (to be put between double quotes): cleaned and escaped."""
    string = value if isinstance(value, str) else ("" if value is None else str(value))
    return _ATTR_NEEDS_WORK.sub(_replacement, string)


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
