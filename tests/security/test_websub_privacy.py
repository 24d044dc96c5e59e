"""WebSub never names a draft show's feed to the hub (finding 8)."""

from __future__ import annotations

import pytest

from publisher.extensions import db
from publisher.models import Episode, Show
from tests.feeds.test_websub import Hub


@pytest.fixture(scope="module")
def hub():
    hub = Hub()
    yield hub
    hub.close()


@pytest.fixture
def app_config(hub):
    hub.pings.clear()
    return {"WEBSUB_HUB": hub.url, "FEED_RECHECK_SECONDS": 0}


@pytest.fixture(autouse=True)
def _hub_runs_jobs_of(app, hub):
    """Pings are jobs: the hub runs the queued ones before it answers what it received."""
    hub.app = app
    yield
    hub.app = None


def feed(show) -> str:
    return f"http://publisher.test/shows/{show.slug}/feed.xml"


def test_editing_a_draft_show_pings_nothing(app, factory, hub):
    show = factory.show(status="draft")
    episode = factory.episode(show=show)  # a published episode of a draft show
    with app.app_context():
        db.session.get(Show, show.id).title = "Secret new show"
        db.session.get(Episode, episode.id).title = "Secret episode"
        db.session.commit()
    assert hub.urls_pinged() == []


def test_a_show_going_public_then_private_pings_each_time_once(app, factory, hub):
    show = factory.show(status="draft")
    with app.app_context():
        db.session.get(Show, show.id).status = "published"
        db.session.commit()
    assert hub.urls_pinged() == [feed(show)]
    hub.pings.clear()
    with app.app_context():
        db.session.get(Show, show.id).status = "draft"  # subscribers learn it is gone
        db.session.commit()
    assert hub.urls_pinged() == [feed(show)]
    hub.pings.clear()
    with app.app_context():
        db.session.get(Show, show.id).title = "Edited while private"
        db.session.commit()
    assert hub.urls_pinged() == []


def test_deleting_a_draft_show_pings_nothing(app, factory, hub):
    show = factory.show(status="draft")
    with app.app_context():
        db.session.delete(db.session.get(Show, show.id))
        db.session.commit()
    assert hub.urls_pinged() == []
