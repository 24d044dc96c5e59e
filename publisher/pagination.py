"""The one parser of ``?page=N`` for every public surface (pages, feeds, sitemap).

``str.isdigit()`` accepts "²" or Arabic-Indic digits and ``int()`` then refuses some of
them (a 500) or reads others as numbers nobody typed; only ASCII digits are a page here.
"""

from __future__ import annotations

import re

from flask import request

from publisher.exceptions import PublisherError

MAX_PAGE = 999_999
_ASCII_DIGITS = re.compile(r"[0-9]{1,6}")


class BadPageNumber(PublisherError):
    status_code = 400
    code = "bad_page"


def parse_page(raw: str) -> int:
    """``raw`` as a page number from 1 to MAX_PAGE, else BadPageNumber (400)."""
    if _ASCII_DIGITS.fullmatch(raw) is None or int(raw) < 1:
        shown = raw[:20].encode("ascii", "backslashreplace").decode()
        raise BadPageNumber(f"The page number must be a whole number from 1, not {shown!r}.")
    return int(raw)


def page_argument(default: int | None = 1) -> int | None:
    """The request's ``?page=`` (``default`` when absent), parsed by ``parse_page``."""
    raw = request.args.get("page")
    return default if raw is None else parse_page(raw)
