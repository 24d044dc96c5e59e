"""`demo load` fills an empty site with real audio, through the same ingest as uploads."""

from sqlalchemy import func, select

from publisher.extensions import db
from publisher.media.storage import get_storage
from publisher.models import Article, Episode, Show

# Durations of the committed demo files as ffprobe reports them (publisher/demo/media).
TRUE_DURATIONS = {
    "Market day on Quay Street": 14.39,
    "The night ferry returns": 13.79,
    "Spring tides on the quay": 69.28,
}


def test_demo_load_creates_a_show_with_real_episodes_and_linked_articles(app, runner, client):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        show = db.session.scalar(select(Show))
        assert show.artwork_key and get_storage().exists(show.artwork_key)
        episodes = {e.title: e for e in db.session.scalars(select(Episode))}
        for title, seconds in TRUE_DURATIONS.items():
            assert abs(episodes[title].duration_seconds - seconds) < 0.1
            assert get_storage().size(episodes[title].storage_key) == episodes[title].size_bytes
        assert episodes["Spring tides on the quay"].chapters["chapters"][1]["title"] == (
            "The spring tides"
        )
        public = db.session.scalars(select(Article).where(Article.public_filter())).all()
        assert len(public) == 3
        assert all(article.episodes for article in public)
    page = client.get("/").get_data(as_text=True)
    assert "North-wall pontoons to be raised" in page
    assert "Harbour festival programme" not in page  # the demo draft stays hidden


def test_demo_load_if_empty_does_nothing_on_a_site_with_content(app, runner, factory):
    factory.show()
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0
    assert "already has content" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Episode)) == 0


def test_demo_load_refuses_a_site_with_content(runner, factory):
    factory.article()
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 1
    assert "needs an empty site" in result.output
