"""Security headers on every response: a Content-Security-Policy without inline script,
no MIME sniffing, a careful referrer, and framing allowed only for the embed player."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request

# Endpoints other sites may put in an <iframe>.
FRAMEABLE_ENDPOINTS = frozenset({"site.embed"})


def _origin(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def content_security_policy(frameable: bool) -> str:
    """The policy: our own scripts and styles only; audio also from the configured
    public URL and object store (the enclosure URL may redirect to S3 or a CDN)."""
    config = current_app.config
    media_origins = {"'self'", "https:"}
    for url in (config["PUBLIC_URL"], config["S3_PUBLIC_URL"], config["S3_ENDPOINT_URL"]):
        origin = _origin(url)
        if origin:
            media_origins.add(origin)
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        # Article bodies may show images from anywhere on https.
        "img-src": "'self' data: https:",
        "media-src": " ".join(sorted(media_origins)),
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "*" if frameable else "'self'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def set_security_headers(response: Response) -> Response:
    frameable = request.endpoint in FRAMEABLE_ENDPOINTS
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(frameable))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if not frameable:
        # For browsers that predate frame-ancestors.
        headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    return response


def init_security_headers(app: Flask) -> None:
    app.after_request(set_security_headers)
