"""The studio in a real Chromium, on both stores: log in, create a show, upload an
episode (watching the progress bar), publish it and find it in the feed; with S3 the
audio goes straight to the bucket. Interrupted and cancelled S3 uploads, a scheduled
article's preview link, two producers on one article, access rules, and axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from publisher.extensions import db
from publisher.models import Episode
from tests.browser.live import DESKTOP
from tests.browser.studio_support import check_accessibility, log_in
from tests.s3server import bucket_keys
from tests.support.show_forms import image_file

pytestmark = pytest.mark.browser


def test_from_login_to_a_published_episode_in_the_feed(studio, page, audio, tmp_path):
    producer = studio.factory.user(role="editor", name="Pat Producer")
    log_in(page, studio, producer)
    check_accessibility(page)

    page.get_by_role("link", name="New show").first.click()
    check_accessibility(page)
    title = f"Harbour Hour {studio.store}"
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Author").fill("Pat Producer")
    page.get_by_label("Category", exact=True).first.select_option("News")
    page.get_by_label("Artwork image").set_input_files(str(image_file(tmp_path / "cover.png")))
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
    artwork = re.search(r'<itunes:image href="([^"]+)"', feed.text())
    assert artwork and "/artwork.png?v=" in artwork.group(1)
    cover = page.request.get(artwork.group(1).replace("&amp;", "&"))
    assert cover.status == 200 and cover.body()[:8] == b"\x89PNG\r\n\x1a\n"

    if studio.store == "s3":
        # The audio went to the bucket, never through the app.
        assert studio.log.largest_body() < path.stat().st_size
        assert not any(p.endswith("/episodes/upload") for p in studio.log.paths())
        assert any(key.startswith("shows/") for key in bucket_keys(studio.s3, studio.bucket))
    else:
        assert any(p.endswith("/episodes/upload") for p in studio.log.paths())


@pytest.fixture(scope="module")
def big_mp3(tmp_path_factory):
    """About 17 MB of MP3 (three 8 MiB parts), so an upload can be cut between parts."""
    import subprocess

    path = tmp_path_factory.mktemp("big") / "long-interview.mp3"
    subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "anullsrc=r=44100:cl=stereo:d=430",
            "-c:a",
            "libmp3lame",
            "-b:a",
            "320k",
            str(path),
        ],
        check=True,
    )
    return path


def _hold_parts_after_the_first(page, holding: list) -> None:
    """Parts 2 and later wait (a slow link); part 1 goes through."""

    def handle(route):
        if "partNumber=1&" in route.request.url or route.request.url.endswith("partNumber=1"):
            route.continue_()
        else:
            holding.append(route)

    page.route(re.compile(r".*[?&]partNumber=\d+.*"), handle)


def _s3_state(studio, show_id):
    with studio.app.app_context():
        episodes = db.session.scalar(
            db.select(db.func.count(Episode.id)).where(Episode.show_id == show_id)
        )
    uploads = studio.s3.list_multipart_uploads(Bucket=studio.bucket).get("Uploads", [])
    keys = [
        k
        for k in bucket_keys(studio.s3, studio.bucket)
        if k.startswith((f"shows/{show_id}/", f"uploads/{show_id}/"))
    ]
    return episodes, [u["Key"] for u in uploads if u["Key"].startswith(f"uploads/{show_id}/")], keys


@pytest.mark.parametrize("studio", ["s3"], indirect=True)  # parts exist only on S3
def test_an_interrupted_s3_upload_resumes_after_a_reload_and_a_cancelled_one_leaves_nothing(
    studio, chromium, big_mp3
):
    show = studio.factory.show(slug="resume-show")
    producer = studio.factory.user(role="editor")
    studio.factory.member(show, producer)
    context = chromium.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        log_in(page, studio, producer)
        page.goto(f"{studio.url}/studio/shows/{show.slug}/episodes/new")
        held: list = []
        _hold_parts_after_the_first(page, held)
        page.get_by_label("Audio file").set_input_files(str(big_mp3))
        with page.expect_event(
            "requestfinished", predicate=lambda r: r.method == "PUT", timeout=60_000
        ):
            page.get_by_role("button", name="Upload").click()
        page.close()  # the network drops / the tab is closed halfway

        episodes, open_uploads, _keys = _s3_state(studio, show.id)
        assert episodes == 0 and len(open_uploads) == 1

        page = context.new_page()
        sent_parts: list[str] = []
        page.on("request", lambda r: sent_parts.append(r.url) if r.method == "PUT" else None)
        page.goto(f"{studio.url}/studio/shows/{show.slug}/episodes/new")
        page.get_by_label("Audio file").set_input_files(str(big_mp3))
        expect(page.get_by_role("status")).to_contain_text("resume")
        page.get_by_role("button", name="Upload").click()
        expect(page.get_by_role("progressbar")).to_have_attribute(
            "aria-valuenow", "100", timeout=120_000
        )
        expect(page.get_by_role("link", name="Continue to the episode's details")).to_be_visible()
        assert not any("partNumber=1&" in url or url.endswith("partNumber=1") for url in sent_parts)
        episodes, open_uploads, keys = _s3_state(studio, show.id)
        assert episodes == 1 and open_uploads == []
        assert len(keys) == 1 and keys[0].startswith(f"shows/{show.id}/")

        # Cancel another one halfway: no object, no row, no open multipart upload.
        page.goto(f"{studio.url}/studio/shows/{show.slug}/episodes/new")
        held = []
        _hold_parts_after_the_first(page, held)
        page.get_by_label("Audio file").set_input_files(str(big_mp3))
        with page.expect_event(
            "requestfinished", predicate=lambda r: r.method == "PUT", timeout=60_000
        ):
            page.get_by_role("button", name="Upload").click()
        page.get_by_role("button", name="Cancel upload").click()
        expect(page.get_by_role("status")).to_contain_text("cancelled")
        page.wait_for_timeout(1000)  # the abort request completes
        episodes, open_uploads, keys = _s3_state(studio, show.id)
        assert episodes == 1 and open_uploads == [] and len(keys) == 1
    finally:
        context.close()
