"""HTTP for the importer: feeds and small files in memory (bounded), media streamed to
disk with resume, retries with exponential backoff, and messages people can act on."""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import os
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

USER_AGENT = "Publisher-Importer/1.0 (+podcast import)"
CHUNK = 256 * 1024
HTML_TYPES = ("text/html", "application/xhtml+xml")


class FetchError(Exception):
    """A download that failed; ``message`` is for people, ``permanent`` means a retry
    cannot help (404, a web page instead of audio, too big)."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent


def _request(url: str, headers: dict[str, str] | None = None) -> urllib.request.Request:
    if not url.lower().startswith(("http://", "https://")):
        raise FetchError(f"{url!r} is not an http(s) address.", permanent=True)
    return urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **(headers or {})})  # noqa: S310


class _PublicRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to a public address (see check_public_address)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        check_public_address(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _open(
    url: str, timeout: float, headers: dict[str, str] | None = None, public_only: bool = False
):
    try:
        if public_only:
            check_public_address(url)
            opener = urllib.request.build_opener(_PublicRedirects())
            return opener.open(_request(url, headers), timeout=timeout)
        # _request refuses anything but http(s); the CLI may read the local network.
        return urllib.request.urlopen(_request(url, headers), timeout=timeout)  # noqa: S310  # nosec B310
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code in (301, 302, 303, 307, 308):
            raise FetchError(
                f"{url} redirects in a loop (or more than 10 times); open it in a browser "
                "to find where it really is.",
                permanent=True,
            ) from None
        permanent = exc.code in (400, 401, 403, 404, 410)
        raise FetchError(f"{url} answered {exc.code} {exc.reason}.", permanent=permanent) from None
    except urllib.error.URLError as exc:
        raise FetchError(f"Could not reach {url}: {exc.reason}.") from None
    except (TimeoutError, OSError) as exc:
        raise FetchError(f"Could not reach {url}: {exc}.") from None


def check_public_address(url: str) -> None:
    """Refuse an address on this machine or its private network (loopback, private,
    link-local such as cloud metadata, reserved): an import started from the web must
    not make the server fetch its own internals."""
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (OSError, UnicodeError):
        raise FetchError(f"Could not find the host of {url}.", permanent=True) from None
    for address in addresses:
        ip = ipaddress.ip_address(str(address).split("%")[0])
        if (
            ip.is_private
            or ip.is_loopback
            or ip.is_link_local
            or ip.is_reserved
            or (ip.is_multicast or ip.is_unspecified)
        ):
            raise FetchError(
                f"{url} points to a private or local address ({ip}); only public web "
                "addresses can be imported from here.",
                permanent=True,
            )


def with_retries(action: Callable[[], object], attempts: int, first_delay: float = 0.5):
    """Run ``action``; on a temporary FetchError wait (0.5 s, 1 s, 2 s…) and try again."""
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except FetchError as exc:
            if exc.permanent or attempt == attempts:
                raise
            delay = first_delay * 2 ** (attempt - 1)
            logger.info("%s; trying again in %.1f s", exc.message, delay)
            time.sleep(delay)
    raise AssertionError("unreachable")


@dataclass
class Fetched:
    data: bytes
    url: str  # after redirects
    content_type: str


def fetch_bytes(
    url: str, max_bytes: int, timeout: float = 30, attempts: int = 3, public_only: bool = False
) -> Fetched:
    """A small document (a feed, chapters, an image), at most ``max_bytes``;
    ``public_only``: refuse private addresses, redirects included."""

    def once() -> Fetched:
        with _open(url, timeout, public_only=public_only) as answer:
            data = answer.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise FetchError(
                    f"{url} is larger than {max_bytes // (1024 * 1024)} MB; refused.",
                    permanent=True,
                )
            content_type = answer.headers.get_content_type()
            return Fetched(data, answer.geturl(), content_type)

    return with_retries(once, attempts)


@dataclass
class Download:
    path: Path
    size: int
    content_type: str
    sha256: str | None = None  # computed while downloading, when it was not resumed


def download(
    url: str,
    target: Path,
    *,
    max_bytes: int,
    timeout: float = 30,
    attempts: int = 4,
    on_bytes: Callable[[int], None] | None = None,
    public_only: bool = False,
) -> Download:
    """Stream ``url`` to ``target``. The bytes go to ``target.part`` first, which a later
    call continues with a Range request (after a crash, or a dropped connection); the
    complete file is renamed to ``target`` — so ``target`` existing means complete, and
    an interrupted file is never taken for a whole one."""
    if target.exists():
        return Download(target, target.stat().st_size, "")
    part = target.with_name(target.name + ".part")
    target.parent.mkdir(parents=True, exist_ok=True)

    def once() -> Download:
        have = part.stat().st_size if part.exists() else 0
        headers = {"Range": f"bytes={have}-"} if have else {}
        try:
            answer = _open(url, timeout, headers, public_only)
        except FetchError:
            if have:  # e.g. 416: the partial file is of no use; start again
                part.unlink(missing_ok=True)
            raise
        with answer:
            content_type = answer.headers.get_content_type()
            if content_type in HTML_TYPES:
                raise FetchError(
                    "The enclosure is a web page (HTML), not audio: the feed links to a page "
                    "instead of the file.",
                    permanent=True,
                )
            resumed = have and answer.status == 206
            length = answer.headers.get("Content-Length")
            expected = (int(length) + (have if resumed else 0)) if length else None
            if expected is not None and expected > max_bytes:
                raise FetchError(
                    f"The file is {expected / 1048576:.0f} MB, over the "
                    f"{max_bytes // 1048576} MB limit.",
                    permanent=True,
                )
            size = have if resumed else 0
            digest = None if resumed else hashlib.sha256()
            with open(part, "ab" if resumed else "wb") as out:
                while chunk := answer.read(CHUNK):
                    if digest is not None:
                        digest.update(chunk)
                    size += len(chunk)
                    if size > max_bytes:
                        raise FetchError(
                            f"The file is over the {max_bytes // 1048576} MB limit.", permanent=True
                        )
                    out.write(chunk)
                    if on_bytes:
                        on_bytes(len(chunk))
            if expected is not None and size < expected:
                raise FetchError(f"The connection to {url} closed early ({size}/{expected} bytes).")
        os.replace(part, target)
        return Download(target, size, content_type, digest.hexdigest() if digest else None)

    try:
        return with_retries(once, attempts)
    except FetchError as exc:
        if exc.permanent:
            part.unlink(missing_ok=True)
        raise
