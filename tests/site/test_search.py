"""Full-text search: ranked, highlighted, paginated, public content only."""

from datetime import timedelta

from markupsafe import Markup
from sqlalchemy import text

from publisher.extensions import db
from publisher.models import Article, Episode, Show, utcnow
from publisher.site.search import parse_terms, render_snippet, search
from tests.support.site import page


def hits(app, query: str, page_number: int = 1):
    with app.test_request_context():
        results = search(query, page=page_number)
        return results, [(hit.kind, hit.item.slug) for hit in results.hits]


def test_finds_an_article_by_a_word_in_its_body_with_a_highlighted_snippet(client, factory):
    factory.article(slug="lighthouse", body_markdown="The old lighthouse keeper retired today.")
    factory.article(slug="other", body_markdown="Nothing to see.")
    html = page(client, "/search?q=lighthouse")
    assert "1 result for “lighthouse”" in html
    assert 'href="/articles/lighthouse"' in html and "/articles/other" not in html
    assert "<mark>lighthouse</mark> keeper retired today" in html


def test_drafts_scheduled_and_unpublished_shows_are_never_found(app, factory):
    factory.article(slug="public", body_markdown="zeppelin over the bay")
    factory.article(slug="draft", body_markdown="zeppelin draft", public=False)
    factory.article(
        slug="scheduled",
        body_markdown="zeppelin soon",
        status="scheduled",
        publish_at=utcnow() + timedelta(hours=2),
    )
    hidden_show = factory.show(slug="hidden", status="draft")
    factory.episode(show=hidden_show, slug="in-hidden-show", title="Zeppelin stories")
    factory.episode(slug="draft-episode", title="Zeppelin draft", public=False)
    factory.episode(slug="public-episode", title="Zeppelin hour")
    results, found = hits(app, "zeppelin")
    assert sorted(found) == [("article", "public"), ("episode", "public-episode")]
    assert results.total == 2


def test_title_matches_rank_above_body_matches(app, factory):
    factory.article(slug="body", title="Weekly notes", body_markdown="A word on tariffs.")
    factory.article(slug="title", title="Tariffs explained", body_markdown="Trade rules.")
    _, found = hits(app, "tariffs")
    assert found == [("article", "title"), ("article", "body")]


def test_every_word_must_match_and_prefixes_match(app, factory):
    factory.article(slug="both", body_markdown="Fishermen protest the new quotas.")
    factory.article(slug="one", body_markdown="Fishermen went to sea.")
    _, found = hits(app, "fisherman quota")
    assert found == []
    _, found = hits(app, "fishermen quota")
    assert found == [("article", "both")]


def test_episodes_are_found_by_title_and_show_notes(app, factory):
    factory.episode(
        slug="notes", title="Episode 7", description="<p>We talk about <b>glaciers</b>.</p>"
    )
    _, found = hits(app, "glaciers")
    assert found == [("episode", "notes")]


def test_operators_and_punctuation_are_plain_words(app, factory):
    factory.article(slug="a", body_markdown="Rates NOT rising, says the bank.")
    for query in ('rates" OR "x', "rates AND", "rates*", "(rates)", "rates:*", "NEAR(rates bank)"):
        results, found = hits(app, query)
        assert ("article", "a") in found or results.total == 0, query
    assert parse_terms('"drop" * OR; --') == ["drop", "or"]


def test_results_are_paginated(client, app, factory):
    for n in range(12):
        factory.article(slug=f"storm-{n}", body_markdown=f"Storm report number {n}.")
    first, found_first = hits(app, "storm")
    _, found_second = hits(app, "storm", 2)
    assert first.total == 12 and first.pages == 2
    assert len(found_first) == 10 and len(found_second) == 2
    assert not set(found_first) & set(found_second)
    html = page(client, "/search?q=storm&page=2")
    assert 'href="/search?page=1&amp;q=storm"' in html
    assert "Page 2 of 2" in html
    assert "There is no page 3" in page(client, "/search?q=storm&page=3", status=400)


def test_bad_input_gets_a_clear_400(client):
    assert "at most 200" in page(client, "/search?q=" + "a" * 201, status=400)
    assert "whole number" in page(client, "/search?q=x&page=zero", status=400)
    assert "whole number" in page(client, "/search?q=x&page=0", status=400)


def test_empty_and_wordless_queries_show_help_not_errors(client):
    assert "Search" in page(client, "/search")
    assert "Type a word or two" in page(client, "/search?q=%21%21%21")
    assert "Nothing matches" in page(client, "/search?q=absentword")


def test_snippets_escape_everything_but_the_marks():
    raw = "a <b>x</b> \x02tag\x03 &lt;script&gt; \x02open"
    assert render_snippet(raw, "html") == Markup("a x <mark>tag</mark> &lt;script&gt; open")
    assert render_snippet("**bold** [\x02link\x03](http://e.com/x) <i>", "markdown") == Markup(
        "bold <mark>link</mark> &lt;i&gt;"
    )


def test_snippet_of_markup_in_a_body_is_shown_as_text(client, factory):
    factory.article(slug="x", body_markdown="Code sample: <script>alert('kraken')</script> done.")
    html = page(client, "/search?q=kraken")
    snippet = html.split('class="search-snippet">', 1)[1].split("</p>", 1)[0]
    assert "<script" not in snippet
    assert "&lt;script&gt;alert(&#39;<mark>kraken</mark>&#39;)" in snippet


def test_index_follows_updates_and_deletes(app, factory):
    article = factory.article(slug="moving", body_markdown="walrus")
    episode = factory.episode(slug="ep", title="Walrus talk")
    with app.app_context():
        db.session.get(Article, article.id).body_markdown = "narwhal"
        db.session.get(Article, article.id).body_html = "<p>narwhal</p>"
        db.session.commit()
    assert hits(app, "walrus")[1] == [("episode", "ep")]
    assert hits(app, "narwhal")[1] == [("article", "moving")]
    with app.app_context():
        db.session.delete(db.session.get(Episode, episode.id))
        db.session.execute(text("DELETE FROM articles"))
        db.session.commit()
    assert hits(app, "walrus")[1] == [] and hits(app, "narwhal")[1] == []


def test_episode_of_a_show_unpublished_later_disappears(app, factory):
    show = factory.show(slug="s")
    factory.episode(show=show, title="Orca count")
    assert hits(app, "orca")[0].total == 1
    with app.app_context():
        db.session.get(Show, show.id).status = "draft"
        db.session.commit()
    assert hits(app, "orca")[0].total == 0
