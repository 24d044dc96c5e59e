"""Feed fixtures: an empty memo per test, artwork, a "demo" show with stored artwork,
and the feed views' clock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from publisher.feeds import cache, views
from publisher.models import utcnow
from tests.support.clock import Clock
from tests.support.feeds import png_bytes, store


@pytest.fixture(autouse=True)
def _fresh_memo():
    """Each test starts with an empty per-process memo (the database is emptied too)."""
    cache.memo.clear()
    yield
    cache.memo.clear()


@pytest.fixture(scope="session")
def artwork_png() -> bytes:
    return png_bytes(1400, 1400)


@pytest.fixture
def demo_show(app, factory, artwork_png):
    """A show as the demo has it: artwork, hosts, funding, categories, three episodes."""
    store(app, "shows/demo/artwork.png", artwork_png, "image/png")
    show = factory.show(
        slug="demo",
        title="The Demo Show",
        description="Conversations about publishing, every week.",
        language="en",
        author="Demo Studio",
        owner_name="Demo Owner",
        owner_email="owner@demo.test",
        category="Technology",
        explicit=False,
        link="https://demo.test/",
        copyright="© 2025 Demo Studio",
        artwork_key="shows/demo/artwork.png",
        artwork_mime="image/png",
        funding_url="https://demo.test/support",
        funding_text="Support the show",
        hosts=[{"name": "Ada Host", "role": "host", "href": "https://demo.test/ada"}],
        location="Lisbon, Portugal",
        license="cc-by-4.0",
        update_frequency="Weekly",
        update_frequency_rrule="FREQ=WEEKLY;BYDAY=MO",
        txt=[{"text": "demo-verify-123", "purpose": "verify"}],
    )
    now = utcnow()
    factory.episode(
        show=show,
        slug="trailer",
        title="Trailer",
        episode_type="trailer",
        season=1,
        publish_at=now - timedelta(days=30),
    )
    factory.episode(
        show=show,
        slug="first",
        title="First steps",
        season=1,
        number=1,
        publish_at=now - timedelta(days=14),
        chapters={"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Hello"}]},
    )
    factory.episode(
        show=show,
        slug="second",
        title="Second wind",
        season=1,
        number=2,
        explicit=True,
        publish_at=now - timedelta(days=7),
        persons=[{"name": "Grace Guest", "role": "guest"}],
        soundbites=[{"start_time": 10, "duration": 30, "title": "The best bit"}],
    )
    return show


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Check the database on every request (the recheck window has its own test)."""
    return {"FEED_RECHECK_SECONDS": 0}


@pytest.fixture
def feed_clock(monkeypatch) -> Clock:
    """The clock the feed views read, frozen at a whole second: only the test moves it."""
    clock = Clock(utcnow().replace(microsecond=0))
    monkeypatch.setattr(views, "utcnow", clock)
    return clock
