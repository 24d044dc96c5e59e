"""The demo content `make run` loads, in a real Chromium: real spoken audio, served with
byte ranges by the enclosure route, plays in the article's player with its chapters."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from publisher.extensions import db
from publisher.models import Episode
from tests.browser.live import live_site
from tests.support.app import delete_all_rows, test_config

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_site(migrated_database, tmp_path_factory) -> Iterator:
    config = test_config(migrated_database, tmp_path_factory.mktemp("demo-live"))
    server = None
    try:
        with live_site(config) as server:
            result = server.app.test_cli_runner().invoke(args=["demo", "load"])
            assert result.exit_code == 0, result.output
            yield server
    finally:
        if server is not None:
            delete_all_rows(server.app)


def test_demo_article_plays_its_episode_with_chapters(demo_site, browser_page):
    page = browser_page
    page.goto(f"{demo_site.url}/articles/north-wall-pontoons-to-be-raised")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "North-wall pontoons to be raised as spring tides climb"
    )
    expect(page.locator("blockquote").first).to_contain_text("The water has not read them")
    player = page.locator("[data-player]").first
    expect(player.locator(".player-time")).to_have_text("0:00 / 1:09")
    with demo_site.app.app_context():
        guid = db.session.scalar(db.select(Episode.guid).where(Episode.number == 3))
    enclosure = f"{demo_site.url}/media/{guid}.mp3"
    expect(player.locator("[data-download]")).to_have_attribute("href", enclosure)

    player.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function(
        "() => document.querySelector('[data-player] audio').currentTime > 0.5", timeout=10_000
    )
    chapter = player.get_by_role("button", name="The weather")
    chapter.click()
    page.wait_for_function(
        "() => document.querySelector('[data-player] audio').currentTime >= 45", timeout=10_000
    )


def test_demo_scheduled_episode_and_draft_article_stay_hidden(demo_site, browser_page):
    page = browser_page
    page.goto(f"{demo_site.url}/shows/harbour-report")
    expect(page.get_by_text("Spring tides on the quay").first).to_be_visible()
    assert "harbour festival" not in page.content().lower()
    draft = page.request.get(f"{demo_site.url}/articles/harbour-festival-programme")
    assert draft.status == 404
