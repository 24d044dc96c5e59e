"""WebSub: feeds name the hub, and publishing pings it (a real HTTP server on 127.0.0.1)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from publisher.extensions import db
from publisher.models import Episode, Show
from tests.support.feeds import NS, get_feed


class Hub:
    """A loopback hub that records publish notifications."""

    def __init__(self) -> None:
        self.pings: list[dict[str, list[str]]] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                hub.pings.append(parse_qs(self.rfile.read(length).decode()))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hub"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @staticmethod
    def pings_sent(timeout: float = 5.0) -> None:
        """Wait for the app's ping threads to finish. The commit starts them before it
        returns, and a ping is recorded before the hub answers it, so once they are done
        every ping has arrived and no other is on its way."""
        for thread in threading.enumerate():
            if thread.name == "websub-ping":
                thread.join(timeout)
                assert not thread.is_alive(), "a WebSub ping is still being sent"

    def urls_pinged(self) -> list[str]:
        self.pings_sent()
        assert all(p["hub.mode"] == ["publish"] for p in self.pings)
        return sorted(p["hub.url"][0] for p in self.pings)

    def settle(self) -> None:
        """Wait for the pings already on their way, then forget them."""
        self.pings_sent()
        self.pings.clear()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def hub():
    hub = Hub()
    yield hub
    hub.close()


@pytest.fixture
def app_config(hub):
    hub.settle()  # nothing left over from the previous test
    return {"WEBSUB_HUB": hub.url, "FEED_RECHECK_SECONDS": 0}


def test_feeds_name_the_hub(client, factory, hub):
    show = factory.show()
    factory.episode(show=show)
    links = get_feed(client, show).root.findall("channel/atom:link[@rel='hub']", NS)
    assert [link.get("href") for link in links] == [hub.url]
    assert f'<link rel="hub" href="{hub.url}"/>'.encode() in client.get("/feed.xml").data


def test_publishing_an_episode_pings_the_hub(app, factory, hub):
    show = factory.show()  # a new feed has no subscribers: no ping
    factory.episode(show=show)
    assert hub.urls_pinged() == [f"http://publisher.test/shows/{show.slug}/feed.xml"]


def test_a_draft_pings_nothing_until_it_is_published(app, factory, hub):
    show = factory.show()
    draft = factory.episode(show=show, public=False)
    with app.app_context():
        db.session.get(Episode, draft.id).title = "Still a draft"
        db.session.commit()
    assert hub.urls_pinged() == []
    with app.app_context():
        db.session.get(Episode, draft.id).status = "published"
        db.session.commit()
    assert hub.urls_pinged() == [f"http://publisher.test/shows/{show.slug}/feed.xml"]


def test_editing_a_show_pings_its_feed(app, factory, hub):
    show = factory.show()
    with app.app_context():
        db.session.get(Show, show.id).title = "New name"
        db.session.commit()
    assert hub.urls_pinged() == [f"http://publisher.test/shows/{show.slug}/feed.xml"]


def test_publishing_an_article_pings_the_articles_feed(factory, hub):
    factory.article()
    assert hub.urls_pinged() == ["http://publisher.test/feed.xml"]


def test_the_cron_command_pings_feeds_changed_since_their_last_rendering(
    app, client, runner, factory, hub
):
    show = factory.show()
    factory.episode(show=show)
    hub.settle()
    result = runner.invoke(args=["feeds", "websub-ping"])
    assert result.exit_code == 0, result.output
    assert "Pinged 1 feed(s)." in result.output  # never rendered yet
    assert hub.urls_pinged() == [f"http://publisher.test/shows/{show.slug}/feed.xml"]
    client.get(f"/shows/{show.slug}/feed.xml")  # the hub (or anyone) fetched it
    hub.pings.clear()
    result = runner.invoke(args=["feeds", "websub-ping"])
    assert "Pinged 0 feed(s)." in result.output


def test_the_cron_command_needs_a_hub(app, runner):
    app.config["WEBSUB_HUB"] = None
    result = runner.invoke(args=["feeds", "websub-ping"])
    assert result.exit_code != 0
    assert "WEBSUB_HUB is not set" in result.output
