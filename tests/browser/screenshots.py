"""Screenshots of the home, article and episode pages at phone and desktop widths.

    python -m tests.browser.screenshots [OUTPUT_DIR]     # default: docs/screenshots

builds the showcase newsroom in a temporary SQLite database with a 26-minute quiet
episode carrying real ID3 chapters, serves it on 127.0.0.1 and photographs it with
Chromium. tests/browser/test_screenshots.py runs the same capture into a temporary folder.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.browser.live import DESKTOP, PHONE

SIZES = {"phone": PHONE, "desktop": DESKTOP}
LONG_CHAPTERS = [(0, "Cold open"), (95, "The vote"), (610, "Electric boats"), (1220, "What next")]


def capture(browser, base_url: str, showcase, out_dir: Path) -> list[Path]:
    """Six PNGs: {home,article,episode}-{phone,desktop}.png. Returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    pages = {
        "home": "/",
        "article": f"/articles/{showcase.article_slug}",
        "episode": f"/shows/{showcase.show_slug}/{showcase.episode_slug}",
    }
    written = []
    for size, viewport in SIZES.items():
        context = browser.new_context(viewport=viewport, device_scale_factor=1)
        page = context.new_page()
        # A listener came back to the ferry episode: the player shows where they were.
        page.goto(base_url + "/")
        page.evaluate(
            "key => localStorage.setItem(key, '754')",
            f"publisher:position:{showcase.episode_guid}",
        )
        for name, path in pages.items():
            page.goto(base_url + path)
            page.wait_for_load_state("networkidle")
            target = out_dir / f"{name}-{size}.png"
            if name == "article" and size == "desktop":
                page.screenshot(path=target, full_page=True)
            else:
                if name == "article":  # the phone view of the article: its podcasts
                    page.locator("#podcasts-heading").scroll_into_view_if_needed()
                    page.evaluate("window.scrollBy(0, -16)")
                page.screenshot(path=target)
            written.append(target)
        context.close()
    return written


def main(argv: list[str]) -> int:
    from flask_migrate import upgrade
    from playwright.sync_api import sync_playwright

    from publisher import create_app
    from publisher.extensions import db
    from tests.browser.live import launch_chromium, live_site, silent_mp3_with_chapters
    from tests.browser.showcase import SITE_CONFIG, build_showcase
    from tests.support.app import test_config
    from tests.support.factory import Factory

    out_dir = Path(argv[0] if argv else "docs/screenshots")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        config = test_config(f"sqlite:///{folder / 'shots.db'}", folder, **SITE_CONFIG)
        config["TESTING"] = False
        app = create_app(config)
        with app.app_context():
            upgrade()
            db.engine.dispose()
        audio = silent_mp3_with_chapters(folder, 1574, LONG_CHAPTERS)
        with live_site(config) as server, sync_playwright() as playwright:
            showcase = build_showcase(server.app, Factory(server.app), audio)
            browser = launch_chromium(playwright)
            for path in capture(browser, server.url, showcase, out_dir):
                print(f"{path}  {path.stat().st_size // 1024} KB")
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
