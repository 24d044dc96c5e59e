"""Chapters and soundbites on the waveform (peaks.js) in Chromium, on both stores: a
draft's audio and peaks load for its producer, dragging a marker or adding one at the
playhead changes the saved start, a range dragged on the waveform becomes a soundbite,
and the chapters file exports and imports back."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from publisher.extensions import db
from publisher.jobs import get_queue
from publisher.models import Episode
from tests.browser.studio_support import axe_violations, log_in

pytestmark = pytest.mark.browser


def analyzed_draft(studio, audio, slug: str, chapters=None):
    """A draft episode of real audio (60 s), analyzed by the queue as a consumer would."""
    show = studio.factory.show(slug=slug)
    episode = studio.factory.ingested_episode(audio("mp3", seconds=60), show=show, status="draft")
    get_queue(studio.app).run_pending()
    if chapters is not None:
        with studio.app.app_context():
            db.session.get(Episode, episode.id).chapters = chapters
            db.session.commit()
    editor = studio.factory.user(role="editor", name="Wave Editor")
    studio.factory.member(show, editor)
    return show, episode, editor


def stored(studio, episode_id: int) -> Episode:
    with studio.app.app_context():
        row = db.session.get(Episode, episode_id)
        db.session.expunge(row)
        return row


def x_of(page, seconds: float, duration: float) -> tuple[float, float, float]:
    """Where ``seconds`` is on the zoomview: the whole episode fills its width when the
    peaks cover it, else the peaks are drawn at their own scale from the left."""
    box = page.locator("[data-waveform-zoomview]").bounding_box()
    peaks = page.evaluate(
        "() => fetch(document.querySelector('[data-waveform-src]')"
        ".getAttribute('data-waveform-src')).then(r => r.json())"
    )
    if peaks["length"] >= box["width"]:
        x = box["width"] * seconds / duration
    else:
        x = seconds * peaks["sample_rate"] / peaks["samples_per_pixel"]
    return box["x"] + x, box["y"], box["height"]


def test_chapters_on_the_waveform_and_in_the_list(studio, page, audio, tmp_path):
    show, episode, editor = analyzed_draft(
        studio,
        audio,
        "wave-chapters",
        chapters={"version": "1.2.0", "chapters": [{"startTime": 0.0, "title": "Intro"}]},
    )
    log_in(page, studio, editor)
    path = f"/studio/shows/{show.slug}/episodes/{episode.id}/chapters"
    page.goto(studio.url + path)
    expect(page.locator("[data-waveform-ready]")).to_have_count(1, timeout=15_000)
    assert axe_violations(page) == []
    duration = page.evaluate(
        "() => new Promise(r => { const a = document.querySelector('audio');"
        " a.readyState >= 1 ? r(a.duration) : a.addEventListener('loadedmetadata',"
        " () => r(a.duration)); })"
    )
    assert duration == pytest.approx(60, abs=1)  # the draft's audio plays for its producer

    # In the list: a second chapter typed, saved.
    page.get_by_label("Start of chapter 2").fill("0:30")
    page.get_by_label("Title of chapter 2").fill("Harbour news")
    page.get_by_role("button", name="Save chapters").click()
    expect(page.get_by_text("The chapters are saved (2")).to_be_visible()
    assert [c["startTime"] for c in stored(studio, episode.id).chapters["chapters"]] == [0, 30]

    # On the waveform (the whole episode in view): drag the 30 s marker to the right.
    expect(page.locator("[data-waveform-ready]")).to_have_count(1, timeout=15_000)
    page.wait_for_function(
        "() => document.querySelectorAll('[data-play-row]').length >= 2", timeout=10_000
    )
    x, y, height = x_of(page, 30, duration)
    page.mouse.move(x, y + height / 2)
    page.mouse.down()
    page.mouse.move(x + 40, y + height / 2, steps=8)
    page.mouse.move(x + 80, y + height / 2, steps=8)
    page.mouse.up()
    start = page.get_by_label("Start of chapter 2")
    expect(start).not_to_have_value("0:00:30")
    page.get_by_role("button", name="Save chapters").click()
    expect(page.get_by_text("The chapters are saved (2")).to_be_visible()
    moved = stored(studio, episode.id).chapters["chapters"][1]["startTime"]
    assert 33 < moved < 50

    # At the playhead: the audio at 52 s, a chapter added there.
    page.evaluate(
        "() => new Promise(r => { const a = document.querySelector('audio');"
        " const go = () => { a.addEventListener('seeked', () => r(), {once: true});"
        " a.currentTime = 52; };"
        " a.readyState >= 1 ? go() : a.addEventListener('loadedmetadata', go); })"
    )
    page.get_by_role("button", name="Add chapter at the playhead").click()
    expect(page.get_by_label("Start of chapter 3")).to_have_value("0:00:52")
    page.get_by_label("Title of chapter 3").fill("Weather")
    page.get_by_role("button", name="Save chapters").click()
    expect(page.get_by_text("The chapters are saved (3")).to_be_visible()
    saved = stored(studio, episode.id).chapters["chapters"]
    assert [c["title"] for c in saved] == ["Intro", "Harbour news", "Weather"]
    assert saved[2]["startTime"] == pytest.approx(52, abs=0.01)

    # Export, clear, import the exported file back.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the chapters (JSON)").click()
    exported = tmp_path / "exported.json"
    download_info.value.save_as(exported)
    assert json.loads(exported.read_text())["chapters"] == saved
    page.get_by_label("Yes, remove every chapter of this episode").check()
    page.get_by_role("button", name="Clear the chapters").click()
    expect(page.get_by_text("The chapters are removed.")).to_be_visible()
    assert stored(studio, episode.id).chapters is None
    page.get_by_label("Chapters file (JSON)").set_input_files(str(exported))
    page.get_by_role("button", name="Import chapters").click()
    expect(page.get_by_text("Imported 3 chapters from the file.")).to_be_visible()
    assert stored(studio, episode.id).chapters["chapters"] == saved
    expect(page.get_by_label("Title of chapter 3")).to_have_value("Weather")


def test_a_range_dragged_on_the_waveform_becomes_a_soundbite(studio, page, audio):
    show, episode, editor = analyzed_draft(studio, audio, "wave-bites")
    log_in(page, studio, editor)
    page.goto(f"{studio.url}/studio/shows/{show.slug}/episodes/{episode.id}/soundbites")
    expect(page.locator("[data-waveform-ready]")).to_have_count(1, timeout=15_000)
    assert axe_violations(page) == []
    x1, y, height = x_of(page, 10, 60)
    x2, _, _ = x_of(page, 30, 60)
    page.mouse.move(x1, y + height / 2)
    page.mouse.down()
    page.mouse.move((x1 + x2) / 2, y + height / 2, steps=8)
    page.mouse.move(x2, y + height / 2, steps=8)
    page.mouse.up()
    expect(page.get_by_label("Start of soundbite 1")).not_to_have_value("")
    page.get_by_label("Title of soundbite 1").fill("The storm")
    page.get_by_role("button", name="Save soundbites").click()
    expect(page.get_by_text("The soundbites are saved (1)")).to_be_visible()
    (bite,) = stored(studio, episode.id).soundbites
    assert bite["title"] == "The storm"
    assert bite["start_time"] == pytest.approx(10, abs=3)
    assert bite["duration"] == pytest.approx(20, abs=4)
    # A second one typed in the list and moved up: the saved order is the order shown.
    page.get_by_label("Start of soundbite 2").fill("0:40")
    page.get_by_label("Duration (seconds) of soundbite 2").fill("15")
    page.get_by_label("Title of soundbite 2").fill("The calm")
    page.get_by_role("button", name="Move soundbite 2 up").click()
    expect(page.get_by_label("Title of soundbite 1")).to_have_value("The calm")
    page.get_by_role("button", name="Save soundbites").click()
    expect(page.get_by_text("The soundbites are saved (2)")).to_be_visible()
    titles = [b["title"] for b in stored(studio, episode.id).soundbites]
    assert titles == ["The calm", "The storm"]
    # The Audio page of the same episode: its finished analysis job and its findings.
    page.get_by_role("navigation", name="Episode").get_by_role("link", name="Audio").click()
    expect(page.get_by_role("heading", name="Audio checks")).to_be_visible()
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    expect(page.get_by_role("button", name="Normalize loudness")).to_be_visible()
    assert axe_violations(page) == []


def test_without_a_waveform_the_list_still_works(studio, page, audio):
    show = studio.factory.show(slug="wave-pending")
    episode = studio.factory.ingested_episode(audio("mp3", seconds=5), show=show, status="draft")
    editor = studio.factory.user(role="editor", name="Pending Editor")
    studio.factory.member(show, editor)
    log_in(page, studio, editor)
    page.goto(f"{studio.url}/studio/shows/{show.slug}/episodes/{episode.id}/chapters")
    expect(page.get_by_text("The waveform appears once the audio is analyzed")).to_be_visible()
    page.get_by_role("button", name="Add a row").click()
    page.get_by_label("Start of chapter 4").fill("2")
    page.get_by_label("Title of chapter 4").fill("Late")
    page.get_by_label("Start of chapter 1").fill("0")
    page.get_by_label("Title of chapter 1").fill("Top")
    page.get_by_role("button", name="Save chapters").click()
    expect(page.get_by_text("The chapters are saved (2")).to_be_visible()
    assert [c["title"] for c in stored(studio, episode.id).chapters["chapters"]] == ["Top", "Late"]
    # Keep the queue empty for the next test on this module's studio.
    get_queue(studio.app).run_pending()
