"""An Opus upload, its MP3 rendition and the waveform, in Debian's Chromium: the MP3
plays through the stable enclosure URL, the player draws the waveform under the seek bar
(and works without it), and the feed offers both files to podcast-partytime."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from publisher.extensions import db
from publisher.operations import audio
from tests.browser.live import DESKTOP, live_site
from tests.feeds.partytime import partytime_parse
from tests.listening.reference import make_fixture
from tests.support.app import delete_all_rows, test_config
from tests.support.factory import Factory

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def rendered_site(migrated_database, tmp_path_factory) -> Iterator[tuple]:
    """(server, {"opus": episode with an MP3 rendition, "plain": never analyzed})."""
    folder = tmp_path_factory.mktemp("renditions")
    config = test_config(migrated_database, folder, RATELIMIT_ENABLED=False)
    server = None
    try:
        with live_site(config) as server:
            factory = Factory(server.app)
            show = factory.show(slug="river", title="River Notes")
            opus = factory.ingested_episode(
                make_fixture(folder, "opus", "padded"), show=show, status="published",
                title="Opus upload", slug="opus-upload",
            )  # fmt: skip
            plain = factory.ingested_episode(
                make_fixture(folder, "mp3", "padded"), show=show, status="published",
                title="Plain upload", slug="plain-upload",
            )  # fmt: skip
            with server.app.app_context():
                audio.make_rendition(opus.id, "compatible")
                db.session.commit()
                audio.analyze_episode(opus.id)
                db.session.commit()
            yield server, {"opus": opus, "plain": plain}
    finally:
        if server is not None:
            delete_all_rows(server.app)


def test_the_mp3_rendition_plays_through_the_enclosure_url(chromium, rendered_site):
    server, episodes = rendered_site
    guid = episodes["opus"].guid
    context = chromium.new_context(viewport=DESKTOP)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{server.url}/shows/river/opus-upload")
    assert page.get_attribute("[data-audio]", "src") == f"{server.url}/media/{guid}.mp3"
    canvas = page.wait_for_selector(".player-waveform:not([hidden])", timeout=15000)
    assert canvas.bounding_box()["width"] > 100
    # The waveform was drawn: some pixels of the canvas are not transparent.
    painted = page.evaluate(
        """() => { const c = document.querySelector('.player-waveform');
                  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                  let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; }"""
    )
    assert painted > 100
    page.click('[data-action="toggle"]')
    page.wait_for_function(
        "() => document.querySelector('[data-audio]').currentTime > 0.5", timeout=20000
    )
    assert page.evaluate("document.querySelector('[data-audio]').error") is None
    assert errors == []
    context.close()


def test_the_player_works_without_a_waveform_or_javascript(chromium, rendered_site):
    server, _ = rendered_site
    context = chromium.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{server.url}/shows/river/plain-upload")
    assert page.query_selector(".player-waveform") is None  # never analyzed: no peaks
    page.click('[data-action="toggle"]')
    page.wait_for_function(
        "() => document.querySelector('[data-audio]').currentTime > 0.3", timeout=20000
    )
    context.close()
    bare = chromium.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = bare.new_page()
    page.goto(f"{server.url}/shows/river/opus-upload")
    assert page.get_attribute("[data-audio]", "controls") is not None  # native controls
    assert page.is_hidden(".player-waveform")
    bare.close()


def test_the_feed_offers_both_files_to_partytime(chromium, rendered_site):
    server, episodes = rendered_site
    context = chromium.new_context()
    feed = context.request.get(f"{server.url}/shows/river/feed.xml").body()
    context.close()
    parsed = partytime_parse(feed)
    item = next(i for i in parsed["items"] if i["title"] == "Opus upload")
    guid = episodes["opus"].guid
    assert item["enclosure"]["url"] == f"{server.url}/media/{guid}.mp3"
    alternates = item["alternativeEnclosures"]
    by_type = {a["type"]: a for a in alternates}
    assert set(by_type) == {"audio/mpeg", "audio/opus"}
    assert by_type["audio/mpeg"]["default"] is True
    assert by_type["audio/opus"]["source"][0]["uri"] == f"{server.url}/media/{guid}.opus"
    assert by_type["audio/opus"]["integrity"]["type"] == "sri"
