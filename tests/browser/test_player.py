"""The audio player in a real Chromium, over real audio served by the live site."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def audio_state(page, index: int = 0) -> dict:
    return page.evaluate(
        """(i) => { const a = document.querySelectorAll('[data-player] audio')[i];
        return {time: a.currentTime, paused: a.paused, muted: a.muted, rate: a.playbackRate,
                ready: a.readyState, src: a.currentSrc || a.src}; }""",
        index,
    )


def wait_time(page, condition: str, index: int = 0) -> None:
    page.wait_for_function(
        f"() => {{ const t = document.querySelectorAll('[data-player] audio')[{index}]"
        f".currentTime; return {condition}; }}",
        timeout=10_000,
    )


def test_player_controls_on_an_article_page(site, browser_page):
    server, showcase = site
    page = browser_page
    page.goto(f"{server.url}/articles/{showcase.article_slug}")
    player = page.locator("[data-player]").first

    # The duration comes from the server before any audio has loaded.
    expect(player.locator(".player-time")).to_have_text("0:00 / 1:30")
    assert audio_state(page)["ready"] == 0
    expect(player.locator("audio")).to_be_hidden()  # the enhanced controls replace it

    enclosure = f"{server.url}/media/{showcase.episode_guid}.mp3"
    expect(player.locator("[data-download]")).to_have_attribute("href", enclosure)

    player.get_by_role("button", name="Play", exact=True).click()
    wait_time(page, "t > 0.3")
    state = audio_state(page)
    assert not state["paused"] and state["src"] == enclosure
    expect(player.get_by_role("button", name="Pause", exact=True)).to_be_visible()

    before = audio_state(page)["time"]
    player.get_by_role("button", name="Forward 30 seconds").click()
    wait_time(page, f"t >= {before + 29.5}")
    after_forward = audio_state(page)["time"]
    assert before + 29.5 <= after_forward < before + 33

    player.get_by_role("button", name="Back 15 seconds").click()
    wait_time(page, f"t <= {after_forward - 14}")
    assert after_forward - 15.5 <= audio_state(page)["time"] < after_forward - 13

    speed = player.locator('[data-action="speed"]')
    speed.click()
    assert audio_state(page)["rate"] == 1.25
    expect(speed).to_have_text("1.25\u00d7")  # the multiplication sign
    speed.click()
    assert audio_state(page)["rate"] == 1.5

    mute = player.get_by_role("button", name="Mute", exact=True)
    mute.click()
    assert audio_state(page)["muted"] is True
    expect(player.locator('[data-action="mute"]')).to_have_attribute("aria-pressed", "true")

    # Chapters come from the ID3 CHAP frames the probe read at ingest.
    chapter = player.get_by_role("button", name=re.compile(r"Play from 1:00: Electric boats"))
    chapter.click()
    wait_time(page, "t >= 60 && t < 64")
    expect(chapter).to_have_attribute("aria-current", "true")
    expect(player.locator("[data-elapsed]")).to_have_text(re.compile(r"1:0\d"))


def test_keyboard_one_player_at_a_time_and_remembered_position(site, browser_page):
    server, showcase = site
    page = browser_page
    url = f"{server.url}/articles/{showcase.article_slug}"
    page.goto(url)
    first, second = page.locator("[data-player]").nth(0), page.locator("[data-player]").nth(1)

    first.get_by_role("button", name="Play", exact=True).focus()
    page.keyboard.press("Enter")
    wait_time(page, "t > 0.2", 0)
    page.keyboard.press("l")  # forward 30 s from the keyboard
    wait_time(page, "t >= 30", 0)

    # The second episode is fake media metadata (no stored file): pressing play there
    # must still pause the first one.
    page.evaluate(
        "document.querySelectorAll('[data-player] audio')[1].dispatchEvent(new Event('play'))"
    )
    assert audio_state(page, 0)["paused"] is True
    expect(second.locator(".player-time")).to_have_text("0:00 / 28:50")

    position = audio_state(page, 0)["time"]
    page.reload()
    expect(page.locator("[data-player]").first.locator("[data-elapsed]")).to_have_text(
        f"0:{int(position):02d}"
    )


def test_embed_page_player_plays(site, browser_page):
    server, showcase = site
    page = browser_page
    page.goto(f"{server.url}/embed/{showcase.episode_guid}")
    expect(page.locator(".player-time")).to_have_text("0:00 / 1:30")
    page.get_by_role("button", name="Play", exact=True).click()
    wait_time(page, "t > 0.2")
