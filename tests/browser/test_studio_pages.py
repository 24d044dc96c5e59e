"""Studio pages in Chromium (on the local store; the pages do not depend on it): axe-core
on every page, a scheduled article and its preview link, two producers on one article,
and who may open what."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from publisher.extensions import db
from publisher.models import Article, Job, JobStatus, Show, utcnow
from publisher.operations.articles import set_cover_image
from publisher.operations.files import set_artwork
from tests.browser.live import DESKTOP
from tests.browser.studio_support import check_accessibility, live_studio, log_in
from tests.support.show_forms import image

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def studio(migrated_database, tmp_path_factory):
    with live_studio(migrated_database, tmp_path_factory.mktemp("pages"), "filesystem") as studio:
        yield studio


@pytest.fixture
def context(chromium):
    context = chromium.new_context(viewport=DESKTOP)
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page
    assert problems == [], problems


def test_every_studio_page_passes_axe(studio, page):
    admin = studio.factory.user(role="admin", name="Ada Admin")
    show = studio.factory.show(slug="axe-show")
    episode = studio.factory.episode(show=show)
    article = studio.factory.article(episodes=[episode])
    art = studio.factory.show(slug="axe-art")
    with studio.app.app_context():
        set_artwork(db.session.get(Show, art.id), image(1400).stream)
        set_cover_image(db.session.get(Article, article.id), image(1200, 600).stream)
        db.session.commit()  # the editor then shows the cover's preview and Remove button
    with studio.app.app_context():  # the dashboard with a job, and its page (no consumer here)
        job = Job.request(
            "imports.run",
            {"source": "https://example.com/feed.xml"},
            title="Import of https://example.com/feed.xml",
            user_id=admin.id,
        )
        job.status, job.progress_done, job.progress_total = JobStatus.RUNNING, 1, 4
        job_id = job.id
        db.session.commit()
    log_in(page, studio, admin)
    for path in [
        "/studio/",
        "/studio/shows/",
        "/studio/shows/new",
        f"/studio/shows/{show.slug}/",
        f"/studio/shows/{show.slug}/edit",
        f"/studio/shows/{show.slug}/stats",
        f"/studio/shows/{show.slug}/checks",
        f"/studio/shows/{art.slug}/edit",
        f"/studio/shows/{art.slug}/artwork/remove",
        f"/studio/shows/{show.slug}/episodes/{episode.id}/edit",
        f"/studio/shows/{show.slug}/episodes/{episode.id}/delete",
        f"/studio/shows/{show.slug}/episodes/{episode.id}/artwork",
        f"/studio/shows/{show.slug}/episodes/{episode.id}/transcripts",
        f"/studio/shows/{show.slug}/episodes/{episode.id}/people",
        f"/studio/shows/{show.slug}/episodes/{episode.id}/chapters",
        f"/studio/shows/{show.slug}/episodes/{episode.id}/soundbites",
        f"/studio/shows/{show.slug}/episodes/{episode.id}/audio",
        f"/studio/shows/{show.slug}/delete",
        "/studio/articles/",
        f"/studio/articles/{article.id}/edit",
        "/studio/users/",
        f"/studio/users/{admin.id}",
        "/studio/settings",
        "/studio/account",
        "/studio/account/two-factor",
        f"/studio/preview-link/article/{article.id}",
        "/studio/import",
        f"/studio/jobs/{job_id}",
    ]:
        page.goto(studio.url + path)
        check_accessibility(page)
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_label("Email")).to_be_visible()
    check_accessibility(page)


def test_a_scheduled_article_stays_hidden_and_its_preview_link_works_for_a_colleague(
    studio, page, chromium
):
    writer = studio.factory.user(role="editor", name="Wren Writer")
    log_in(page, studio, writer)
    page.goto(f"{studio.url}/studio/articles/")
    page.get_by_label("Title").fill("Storm season opens")
    page.get_by_role("button", name="New article").click()
    page.get_by_label("Text (Markdown)").fill("The **storm** season opens tomorrow.")
    expect(page.locator("[data-preview] strong")).to_have_text("storm")
    page.get_by_label("Status").select_option("scheduled")
    later = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("Publication time").fill(later)
    page.get_by_role("button", name="Save article").click()
    expect(page.locator(".flash-success")).to_contain_text("saved")
    with studio.app.app_context():
        slug = db.session.scalar(
            db.select(Article.slug).where(Article.title == "Storm season opens")
        )
    colleague = chromium.new_context(viewport=DESKTOP)
    try:
        reader = colleague.new_page()
        assert reader.goto(f"{studio.url}/articles/{slug}").status == 404
        page.get_by_role("link", name="Preview link").click()
        link = page.get_by_label("Link").input_value()
        answer = reader.goto(link)
        assert answer.status == 200 and "noindex" in answer.headers["x-robots-tag"]
        expect(reader.locator("strong", has_text="storm")).to_be_visible()
        assert "set-cookie" not in answer.headers
        studio.app.config["PREVIEW_LINK_HOURS"] = 0
        reader.wait_for_timeout(1100)
        assert reader.goto(link).status == 404
    finally:
        studio.app.config["PREVIEW_LINK_HOURS"] = 72
        colleague.close()


def test_two_producers_on_one_article_the_second_save_is_a_conflict_and_nothing_is_lost(
    studio, chromium
):
    article = studio.factory.article(title="Shared draft", public=False, body_markdown="Start.")
    first_user = studio.factory.user(role="editor")
    second_user = studio.factory.user(role="editor")
    contexts = [chromium.new_context(viewport=DESKTOP) for _ in range(2)]
    try:
        first, second = (context.new_page() for context in contexts)
        log_in(first, studio, first_user)
        log_in(second, studio, second_user)
        for page in (first, second):
            page.goto(f"{studio.url}/studio/articles/{article.id}/edit")
        first.get_by_label("Text (Markdown)").fill("First producer's text.")
        second.get_by_label("Text (Markdown)").fill("Second producer's text.")
        first.get_by_role("button", name="Save article").click()
        expect(first.locator(".flash-success")).to_contain_text("saved")
        second.get_by_role("button", name="Save article").click()
        expect(second.locator(".form-errors")).to_contain_text("Someone saved this article")
        expect(second.locator("[data-theirs]")).to_have_text("First producer's text.")
        expect(second.get_by_label("Text (Markdown)")).to_have_value("Second producer's text.")
        second.get_by_role("button", name="Save article").click()
        expect(second.locator(".flash-success")).to_contain_text("saved")
        with studio.app.app_context():
            assert db.session.get(Article, article.id).body_markdown == "Second producer's text."
    finally:
        for context in contexts:
            context.close()


def test_an_editor_cannot_open_user_management_or_another_show(studio, page):
    other = studio.factory.show(slug="not-yours")
    editor = studio.factory.user(role="editor")
    log_in(page, studio, editor)
    assert page.goto(f"{studio.url}/studio/users/").status == 403
    assert page.goto(f"{studio.url}/studio/shows/{other.slug}/").status == 403
    expect(
        page.get_by_role("navigation", name="Studio").get_by_role("link", name="Users")
    ).to_have_count(0)


def test_a_visitor_is_sent_to_login_and_public_pages_set_no_cookie(studio, page):
    page.goto(f"{studio.url}/studio/articles/")
    expect(page).to_have_url(re.compile(r"/studio/login\?next="))
    editor = studio.factory.user(role="editor")
    log_in(page, studio, editor)
    for path in ("/", "/shows/", "/feed.xml"):
        answer = page.goto(studio.url + path)
        assert "set-cookie" not in answer.headers, path
        assert "cookie" not in answer.headers.get("vary", "").lower(), path


def test_a_jobs_bar_shows_its_progress_without_javascript(studio, chromium):
    """The bar's width comes from its pct class (the CSP allows no inline style), so a
    producer without JavaScript sees how far the job is, not an empty bar."""
    admin = studio.factory.user(role="admin", name="Nora NoScript")
    with studio.app.app_context():
        job = Job.request(
            "imports.run",
            {"source": "https://example.com/a.xml"},
            title="Import of https://example.com/a.xml",
            user_id=admin.id,
        )
        job.status, job.progress_done, job.progress_total = JobStatus.RUNNING, 3, 4
        db.session.commit()
        job_id = job.id
    context = chromium.new_context(viewport=DESKTOP, java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(page, studio, admin)
        for path in (f"/studio/jobs/{job_id}", "/studio/"):
            page.goto(studio.url + path)
            bar = page.locator(f'[data-job-id="{job_id}"] [role="progressbar"]')
            expect(bar).to_have_attribute("aria-valuenow", "75")
            filled = bar.evaluate("b => b.firstElementChild.getBoundingClientRect().width")
            whole = bar.evaluate("b => b.clientWidth")
            assert 0.7 < filled / whole < 0.8, (path, filled, whole)
    finally:
        context.close()
