"""Who a client is, without keeping who they are.

A client is ``sha256(daily salt + network + user agent)``:

- the salt is 32 random bytes per UTC day, shared by every app process through the
  database or Redis and deleted after its day (``salts``): hashes of different days
  cannot be linked, and once the salt is gone nobody can recompute a day's hashes;
- the network is the IPv4 address as is (cutting it to /24 would merge neighbours behind
  different addresses, e.g. a campus or a carrier block, and undercount), or the /64
  prefix of an IPv6 address (one device rotates privacy addresses inside its /64);
- the wider block (/24 for IPv4, /64 for IPv6) is hashed the same way into
  ``network_hash``: the unit of the cap on distinct user agents (IAB's guidance against
  one address posing as many listeners);
- no raw address is stored anywhere: only the hashes reach the database.

Behind a reverse proxy ``request.remote_addr`` is the proxy's address; set
``PROXY_FIX_X_FOR`` to the number of proxies in front of the app so Werkzeug's ProxyFix
takes the client address from ``X-Forwarded-For`` (only then: the header is trivial to
forge when nothing trusted sets it).
"""

from __future__ import annotations

import hashlib
import ipaddress

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


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


def block_of(address: str | None) -> str:
    """The block an address belongs to for the user-agent cap: IPv4 /24, IPv6 /64."""
    network = network_of(address)
    try:
        ip = ipaddress.ip_address(network)
    except ValueError:
        return network  # an IPv6 /64 already, or not an address at all
    return str(ipaddress.ip_network(f"{ip}/24", strict=False))


def client_hash(salt: bytes, address: str | None, user_agent: str) -> str:
    """The day's anonymous id of (network, user agent), 64 hex characters."""
    digest = hashlib.sha256(salt)
    digest.update(network_of(address).encode())
    digest.update(b"\n")
    digest.update(user_agent.encode("utf-8", "replace"))
    return digest.hexdigest()


def network_hash(salt: bytes, address: str | None) -> str:
    """The day's anonymous id of the address's block (IPv4 /24, IPv6 /64)."""
    digest = hashlib.sha256(salt)
    digest.update(b"block\n")
    digest.update(block_of(address).encode())
    return digest.hexdigest()


def init_proxy_fix(app: Flask) -> None:
    """Trust ``X-Forwarded-For`` from PROXY_FIX_X_FOR proxies (0, the default: none)."""
    hops = int(app.config["PROXY_FIX_X_FOR"])
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops)  # type: ignore[method-assign]
