"""The feed of the show `make run` loads (`demo load`): real files, real parsers, Apple's list."""

from sqlalchemy import select

from publisher.extensions import db
from publisher.models import Episode, Show
from tests.feeds.apple_checklist import apple_problems
from tests.support.feeds import get_feed


def test_the_demo_show_feed_reads_back_and_passes_apple_requirements(app, client, runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    with app.app_context():
        show = db.session.scalar(select(Show))
        public = db.session.scalars(
            select(Episode).where(Episode.public_filter()).order_by(Episode.publish_at.desc())
        ).all()
        db.session.expunge_all()

    def fetch(url: str) -> bytes | None:
        with client.get(url.replace("http://publisher.test", "")) as answer:
            return answer.data if answer.status_code == 200 else None

    feed = get_feed(client, show)
    assert apple_problems(feed.response.data, fetch) == []
    episodes = feed.pp["episodes"]
    assert [e["title"] for e in episodes] == [e.title for e in public]  # not the scheduled one
    for parsed, row in zip(episodes, public, strict=True):
        enclosure = parsed["enclosures"][0]
        assert enclosure["url"] == f"http://publisher.test/media/{row.guid}.{row.extension}"
        assert enclosure["file_size"] == row.size_bytes
        assert enclosure["mime_type"] == row.mime_type
        assert parsed["total_time"] == round(row.duration_seconds)
        assert parsed["guid"] == row.guid
        # The enclosure URL serves exactly the stored bytes.
        with client.get(f"/media/{row.guid}.{row.extension}") as audio:
            assert audio.status_code == 200 and len(audio.data) == row.size_bytes
    assert [e.title for e in feed.fp.entries] == [e.title for e in public]
