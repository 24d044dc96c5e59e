"""Public page views: thin, they parse the request, ask queries.py or search.py for
public content, and render."""

from __future__ import annotations

from flask import render_template, request

from publisher.exceptions import PublisherError
from publisher.models import utcnow
from publisher.site import queries
from publisher.site.blueprint import bp
from publisher.site.caching import cached_page
from publisher.site.search import search as run_search


class BadPageNumber(PublisherError):
    status_code = 400
    code = "bad_page"


def page_arg() -> int:
    """The ?page= argument: a whole number from 1 (absent means 1)."""
    raw = request.args.get("page", "1")
    if not raw.isdigit() or int(raw) < 1 or len(raw) > 6:
        raise BadPageNumber(f"The page number must be a whole number from 1, not {raw[:20]!r}.")
    return int(raw)


@bp.get("/")
@cached_page
def home():
    """Home page: the latest public articles and episodes."""
    now = utcnow()
    return render_template(
        "site/home.html",
        articles=queries.latest_articles(now),
        episodes=queries.latest_episodes(now, limit=6),
    )


@bp.get("/articles/<slug>")
@cached_page
def article(slug: str):
    """An article with its linked episodes in players and "read also" links."""
    page = queries.article_page(slug, utcnow())
    return render_template(
        "site/article.html",
        article=page.article,
        episodes=page.episodes,
        read_also=page.read_also,
    )


@bp.get("/tags/<slug>")
@cached_page
def tag(slug: str):
    """Public articles (and episodes) carrying a tag."""
    tag, articles, episodes = queries.tag_page(slug, page_arg(), utcnow())
    return render_template("site/tag.html", tag=tag, articles=articles, episodes=episodes)


@bp.get("/shows/")
@cached_page
def shows():
    """Every published show."""
    return render_template("site/shows.html", shows=queries.public_shows(utcnow()))


@bp.get("/shows/<show_slug>")
@cached_page
def show(show_slug: str):
    """A show: artwork, description, how to subscribe, and its episodes page by page."""
    show = queries.public_show(show_slug)
    episodes = queries.show_episodes(show, page_arg(), utcnow())
    return render_template("site/show.html", show=show, episodes=episodes)


@bp.get("/shows/<show_slug>/<episode_slug>")
@cached_page
def episode(show_slug: str, episode_slug: str):
    """An episode: player, chapters, show notes and the articles that link to it."""
    page = queries.episode_page(show_slug, episode_slug, utcnow())
    return render_template("site/episode.html", episode=page.episode, articles=page.articles)


@bp.get("/search")
@cached_page
def search():
    """Full-text search over public articles and episodes."""
    query = request.args.get("q", "").strip()
    results = run_search(query, page=page_arg()) if query else None
    return render_template("site/search.html", query=query, results=results)


@bp.get("/embed/<guid>")
@cached_page
def embed(guid: str):
    """A bare player page other sites may put in an iframe."""
    episode = queries.embeddable_episode(guid, utcnow())
    return render_template("site/embed.html", episode=episode)
