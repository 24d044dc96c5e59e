"""Pages cost a fixed number of SQL queries, however much content they show."""

from publisher.extensions import db
from publisher.models import ArticleRelated


def fill_article(app, factory, slug: str, tags: int, episodes: int) -> None:
    show = factory.show()
    linked = [
        factory.episode(show=show, chapters={"chapters": [{"startTime": 0, "title": "A"}]})
        for _ in range(episodes)
    ]
    names = [f"{slug} tag {n}" for n in range(tags)]
    article = factory.article(slug=slug, tags=names, episodes=linked)
    for n in range(3):
        factory.article(slug=f"{slug}-sibling-{n}", tags=names[:1])
    other = factory.article(slug=f"{slug}-explicit")
    with app.app_context():
        db.session.add(ArticleRelated(article_id=article.id, related_id=other.id))
        db.session.commit()


def test_article_page_query_count_does_not_grow_with_tags_and_episodes(
    app, client, factory, count_queries
):
    fill_article(app, factory, "small", tags=1, episodes=1)
    fill_article(app, factory, "large", tags=20, episodes=10)

    with count_queries() as small:
        small_html = client.get("/articles/small").get_data(as_text=True)
    with count_queries() as large:
        large_html = client.get("/articles/large").get_data(as_text=True)

    assert small_html.count("data-player ") == 1 and large_html.count("data-player ") == 10
    assert large_html.count('class="tag"') == 20
    assert small.count == large.count, large.statements
    assert large.count == 4  # article, its tags, linked episodes with shows, read also


def test_show_and_home_pages_have_bounded_queries(client, factory, count_queries):
    show = factory.show(slug="bounded")
    factory.episode(show=show)
    factory.article(tags=["a"])
    with count_queries() as few:
        client.get("/shows/bounded")
        client.get("/")
    for _ in range(15):
        factory.episode(show=show)
        factory.article(tags=["a", "b"])
    with count_queries() as many:
        client.get("/shows/bounded")
        client.get("/")
    assert few.count == many.count
