"""An episode's artwork, transcripts and people in a real Chromium, on both stores: upload
episode artwork and two transcripts (en, fr), add a guest (rows added and removed with
the keyboard), and find them all in the show's feed; a refused image says why on its
field; axe-core on each page in each state."""

from __future__ import annotations

import io

import pytest
from lxml import etree
from PIL import Image
from playwright.sync_api import expect

from publisher.extensions import db
from publisher.models import Episode
from tests.browser.live import DESKTOP
from tests.browser.studio_support import check_accessibility, log_in
from tests.s3server import bucket_keys
from tests.support.feeds import NS

pytestmark = pytest.mark.browser

VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nHello there\n"
SRT = "1\n00:00:00,000 --> 00:00:02,000\nBonjour\n"


@pytest.fixture
def files(tmp_path):
    def image(name: str, width: int, height: int) -> str:
        path = tmp_path / name
        Image.new("RGB", (width, height), (20, 110, 90)).save(path)
        return str(path)

    (tmp_path / "episode.en.vtt").write_text(VTT)
    (tmp_path / "episode.fr.srt").write_text(SRT)
    return {
        "cover": image("cover.png", 1400, 1400),
        "wide": image("wide.png", 1600, 900),
        "vtt": str(tmp_path / "episode.en.vtt"),
        "srt": str(tmp_path / "episode.fr.srt"),
    }


# Visible is not loaded (the <img> has its size before its bytes): wait for either end.
LOADED_WIDTH = """img => img.complete ? img.naturalWidth : new Promise(done => {
    img.addEventListener("load", () => done(img.naturalWidth), {once: true});
    img.addEventListener("error", () => done(0), {once: true});
})"""


def test_artwork_transcripts_and_a_guest_reach_the_feed(studio, page, files):
    show = studio.factory.show(slug=f"files-{studio.store}", language="en")
    episode = studio.factory.episode(show=show, slug="storm", title="Storm season")
    producer = studio.factory.user(role="editor", name="Pat Producer")
    studio.factory.member(show, producer)
    log_in(page, studio, producer)
    page.goto(f"{studio.url}/studio/shows/{show.slug}/episodes/{episode.id}/edit")
    nav = page.get_by_role("navigation", name="Episode")

    # Artwork: a refused image first (said on the field), then a good one, previewed.
    nav.get_by_role("link", name="Artwork").click()
    expect(page.get_by_text("apps show the show's artwork")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("Artwork image").set_input_files(files["wide"])
    page.get_by_role("button", name="Upload artwork").click()
    expect(page.locator("#image-error")).to_contain_text("must be square")
    expect(page.get_by_label("Artwork image")).to_have_attribute("aria-invalid", "true")
    check_accessibility(page)
    page.get_by_label("Artwork image").set_input_files(files["cover"])
    page.get_by_role("button", name="Upload artwork").click()
    expect(page.locator(".flash-success")).to_contain_text("artwork is saved")
    preview = page.get_by_role("img", name="The episode's current artwork")
    expect(preview).to_be_visible()
    assert preview.evaluate(LOADED_WIDTH) == 300
    check_accessibility(page)

    # Transcripts: English WebVTT and French SRT.
    nav.get_by_role("link", name="Transcripts").click()
    check_accessibility(page)
    for path, language in ((files["vtt"], "en"), (files["srt"], "fr")):
        page.get_by_label("Transcript file").set_input_files(path)
        page.get_by_label("Language").fill(language)
        page.get_by_role("button", name="Add transcript").click()
        expect(page.locator(".flash-success")).to_contain_text(f"({language}) is added")
    rows = page.locator("[data-transcripts] tbody tr")
    expect(rows).to_have_count(2)
    check_accessibility(page)
    page.get_by_role("link", name="Open the WebVTT file (en)").click()
    expect(page.locator("body")).to_contain_text("Hello there")
    page.go_back()

    # People: one guest; a row added and removed with the keyboard.
    nav.get_by_role("link", name="People").click()
    check_accessibility(page)
    rows = page.locator("[data-person-row]")
    expect(rows).to_have_count(3)
    page.locator("#persons-0-name").fill("Grace Guest")
    page.locator("#persons-0-role").select_option("guest")
    page.locator("#persons-0-href").fill("https://grace.example/")
    add = page.get_by_role("button", name="Add a person")
    add.focus()
    page.keyboard.press("Enter")
    expect(rows).to_have_count(4)
    expect(page.locator("#persons-3-name")).to_be_focused()
    page.keyboard.type("Temporary Person")
    remove = page.get_by_role("button", name="Remove person 4")
    remove.focus()
    page.keyboard.press("Enter")
    expect(rows).to_have_count(3)
    expect(page.locator("[data-people-status]")).to_contain_text("Person removed")
    check_accessibility(page)
    page.get_by_role("button", name="Save people").click()
    expect(page.locator(".flash-success")).to_contain_text("people are saved (1)")
    expect(page.locator("#persons-0-name")).to_have_value("Grace Guest")
    check_accessibility(page)

    # All of it in the feed.
    feed = page.request.get(f"{studio.url}/shows/{show.slug}/feed.xml")
    assert feed.status == 200
    item = etree.fromstring(feed.body()).find("channel/item")
    assert item.findtext("guid") == episode.guid
    art = item.find("itunes:image", NS).get("href")
    assert "/shows/" + show.slug + "/storm/artwork.png?v=" in art
    transcripts = {n.get("language"): n.get("type") for n in item.findall("podcast:transcript", NS)}
    assert transcripts == {"en": "text/vtt", "fr": "application/x-subrip"}
    [person] = item.findall("podcast:person", NS)
    assert (person.text, person.get("role"), person.get("href")) == (
        "Grace Guest",
        "guest",
        "https://grace.example/",
    )
    served = page.request.get(art.replace("http://publisher.test", studio.url))
    assert served.status == 200
    assert Image.open(io.BytesIO(served.body())).size == (1400, 1400)

    with studio.app.app_context():
        saved = db.session.get(Episode, episode.id)
        keys = {saved.artwork_key, *(t.storage_key for t in saved.transcripts)}
    if studio.store == "s3":
        assert keys <= set(bucket_keys(studio.s3, studio.bucket))


def test_people_work_without_javascript(studio, chromium):
    show = studio.factory.show(slug=f"nojs-{studio.store}")
    episode = studio.factory.episode(show=show, persons=[{"name": "Old Guest", "role": "guest"}])
    producer = studio.factory.user(role="editor")
    studio.factory.member(show, producer)
    context = chromium.new_context(viewport=DESKTOP, java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(page, studio, producer)
        page.goto(f"{studio.url}/studio/shows/{show.slug}/episodes/{episode.id}/people")
        expect(page.locator("[data-person-row]")).to_have_count(4)  # the saved one + 3 empty
        expect(page.get_by_role("button", name="Add a person")).to_be_hidden()
        page.locator("#persons-0-name").fill("")  # emptied: removed on save
        page.locator("#persons-1-name").fill("New Guest")
        page.locator("#persons-1-href").fill("ftp://not-http.example/")
        page.get_by_role("button", name="Save people").click()
        expect(page.locator("#persons-1-href-error")).to_be_visible()
        page.locator("#persons-1-href").fill("https://guest.example/")
        page.get_by_role("button", name="Save people").click()
        expect(page.locator(".flash-success")).to_contain_text("people are saved (1)")
        with studio.app.app_context():
            assert db.session.get(Episode, episode.id).persons == [
                {"name": "New Guest", "role": "guest", "group": "cast",
                 "href": "https://guest.example/"}
            ]  # fmt: skip
    finally:
        context.close()
