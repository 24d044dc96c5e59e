"""The screenshot capture works on the showcase site (docs/screenshots come from it)."""

import pytest

from tests.browser.screenshots import capture

pytestmark = pytest.mark.browser

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_capture_writes_small_pngs_of_home_article_and_episode(site, chromium, tmp_path):
    server, showcase = site
    written = capture(chromium, server.url, showcase, tmp_path)
    assert sorted(p.name for p in written) == sorted(
        f"{page}-{size}.png"
        for page in ("home", "article", "episode")
        for size in ("phone", "desktop")
    )
    for path in written:
        data = path.read_bytes()
        assert data.startswith(PNG_SIGNATURE)
        assert 10_000 < len(data) < 600_000, (path.name, len(data))
