"""The home page lists public articles and episodes only."""

from datetime import timedelta

from publisher.models import utcnow


def test_home_lists_public_content_and_hides_the_rest(client, factory):
    show = factory.show(title="Morning Show")
    factory.episode(show=show, title="Public episode", duration_seconds=1495)
    factory.episode(show=show, title="Draft episode", public=False)
    factory.article(title="Public article")
    factory.article(title="Draft article", public=False)
    factory.article(
        title="Tomorrow's article", status="scheduled", publish_at=utcnow() + timedelta(days=1)
    )
    page = client.get("/").get_data(as_text=True)
    assert "Public article" in page
    assert "Public episode" in page and "24:55" in page
    assert "Draft" not in page
    assert "Tomorrow" not in page


def test_public_answers_do_not_vary_on_cookies(client, factory):
    """Nothing on a public GET reads the session, so CDNs can share cached answers."""
    show = factory.show()
    factory.episode(show=show)
    for path in ("/", f"/shows/{show.slug}/feed.xml", "/feed.xml", "/sitemap.xml"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Cookie" not in response.headers.get("Vary", ""), path
