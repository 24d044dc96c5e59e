"""The feed checklist of a show: what Apple and Podcasting 2.0 require or recommend."""

from __future__ import annotations

from flask import current_app

from publisher.api.blueprint import bp
from publisher.api.schemas import ChecksOut, Finding
from publisher.api.spec import api_route, current_user_or_none
from publisher.operations.shows import get_show


@api_route(bp, "/shows/<slug>/checks", "GET", auth="public", tag="shows", response=ChecksOut)
def get_checks(slug: str) -> ChecksOut:
    """List what the show's feed misses for Apple Podcasts and Podcasting 2.0, show and
    episodes, each finding with how to fix it (`passes_apple`: no error)."""
    show = get_show(slug, current_user_or_none())
    # The feeds area renders and checks (registered by feeds.init_app: surfaces never
    # import one another).
    show_findings = current_app.extensions["publisher.feed_checks"]
    findings = [Finding(**finding.as_dict()) for finding in show_findings(show)]
    errors = sum(1 for f in findings if f.level == "error")
    return ChecksOut(
        show=show.slug,
        passes_apple=errors == 0,
        errors=errors,
        warnings=len(findings) - errors,
        findings=findings,
    )
