"""The feed check page: the feed checklist's findings as ticked items and things to fix,
each linking to the field that fixes it; the summary on the show's page."""

from __future__ import annotations

import lxml.html
import pytest

from tests.support.show_forms import form_fields, image, post_multipart


@pytest.fixture
def app_config():
    return {"FEED_RECHECK_SECONDS": 0}


def _items(client, slug: str) -> tuple[dict[str, str], lxml.html.HtmlElement]:
    response = client.get(f"/studio/shows/{slug}/checks")
    assert response.status_code == 200
    page = lxml.html.fromstring(response.get_data(as_text=True))
    items = {}
    for item in page.xpath("//section[@aria-labelledby='show-checks-h']//li"):
        state = "passed" if "passed" in item.get("class") else item.get("class").split()[-1]
        label = item.find(".//strong")
        text = (label.text_content() if label is not None else item.text_content()).strip()
        items[text.replace("Passed:", "").replace("✓", "").strip()] = state
    return items, page


def test_the_checklist_ticks_what_passes_and_says_how_to_fix_the_rest(app, producers, factory):
    show = factory.show(slug="checked", author="", link="")
    factory.episode(show=show)
    _editor, client = producers.editor(show)
    items, page = _items(client, "checked")
    assert items["Title"] == "passed"
    assert items["Apple Podcasts category"] == "passed"
    assert items["Artwork: square JPEG or PNG, 1400-3000 px, RGB"] == "problem-error"
    assert items["Author"] == "problem-warning"
    text = page.text_content()
    assert "Upload the artwork in Settings → Artwork" in text
    fix_links = {a.get("href") for a in page.xpath("//a") if a.text_content().startswith("Fix")}
    assert "/studio/shows/checked/edit#image" in fix_links
    assert "/studio/shows/checked/edit#author" in fix_links
    links = {a.text_content(): a.get("href") for a in page.xpath("//p[@class='links']/a")}
    assert links["Feed"].endswith("/shows/checked/feed.xml")
    assert links["Public page"].endswith("/shows/checked")
    # The show's page sums it up and links here.
    summary = client.get("/studio/shows/checked/").get_data(as_text=True)
    assert "things to fix</a>" in summary and "/studio/shows/checked/checks" in summary

    # Fixing them in the form ticks them.
    edit = client.get("/studio/shows/checked/edit").get_data(as_text=True)
    data = {**form_fields(edit), "author": "Ann", "link": "https://x.example/",
            "image": image(1400)}  # fmt: skip
    assert post_multipart(client, "/studio/shows/checked/edit", data).status_code == 302
    items, _page = _items(client, "checked")
    for label in ("Author", "Website link", "Artwork: square JPEG or PNG, 1400-3000 px, RGB"):
        assert items[label] == "passed", label


def test_episode_findings_link_to_the_episode(producers, factory):
    show = factory.show(slug="eps")
    episode = factory.episode(show=show, title="Missing bits")
    _editor, client = producers.editor(show)
    _found, page = _items(client, "eps")
    episodes = page.xpath("//section[@aria-labelledby='episode-checks-h']")[0]
    link = episodes.xpath(".//a")[0]
    assert link.text_content() == "Missing bits"
    assert link.get("href") == f"/studio/shows/eps/episodes/{episode.id}/edit"
    assert "transcript" in episodes.text_content()


def test_a_draft_show_without_episodes_is_told_so(producers, factory):
    factory.show(slug="empty", status="draft")
    _editor, client = producers.editor(factory.show(slug="other"))
    assert client.get("/studio/shows/empty/checks").status_code == 403
    _admin, admin = producers.admin()
    items, page = _items(admin, "empty")
    assert items["The show is published"] == "problem-warning"
    assert items["At least one episode"] == "problem-error"
    assert page.xpath("//a[@href='/studio/shows/empty/episodes/new']")
    assert "No episode in the feed yet." in page.text_content()
