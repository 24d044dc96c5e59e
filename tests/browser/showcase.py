"""Realistic demo content for the browser tests and the README screenshots: a small
city newsroom with a podcast. All names and events are invented."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from publisher.extensions import db
from publisher.models import ArticleRelated, Episode, utcnow

SITE_CONFIG = {
    "SITE_NAME": "The Harbour Post",
    "SITE_DESCRIPTION": "News and podcasts from the bay",
}

FERRY_BODY = """\
The city council approved the new cross-bay ferry line late on Tuesday, after a debate
that ran past midnight and a vote of eleven to nine.

The line will link the old fish market with the university pier, a trip that takes
almost an hour by road at rush hour and will take twenty minutes on the water.

> We are not buying boats. We are buying back the hour people lose every morning.

Councillor Marta Lindqvist, who drafted the proposal, said the first two vessels would
be electric and charged from the port's own solar roof. Opponents questioned the cost of
the new piers and asked for an independent study of the expected number of passengers.

## What happens next

Tenders for the vessels open next month. The harbour authority expects the first
crossings in the spring of next year, with a timetable of one boat every fifteen
minutes at peak hours.

> If the numbers are wrong, we will know within a season, and we will say so.

Residents of the northern shore, where the nearest bridge is six kilometres away, have
campaigned for a ferry since the old service stopped in the nineties.
"""

LIBRARY_BODY = """\
After three years of works, the central library reopens on Saturday with a rooftop
reading room, a sound studio anyone can book, and twice as many seats.

> A library is the last warm room in town where nobody asks you to buy anything.

The sound studio is where the Harbour Hour podcast has been recorded since January.
"""

TIDES_BODY = """\
Engineers installed the first underwater turbine at the mouth of the bay this week. The
pilot will run for a year and could power four hundred homes when the tide is strong.
"""

SHOW_DESCRIPTION = (
    "<p>Every week the Harbour Post newsroom talks through the story behind the "
    "headlines: who decided, who pays, and what changes for the people of the bay.</p>"
)


@dataclass
class Showcase:
    article_slug: str
    show_slug: str
    episode_slug: str
    episode_guid: str
    draft_word: str


def build_showcase(app, factory, real_audio: Path) -> Showcase:
    """Create the demo newsroom; the ferry episode is real audio with ID3 chapters."""
    now = utcnow().replace(second=0, microsecond=0)
    show = factory.show(
        slug="harbour-hour",
        title="Harbour Hour",
        description=SHOW_DESCRIPTION,
        author="The Harbour Post",
    )
    ferry_episode = factory.ingested_episode(
        real_audio,
        show=show,
        slug="the-ferry-vote",
        title="The ferry vote, explained",
        description=(
            "<p>Marta Lindqvist on eleven votes to nine, electric boats and the north "
            "shore's long wait. Plus: what the tender process means for the budget.</p>"
        ),
        status="published",
        publish_at=now - timedelta(hours=2),
        number=42,
    )
    library_episode = factory.episode(
        show=show,
        slug="inside-the-new-library",
        title="Inside the new library",
        description="<p>A walk through the rooftop reading room and the sound studio.</p>",
        publish_at=now - timedelta(days=3),
        duration_seconds=1730,
        size_bytes=27_700_000,
        number=41,
    )
    factory.episode(
        show=show,
        slug="turbines-under-the-bay",
        title="Turbines under the bay",
        description="<p>How a tidal turbine works, and why this bay is a good test.</p>",
        publish_at=now - timedelta(days=10),
        duration_seconds=1495,
        size_bytes=23_900_000,
        number=40,
    )
    factory.episode(
        show=show,
        slug="unfinished-cut",
        title="Unfinished cut",
        public=False,
    )
    ferry = factory.article(
        slug="council-approves-cross-bay-ferry",
        title="Council approves cross-bay ferry after a night of debate",
        summary=(
            "Eleven votes to nine: two electric boats will link the fish market and the "
            "university pier from next spring."
        ),
        author_name="Ines Okafor",
        body_markdown=FERRY_BODY,
        tags=["Transport", "City council", "North shore"],
        episodes=[ferry_episode, library_episode],
        publish_at=now - timedelta(hours=1, minutes=13),
    )
    library = factory.article(
        slug="central-library-reopens",
        title="Central library reopens with a rooftop reading room",
        summary="Three years of works, twice as many seats and a sound studio for everyone.",
        author_name="Tomás Reyes",
        body_markdown=LIBRARY_BODY,
        tags=["Culture", "City council"],
        episodes=[library_episode],
        publish_at=now - timedelta(days=3),
    )
    factory.article(
        slug="first-tidal-turbine-installed",
        title="First tidal turbine installed at the mouth of the bay",
        summary="A one-year pilot that could power four hundred homes.",
        author_name="Ines Okafor",
        body_markdown=TIDES_BODY,
        tags=["Energy", "Transport"],
        publish_at=now - timedelta(days=9),
    )
    factory.article(
        slug="night-buses-return",
        title="Night buses return to the northern shore",
        summary="Three routes, every thirty minutes, from Friday.",
        author_name="Tomás Reyes",
        body_markdown="The night network comes back after a two-year pause.",
        tags=["Transport", "North shore"],
        publish_at=now - timedelta(days=1, hours=4),
    )
    factory.article(
        slug="market-hall-vote-delayed",
        title="Market hall vote delayed to January",
        summary="Councillors asked for a second survey of the roof.",
        author_name="Ines Okafor",
        body_markdown="The decision on the market hall's future moves to the new year.",
        tags=["City council"],
        publish_at=now - timedelta(days=5),
    )
    factory.article(
        slug="budget-embargoed",
        title="Embargoed budget figures",
        body_markdown="The quarterly zanzibarite numbers are not out yet.",
        public=False,
    )
    with app.app_context():
        db.session.add(ArticleRelated(article_id=ferry.id, related_id=library.id))
        db.session.commit()
        episode = db.session.get(Episode, ferry_episode.id)
        guid = episode.guid
    return Showcase(
        article_slug=ferry.slug,
        show_slug=show.slug,
        episode_slug=ferry_episode.slug,
        episode_guid=guid,
        draft_word="zanzibarite",
    )


FERRY_CHAPTERS = [(0, "Cold open"), (20, "The vote"), (60, "Electric boats"), (80, "What next")]
