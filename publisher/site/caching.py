"""HTTP caching for public pages: a strong ETag from the body, a short shared max-age,
and 304 Not Modified for a matching If-None-Match. A CDN in front absorbs the load;
one minute keeps newly published content from waiting long."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, make_response, request


def cached_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a public GET view's successful answers cacheable and conditional."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any):
        response = make_response(view(*args, **kwargs))
        if response.status_code == 200 and request.method in ("GET", "HEAD"):
            response.cache_control.public = True
            response.cache_control.max_age = int(current_app.config["SITE_CACHE_MAX_AGE"])
            response.add_etag()
            response.make_conditional(request)
        return response

    return wrapper
