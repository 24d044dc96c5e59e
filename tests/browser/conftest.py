"""Fixtures for the browser tests: one live site with the showcase content per module,
one Chromium per session, a fresh browser context (empty storage) per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.live import (
    DESKTOP,
    PageProblems,
    launch_chromium,
    live_site,
    silent_mp3_with_chapters,
)
from tests.browser.showcase import FERRY_CHAPTERS, SITE_CONFIG, Showcase, build_showcase
from tests.browser.studio_support import Studio, live_studio
from tests.support.app import delete_all_rows, test_config
from tests.support.factory import Factory


@pytest.fixture(scope="session")
def chromium() -> Iterator:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def quiet_episode_audio(tmp_path_factory):
    """90 s of silence as MP3 with four ID3 chapters."""
    return silent_mp3_with_chapters(tmp_path_factory.mktemp("browser-audio"), 90, FERRY_CHAPTERS)


@pytest.fixture(scope="module")
def site(migrated_database, tmp_path_factory, quiet_episode_audio) -> Iterator[tuple]:
    """(live server, showcase) for a module; the rows are removed afterwards."""
    config = test_config(migrated_database, tmp_path_factory.mktemp("live"), **SITE_CONFIG)
    server = None
    try:
        with live_site(config) as server:
            showcase: Showcase = build_showcase(
                server.app, Factory(server.app), quiet_episode_audio
            )
            yield server, showcase
    finally:
        if server is not None:  # stopped by now: no request thread holds the database
            delete_all_rows(server.app)


@pytest.fixture
def browser_page(chromium):
    context = chromium.new_context(viewport=DESKTOP)
    page = context.new_page()
    problems = PageProblems()
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.problems = problems
    yield page
    context.close()
    assert list(problems) == [], problems


@pytest.fixture(scope="module", params=["filesystem", pytest.param("s3", marks=pytest.mark.s3)])
def studio(request, migrated_database, tmp_path_factory) -> Iterator[Studio]:
    """A live studio per module, on each store (the loopback S3 server for "s3"); a module
    that needs one store only defines its own."""
    s3_server = request.getfixturevalue("s3_server") if request.param == "s3" else None
    folder = tmp_path_factory.mktemp(f"studio-{request.param}")
    with live_studio(migrated_database, folder, request.param, s3_server) as studio:
        yield studio


@pytest.fixture
def page(chromium):
    """A page in a fresh context (empty storage, downloads allowed); a script error on it
    fails the test."""
    context = chromium.new_context(viewport=DESKTOP, accept_downloads=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page
    context.close()
    assert problems == [], problems
