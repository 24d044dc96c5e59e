"""The show form and feed check in a real Chromium, on both stores: create a show with its
artwork, two hosts (added and removed with the keyboard) and a category whose
subcategories follow it; the feed check ticks what passes; an error lands on its row."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from publisher.extensions import db
from publisher.models import Show
from tests.browser.studio_support import check_accessibility, log_in
from tests.support.show_forms import image_file

pytestmark = pytest.mark.browser


def test_a_show_with_artwork_hosts_and_a_category_passes_its_feed_check(studio, page, tmp_path):
    producer = studio.factory.user(role="editor", name="Pat Producer")
    log_in(page, studio, producer)
    page.goto(f"{studio.url}/studio/shows/new")
    check_accessibility(page)
    slug = f"lighthouse-{studio.store}"
    page.get_by_label("Title", exact=True).fill("Lighthouse Logs")
    page.get_by_label("Slug (optional)").fill(slug)
    page.get_by_label("Description").fill("Keepers talk about their lights.")
    page.get_by_label("Website").fill("https://lighthouse.example/")
    page.get_by_label("Artwork image").set_input_files(str(image_file(tmp_path / "cover.png")))
    page.get_by_label("Author").fill("Pat Producer")
    page.get_by_label("Owner name").fill("Pat Producer")
    page.get_by_label("Owner e-mail").fill("pat@example.com")

    # The category's subcategories follow the chosen category.
    category = page.locator("[name=categories-0-category]")
    subcategory = page.locator("[name=categories-0-subcategory]")
    expect(subcategory).to_be_disabled()
    category.select_option("Arts")
    expect(subcategory).to_be_enabled()
    assert page.locator("optgroup[data-category='News']").first.evaluate("g => g.hidden")
    subcategory.select_option("Books")
    category.select_option("News")  # another category: its own subcategories, none chosen
    expect(subcategory).to_have_value("")
    category.select_option("Arts")
    subcategory.select_option("Books")
    # Three category rows are all Apple reads: nothing more to add.
    expect(page.get_by_role("button", name="Add another category")).to_be_hidden()
    expect(page.get_by_role("button", name="Add another support link")).to_be_visible()

    # Two hosts; a third row added and removed with the keyboard, focus following.
    page.locator("[name=persons-0-name]").fill("Ann Keeper")
    page.locator("[name=persons-1-name]").fill("Bo Keeper")
    page.locator("[name=persons-1-role]").select_option("co-host")
    add = page.get_by_role("button", name="Add another person")
    add.focus()
    page.keyboard.press("Enter")
    new_name = page.locator("[name=persons-2-name]")
    expect(new_name).to_be_focused()
    expect(page.get_by_role("group", name="Person 3")).to_be_visible()
    new_name.fill("Temporary")
    page.get_by_role("button", name="Remove Person 3").focus()
    page.keyboard.press("Enter")
    expect(page.locator("[name=persons-2-name]")).to_have_count(0)
    expect(page.locator("[name=persons-1-name]")).to_be_focused()
    expect(page.locator("[data-list-status]")).to_have_text("Person 3 removed.")

    page.get_by_role("button", name="Create show").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lighthouse Logs")
    with studio.app.app_context():
        show = db.session.scalar(db.select(Show).where(Show.slug == slug))
        assert [(h["name"], h["role"]) for h in show.hosts] == [
            ("Ann Keeper", "host"),
            ("Bo Keeper", "co-host"),
        ]
        assert (show.category, show.subcategory) == ("Arts", "Books")
        assert show.artwork_key

    page.get_by_role("navigation", name="Show").get_by_role("link", name="Feed check").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Feed check")
    check_accessibility(page)
    for label in ("Title", "Apple Podcasts category", "Author", "Owner e-mail",
                  "Artwork: square JPEG or PNG, 1400-3000 px, RGB"):  # fmt: skip
        expect(page.locator("li.passed", has_text=label).first).to_be_visible()
    problem = page.locator("li.problem", has_text="At least one episode")
    expect(problem).to_contain_text("Required")
    problem.get_by_role("link", name="Fix it").click()
    expect(page).to_have_url(f"{studio.url}/studio/shows/{slug}/episodes/new")

    # An operation's refusal lands on the row and field it names.
    page.goto(f"{studio.url}/studio/shows/{slug}/edit")
    expect(page.locator('img[alt="The show\'s current artwork"]')).to_be_visible()
    page.locator("[name=persons-1-href]").fill("ftp://bo.example/")
    page.get_by_role("button", name="Save show").click()
    expect(page.locator("#persons-1-href-error")).to_contain_text("http")
    expect(page.locator("[name=persons-1-href]")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".form-errors").first).to_contain_text("Please correct")
    check_accessibility(page)
