"""Who a client is, without keeping who they are.

A client is ``sha256(daily salt + network + user agent)``:

- the salt is ``HMAC-SHA256(SECRET_KEY, "publisher-download-salt:" + UTC date)``: it
  changes every UTC day and is the same in every app process without shared state, so
  hashes of different days cannot be linked to each other;
- the network is the IPv4 address as is (cutting it to /24 would merge neighbours behind
  different addresses, e.g. a campus or a carrier block, and undercount), or the /64
  prefix of an IPv6 address (one device rotates privacy addresses inside its /64);
- no raw address is stored anywhere: only the hash reaches the database.

Behind a reverse proxy ``request.remote_addr`` is the proxy's address; set
``PROXY_FIX_X_FOR`` to the number of proxies in front of the app so Werkzeug's ProxyFix
takes the client address from ``X-Forwarded-For`` (only then: the header is trivial to
forge when nothing trusted sets it).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from datetime import date
from functools import lru_cache

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

SALT_CONTEXT = b"publisher-download-salt:"


@lru_cache(maxsize=8)
def daily_salt(secret_key: str, day: date) -> bytes:
    """The secret salt of one UTC day, derived from SECRET_KEY (never stored)."""
    message = SALT_CONTEXT + day.isoformat().encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).digest()


def network_of(address: str | None) -> str:
    """The part of an address that identifies a client: IPv4 whole, IPv6 cut to /64."""
    if not address:
        return ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        prefix = ipaddress.IPv6Address(int(ip) >> 64 << 64)
        return f"{prefix}/64"
    return str(ip)


def client_hash(secret_key: str, day: date, address: str | None, user_agent: str) -> str:
    """The day's anonymous id of (network, user agent), 64 hex characters."""
    digest = hashlib.sha256(daily_salt(secret_key, day))
    digest.update(network_of(address).encode())
    digest.update(b"\n")
    digest.update(user_agent.encode("utf-8", "replace"))
    return digest.hexdigest()


def init_proxy_fix(app: Flask) -> None:
    """Trust ``X-Forwarded-For`` from PROXY_FIX_X_FOR proxies (0, the default: none)."""
    hops = int(app.config["PROXY_FIX_X_FOR"])
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops)  # type: ignore[method-assign]
