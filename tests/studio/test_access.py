"""Every studio route walked as a visitor, an editor member of the show, an editor who is
not a member, and an admin (the studio's authorization matrix, like the API's)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from publisher.models import Show
from tests.support.studio import csrf_token, sign_in

CALLERS = ["anonymous", "outsider", "member", "admin"]


@dataclass
class Site:
    show: str
    episode: int
    article: int
    user: int
    token: int
    show_row: Show
    job: str = ""


# endpoint → (access level, builder of (method, path, form data)).
# Levels: public (no login), editor (any producer), member (of the show), admin.
ROUTES: dict[str, tuple[str, Callable[[Site], tuple[str, str, dict[str, Any]]]]] = {
    "studio.login": ("public", lambda s: ("GET", "/studio/login", {})),
    "studio.login_totp": ("public", lambda s: ("GET", "/studio/login/code", {})),
    "studio.logout": ("editor", lambda s: ("POST", "/studio/logout", {})),
    "studio.dashboard": ("editor", lambda s: ("GET", "/studio/", {})),
    "studio.account": ("editor", lambda s: ("GET", "/studio/account", {})),
    "studio.account_totp": ("editor", lambda s: ("GET", "/studio/account/two-factor", {})),
    "studio.account_totp_off": ("editor", lambda s: ("POST", "/studio/account/two-factor/off", {})),
    "studio.create_own_token": ("editor", lambda s: ("POST", "/studio/account/tokens",
                                                    {"name": "t"})),
    "studio.revoke_own_token": ("editor", lambda s: (
        "POST", f"/studio/account/tokens/{s.token}/revoke", {})),
    "studio.shows": ("editor", lambda s: ("GET", "/studio/shows/", {})),
    "studio.show": ("member", lambda s: ("GET", f"/studio/shows/{s.show}/", {})),
    "studio.articles": ("editor", lambda s: ("GET", "/studio/articles/", {})),
    "studio.users": ("admin", lambda s: ("GET", "/studio/users/", {})),
    "studio.edit_user": ("admin", lambda s: ("GET", f"/studio/users/{s.user}", {})),
    "studio.create_user_token": ("admin", lambda s: (
        "POST", f"/studio/users/{s.user}/tokens", {"name": "t"})),
    "studio.revoke_user_token": ("admin", lambda s: (
        "POST", f"/studio/users/{s.user}/tokens/{s.token}/revoke", {})),
    "studio.settings": ("admin", lambda s: ("GET", "/studio/settings", {})),
    "studio.new_show": ("editor", lambda s: ("GET", "/studio/shows/new", {})),
    "studio.edit_show": ("member", lambda s: ("GET", f"/studio/shows/{s.show}/edit", {})),
    "studio.delete_show": ("admin", lambda s: ("GET", f"/studio/shows/{s.show}/delete", {})),
    "studio.show_stats_page": ("member", lambda s: ("GET", f"/studio/shows/{s.show}/stats", {})),
    "studio.show_checks": ("member", lambda s: ("GET", f"/studio/shows/{s.show}/checks", {})),
    "studio.remove_show_artwork": ("member", lambda s: (
        "GET", f"/studio/shows/{s.show}/artwork/remove", {})),
    "studio.show_artwork_preview": ("member", lambda s: (
        "GET", f"/studio/shows/{s.show}/artwork/preview.jpg", {})),
    "studio.new_episode": ("member", lambda s: ("GET", f"/studio/shows/{s.show}/episodes/new", {})),
    "studio.edit_episode": ("member", lambda s: (
        "GET", f"/studio/shows/{s.show}/episodes/{s.episode}/edit", {})),
    "studio.delete_episode": ("member", lambda s: (
        "GET", f"/studio/shows/{s.show}/episodes/{s.episode}/delete", {})),
    "studio.episode_stats_page": ("member", lambda s: (
        "GET", f"/studio/shows/{s.show}/episodes/{s.episode}/stats", {})),
    "studio.episode_artwork": ("member", lambda s: (
        "GET", f"/studio/shows/{s.show}/episodes/{s.episode}/artwork", {})),
    "studio.episode_artwork_image": ("member", lambda s: (
        "GET", f"/studio/shows/{s.show}/episodes/{s.episode}/artwork/image", {})),
    "studio.remove_episode_artwork": ("member", lambda s: (
        "POST", f"/studio/shows/{s.show}/episodes/{s.episode}/artwork/remove", {})),
    "studio.episode_transcripts": ("member", lambda s: (
        "GET", f"/studio/shows/{s.show}/episodes/{s.episode}/transcripts", {})),
    "studio.episode_transcript_file": ("member", lambda s: (
        "GET", f"/studio/shows/{s.show}/episodes/{s.episode}/transcripts/1", {})),
    "studio.delete_episode_transcript": ("member", lambda s: (
        "GET", f"/studio/shows/{s.show}/episodes/{s.episode}/transcripts/1/delete", {})),
    "studio.episode_people": ("member", lambda s: (
        "POST", f"/studio/shows/{s.show}/episodes/{s.episode}/people", {"version": "1"})),
    "studio.replace_episode_audio": ("member", lambda s: (
        "POST", f"/studio/shows/{s.show}/episodes/{s.episode}/audio", {})),
    "studio.upload_episode": ("member", lambda s: (
        "POST", f"/studio/shows/{s.show}/episodes/upload", {})),
    "studio.s3_create": ("member", lambda s: ("POST", f"/studio/shows/{s.show}/uploads/s3/create",
                                              {})),
    "studio.s3_sign": ("member", lambda s: ("POST", f"/studio/shows/{s.show}/uploads/s3/sign", {})),
    "studio.s3_parts": ("member", lambda s: ("POST", f"/studio/shows/{s.show}/uploads/s3/parts",
                                             {})),
    "studio.s3_abort": ("member", lambda s: ("POST", f"/studio/shows/{s.show}/uploads/s3/abort",
                                             {})),
    "studio.s3_complete": ("member", lambda s: (
        "POST", f"/studio/shows/{s.show}/uploads/s3/complete", {})),
    "studio.new_article": ("editor", lambda s: ("POST", "/studio/articles/", {"title": "A"})),
    "studio.edit_article": ("editor", lambda s: ("GET", f"/studio/articles/{s.article}/edit", {})),
    "studio.delete_article": ("editor", lambda s: (
        "GET", f"/studio/articles/{s.article}/delete", {})),
    "studio.autosave_article": ("editor", lambda s: (
        "POST", f"/studio/articles/{s.article}/autosave", {})),
    "studio.preview_markdown": ("editor", lambda s: ("POST", "/studio/articles/preview", {})),
    "studio.article_cover": ("editor", lambda s: (
        "POST", f"/studio/articles/{s.article}/cover", {})),
    "studio.remove_article_cover": ("editor", lambda s: (
        "POST", f"/studio/articles/{s.article}/cover/remove", {})),
    "studio.article_cover_preview": ("editor", lambda s: (
        "GET", f"/studio/articles/{s.article}/cover/preview.jpg", {})),
    "studio.preview_link": ("editor", lambda s: (
        "GET", f"/studio/preview-link/article/{s.article}", {})),
    "studio.suggest_tags": ("editor", lambda s: ("GET", "/studio/tags/suggest?q=a", {})),
    "studio.search_episodes": ("editor", lambda s: ("GET", "/studio/episodes/search?q=a", {})),
    "studio.episode_chapters": ("member", lambda s: (
        "GET", f"/studio/shows/{s.show}/episodes/{s.episode}/chapters", {})),
    "studio.import_chapters": ("member", lambda s: (
        "POST", f"/studio/shows/{s.show}/episodes/{s.episode}/chapters/import", {})),
    "studio.export_chapters": ("member", lambda s: (
        "GET", f"/studio/shows/{s.show}/episodes/{s.episode}/chapters.json", {})),
    "studio.clear_chapters": ("member", lambda s: (
        "POST", f"/studio/shows/{s.show}/episodes/{s.episode}/chapters/clear", {})),
    "studio.episode_soundbites": ("member", lambda s: (
        "GET", f"/studio/shows/{s.show}/episodes/{s.episode}/soundbites", {})),
    "studio.episode_waveform": ("member", lambda s: (
        "GET", f"/studio/shows/{s.show}/episodes/{s.episode}/waveform.json", {})),
    "studio.episode_listen": ("member", lambda s: (
        "GET", f"/studio/shows/{s.show}/episodes/{s.episode}/listen", {})),
    "studio.episode_audio": ("member", lambda s: (
        "GET", f"/studio/shows/{s.show}/episodes/{s.episode}/audio", {})),
    "studio.analyze_episode_audio": ("member", lambda s: (
        "POST", f"/studio/shows/{s.show}/episodes/{s.episode}/audio/analysis", {})),
    "studio.normalize_episode_audio": ("member", lambda s: (
        "POST", f"/studio/shows/{s.show}/episodes/{s.episode}/audio/normalize", {})),
    "studio.compatible_episode_audio": ("member", lambda s: (
        "POST", f"/studio/shows/{s.show}/episodes/{s.episode}/audio/compatible/mp3", {})),
    "studio.restore_episode_audio": ("member", lambda s: (
        "POST", f"/studio/shows/{s.show}/episodes/{s.episode}/audio/original", {})),
    "studio.import_show": ("editor", lambda s: ("GET", "/studio/import", {})),
    "studio.job": ("editor", lambda s: ("GET", f"/studio/jobs/{s.job}", {})),
    "studio.job_status": ("editor", lambda s: ("GET", f"/studio/jobs/{s.job}.json", {})),
}  # fmt: skip


@pytest.fixture
def site(app, factory) -> Site:
    from publisher.extensions import db
    from publisher.models import ApiToken, Job

    show = factory.show(slug="walk")
    episode = factory.episode(show=show, public=False)
    article = factory.article(public=False)
    someone = factory.user()
    factory.token(someone)
    with app.app_context():
        token_id = db.session.scalar(db.select(ApiToken.id).where(ApiToken.user_id == someone.id))
        # Someone else's job: an editor gets 404 (tests/studio/test_jobs.py), an admin sees it.
        job_id = Job.request("imports.run", {"source": "https://x.test/"}, user_id=someone.id).id
        db.session.commit()
    return Site(show.slug, episode.id, article.id, someone.id, token_id, show, job_id)


@pytest.fixture
def caller(request, app, factory, site):
    kind = request.param
    client = app.test_client()
    if kind == "anonymous":
        return kind, client
    user = factory.user(role="admin" if kind == "admin" else "editor")
    if kind == "member":
        factory.member(site.show_row, user)
    sign_in(client, user)
    return kind, client


def test_the_walk_covers_every_studio_route(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.rule.startswith("/studio")}
    assert endpoints == set(ROUTES)


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_each_view_declares_the_access_the_walk_expects(app, endpoint):
    declared = getattr(app.view_functions[endpoint], "studio_access", "editor")
    assert declared == ROUTES[endpoint][0]


def expected(level: str, kind: str) -> str:
    if level == "public":
        return "allowed"
    if kind == "anonymous":
        return "login"
    if level == "admin" and kind != "admin":
        return "forbidden"
    if level == "member" and kind == "outsider":
        return "forbidden"
    return "allowed"


@pytest.mark.parametrize("caller", CALLERS, indirect=True)
@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_route_answers_each_kind_of_producer(app, site, endpoint, caller):
    kind, client = caller
    level, build = ROUTES[endpoint]
    method, path, data = build(site)
    if method == "POST":
        token = csrf_token(client, "/studio/login" if kind == "anonymous" else "/studio/account")
        data = {**data, "csrf_token": token}
    response = client.open(path, method=method, data=data)
    status, location = response.status_code, response.headers.get("Location", "")
    outcome = expected(level, kind)
    body = response.get_data(as_text=True)[:300]
    if outcome == "login":
        assert status == 302 and location.startswith("/studio/login"), (status, location)
    elif outcome == "forbidden":
        assert status == 403, (status, body)
    else:
        assert status < 500 and status not in (401, 403), (status, body)
        assert not (status == 302 and location.startswith("/studio/login?next")), location
