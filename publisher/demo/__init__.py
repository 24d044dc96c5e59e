"""``flask --app wsgi demo load``: fill an empty site with a demo show, episodes made from
real audio files (through the same ingest path as uploads) and articles linked to them."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from publisher.extensions import db
from publisher.media.storage import get_storage
from publisher.models import Article, Show, utcnow
from publisher.operations import articles, audio, episodes, shows

logger = logging.getLogger(__name__)
MEDIA = Path(__file__).parent / "media"

demo_cli = AppGroup("demo", help="Demo content for a first look.")

SHOW: dict[str, Any] = {
    "slug": "harbour-report",
    "title": "The Harbour Report",
    "description": (
        "<p>The weekly show from the Port Alder newsroom: the quay, the ferries, the market "
        "and the weather, in a few minutes.</p>"
    ),
    "language": "en",
    "author": "Port Alder Newsroom",
    "owner_name": "Port Alder Newsroom",
    "owner_email": "podcast@port-alder.example",
    "category": "News",
    "subcategory": "Daily News",
    "copyright": "© 2026 Port Alder Newsroom",
    "hosts": [{"name": "Maren Holt", "role": "host"}],
}

# (file, fields, days ago it was published; negative = scheduled in the future)
EPISODES = [
    ("market-day.mp3", {"title": "Market day on Quay Street", "number": 1,
     "description": "<p>Twelve new stalls join the Saturday market this season.</p>"}, 15),
    ("night-ferry.m4a", {"title": "The night ferry returns", "number": 2,
     "description": "<p>We rode the first crossing to Gull Island with the new crew.</p>"}, 8),
    ("spring-tides.mp3", {"title": "Spring tides on the quay", "number": 3,
     "description": "<p>Why the north-wall pontoons are being raised, and the week's "
     "weather.</p>"}, 1),
    ("market-day.mp3", {"title": "Coming up: the harbour festival", "number": 4,
     "description": "<p>A preview of the summer festival.</p>"}, -7),
]  # fmt: skip

ARTICLES: list[dict[str, Any]] = [
    {
        "slug": "north-wall-pontoons-to-be-raised",
        "title": "North-wall pontoons to be raised as spring tides climb",
        "summary": "Work starts on Tuesday; the fishing fleet moves to the south wall.",
        "tags": ["Harbour", "Weather"],
        "episodes": ["Spring tides on the quay"],
        "days_ago": 1,
        "body": """\
The pontoons along Port Alder's north wall will be lifted by forty centimetres, the harbour
office said on Thursday, after a spring in which the highest tides twice washed over the
boards.

> "The tide tables on my wall are nineteen years old. The water has not read them."
> — Ines Calloway, harbour master

The work will be done one section at a time so that boats can keep using the quay. Skippers
have been asked to moor at the south wall until the end of the month.

## What changes for the fleet

- Mooring moves to the south wall from Tuesday.
- The fuel berth stays open throughout.
- The slipway closes for two days in the second week.

Listen to the full report, with the week's weather, in the episode below.
""",
    },
    {
        "slug": "night-ferry-back-to-gull-island",
        "title": "The night ferry is back on the Gull Island run",
        "summary": "After two winters with a single water taxi, islanders get their crossing back.",
        "tags": ["Transport", "Community"],
        "episodes": ["The night ferry returns"],
        "days_ago": 8,
        "body": """\
For two winters, the forty households on Gull Island relied on one water taxi after dark.
From Monday, the night ferry runs again, with a new crew and a refitted boat.

> "People stopped coming over for the evening. Now they can again."

The crossing takes twenty minutes. Tickets are sold on board.
""",
    },
    {
        "slug": "twelve-new-stalls-for-market-day",
        "title": "Twelve new stalls for market day on Quay Street",
        "summary": "Smoked fish, pottery and a bakery join the Saturday market.",
        "tags": ["Business", "Community"],
        "episodes": ["Market day on Quay Street", "The night ferry returns"],
        "days_ago": 15,
        "body": """\
The Saturday market on Quay Street grows by twelve stalls this season, the largest intake
since it reopened.

> "We came for one summer. That was six years ago."

Traders told us what brought them to Port Alder, and what keeps them here.
""",
    },
    {
        "slug": "harbour-festival-programme",
        "title": "Harbour festival programme (draft)",
        "summary": "Not published yet: demo drafts stay invisible to readers.",
        "tags": ["Community"],
        "episodes": [],
        "days_ago": None,
        "body": "The programme is still being written.",
    },
]


def site_is_empty() -> bool:
    counts = [db.session.scalar(select(func.count()).select_from(m)) for m in (Show, Article)]
    return not any(counts)


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing (successfully) if content exists.")
def load_demo(if_empty: bool) -> None:
    """Load a demo show with real audio episodes and articles linked to them."""
    if not site_is_empty():
        if if_empty:
            click.echo("The site already has content; demo not loaded.")
            return
        raise click.ClickException("The site already has content; demo load needs an empty site.")
    try:
        show, episodes = _load_show()
        _load_articles(episodes)
        db.session.commit()
        # What the job queue does after each upload: measure, so players draw waveforms.
        for episode in episodes.values():
            audio.analyze_episode(episode.id)
            db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    public_url = current_app.config["PUBLIC_URL"]
    click.echo(f"Loaded the demo show {show.title!r} with {len(episodes)} episodes and "
               f"{len(ARTICLES)} articles. Open {public_url}/")  # fmt: skip


def _load_show():
    show_fields = dict(SHOW)
    hosts = show_fields.pop("hosts")
    show = shows.create_show(show_fields)
    # Hosts and artwork have no operation yet (the feed-completeness work adds them).
    show.hosts = hosts
    key = f"shows/{show.id}/artwork.jpg"
    get_storage().save_file(key, MEDIA / "artwork.jpg", content_type="image/jpeg")
    show.artwork_key, show.artwork_mime = key, "image/jpeg"

    now = utcnow()
    created = {}
    for filename, fields, days_ago in EPISODES:
        status = "published" if days_ago >= 0 else "scheduled"
        with open(MEDIA / filename, "rb") as stream:
            episode = episodes.create_episode(
                show,
                stream,
                filename,
                {**fields, "season": 1, "status": status,
                 "publish_at": now - timedelta(days=days_ago, hours=2)},
                now,
            )  # fmt: skip
        created[episode.title] = episode
    return show, created


def _load_articles(created_episodes) -> None:
    now = utcnow()
    loaded = []
    for spec in ARTICLES:
        published = spec["days_ago"] is not None
        fields = {
            "slug": spec["slug"],
            "title": spec["title"],
            "summary": spec["summary"],
            "body": spec["body"],
            "author_name": "Maren Holt",
            "tags": spec["tags"],
            "episodes": [created_episodes[title].id for title in spec["episodes"]],
            "status": "published" if published else "draft",
        }
        if published:
            fields["publish_at"] = now - timedelta(days=spec["days_ago"], hours=3)
        loaded.append(articles.create_article(fields, None, now))
    # An explicit "read also": the pontoons story points at the market story.
    articles.relate(loaded[0], loaded[2])
