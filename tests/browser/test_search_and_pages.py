"""Search, share/bookmark helpers and the no-JavaScript fallback, in a real Chromium."""

import pytest
from playwright.sync_api import expect

from tests.browser.live import DESKTOP

pytestmark = pytest.mark.browser


def test_search_finds_an_article_by_a_word_in_its_body_and_never_a_draft(site, browser_page):
    server, showcase = site
    page = browser_page
    page.goto(server.url + "/")
    search = page.get_by_role("searchbox", name="Search")
    search.fill("kilometres")  # only in the ferry article's body
    search.press("Enter")
    expect(page.locator(".search-count")).to_have_text("1 result for “kilometres”")
    hit = page.locator(".search-hit").first
    expect(hit.get_by_role("link")).to_have_attribute("href", f"/articles/{showcase.article_slug}")
    expect(hit.locator("mark")).to_have_text("kilometres")

    page.goto(f"{server.url}/search?q={showcase.draft_word}")
    expect(page.locator(".empty")).to_contain_text("Nothing matches")
    expect(page.locator(".search-hit")).to_have_count(0)


def test_bookmark_is_remembered_and_listed_on_the_home_page(site, browser_page):
    server, showcase = site
    page = browser_page
    page.goto(f"{server.url}/articles/{showcase.article_slug}")
    bookmark = page.locator("[data-bookmark]")
    expect(bookmark).to_have_attribute("aria-pressed", "false")
    bookmark.click()
    expect(bookmark).to_have_attribute("aria-pressed", "true")
    page.goto(server.url + "/")
    saved = page.locator("[data-saved-list]")
    expect(saved).to_be_visible()
    expect(saved.get_by_role("link")).to_have_text(
        "Council approves cross-bay ferry after a night of debate"
    )


def test_copy_link_button_copies_the_canonical_url(site, chromium):
    server, showcase = site
    context = chromium.new_context(viewport=DESKTOP)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    page = context.new_page()
    page.goto(f"{server.url}/articles/{showcase.article_slug}")
    button = page.locator(".story-header .share-copy")
    button.click()
    expect(button).to_have_class("share-link share-copy is-copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == f"{server.url}/articles/{showcase.article_slug}"
    context.close()


def test_without_javascript_the_native_audio_controls_remain(site, chromium):
    server, showcase = site
    context = chromium.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server.url}/shows/{showcase.show_slug}/{showcase.episode_slug}")
    player = page.locator("[data-player]")
    expect(player.locator("audio")).to_be_visible()
    expect(player.locator("[data-controls]")).to_be_hidden()
    expect(player.locator("[data-download]")).to_be_visible()
    expect(page.locator(".share-copy")).to_be_hidden()  # it needs a script to work
    context.close()
