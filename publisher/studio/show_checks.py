"""A show's feed check in the studio: the findings of the feed checklist
(podcasting/feedcheck.py, reached like the API's /checks through the app's
``publisher.feed_checks``) as a checklist of what Apple Podcasts and the Podcasting 2.0
namespace want, each item ticked or saying what to fix, with a link to the studio field
that fixes it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app, render_template, url_for
from sqlalchemy import select

from publisher.extensions import db
from publisher.models import Episode, Show
from publisher.studio.access import show_for_editing, studio_access
from publisher.studio.blueprint import bp


@dataclass(frozen=True)
class Item:
    """One line of the checklist: what it checks, the finding codes that fail it, and
    where in the studio it is fixed (a field of the show form, or another page)."""

    label: str
    codes: tuple[str, ...]
    field: str | None = None  # an id in the show form
    fix: str = ""  # the studio's own words, when the checker's name the API
    page: str | None = None  # an endpoint other than the show form


SHOW_ITEMS = (
    Item("The show is published", ("show_draft",), "status"),
    Item("Title", ("title_missing",), "title"),
    Item(
        "Description within Apple's 4,000 bytes",
        ("description_missing", "description_too_long"),
        "description",
    ),
    Item("Language", ("language_missing",), "language"),
    Item("Explicit flag", ("explicit_invalid",), "explicit"),
    Item(
        "Apple Podcasts category",
        ("category_missing", "category_invalid", "subcategory_invalid", "too_many_categories"),
        "categories-0-category",
        "Choose up to three categories in Settings → Directories.",
    ),
    Item(
        "Artwork: square JPEG or PNG, 1400-3000 px, RGB",
        (
            "artwork_missing",
            "artwork_extension",
            "artwork_unreachable",
            "artwork_unreadable",
            "artwork_format",
            "artwork_size",
            "artwork_colour",
        ),
        "image",
        "Upload the artwork in Settings → Artwork: a square JPEG or PNG of 1400 to 3000 "
        "pixels in RGB colours.",
    ),
    Item("Author", ("author_missing",), "author", "Set the author in Settings → People."),
    Item(
        "Owner e-mail",
        ("owner_email_missing",),
        "owner_email",
        "Set the owner's name and e-mail in Settings → People (an admin can change the "
        "e-mail of an existing show).",
    ),
    Item("Website link", ("link_missing",), "link", "Set the website in Settings → Basics."),
    Item("Podcast GUID", ("podcast_guid_missing",)),
    Item("Locked flag (podcast:locked)", ("locked_missing",), "locked"),
    Item(
        "Licence is SPDX or has a URL",
        ("license_url_missing",),
        "license_url",
        "Use an SPDX id (e.g. cc-by-4.0) as the licence, or give its URL, in Settings → "
        "Directories.",
    ),
    Item(
        "At least one episode",
        ("no_episodes",),
        None,
        "Upload an episode and publish it.",
        "studio.new_episode",
    ),
    Item("The feed is valid RSS", ("not_xml", "not_rss")),
)
EPISODE_FIXES = {
    "transcript_missing": "Add a transcript (SRT or WebVTT) to the episode.",
}


@dataclass
class Line:
    item: Item
    findings: list[Any] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.findings

    @property
    def level(self) -> str:
        return "error" if any(f.level == "error" for f in self.findings) else "warning"


@dataclass
class Checklist:
    show_lines: list[Line]
    episodes: list[tuple[Episode | None, str, list[Any]]]  # (row, title, findings)
    errors: int
    warnings: int

    @property
    def has_episodes(self) -> bool:
        return not any(f.code == "no_episodes" for line in self.show_lines for f in line.findings)

    @property
    def to_fix(self) -> int:
        return self.errors + self.warnings


def findings_for(show: Show) -> list[Any]:
    return list(current_app.extensions["publisher.feed_checks"](show))


def checklist(show: Show) -> Checklist:
    findings = findings_for(show)
    lines = [Line(item) for item in SHOW_ITEMS]
    by_code = {code: line for line in lines for code in line.item.codes}
    episodes: dict[str | None, list[Any]] = {}
    for finding in findings:
        if finding.scope == "episode":
            episodes.setdefault(finding.episode, []).append(finding)
            continue
        line = by_code.get(finding.code)
        if line is None:  # a check this list does not know yet: shown on its own
            line = Line(Item(finding.message, (finding.code,)))
            lines.append(line)
            by_code[finding.code] = line
        line.findings.append(finding)
    rows = {
        episode.guid: episode
        for episode in db.session.scalars(
            select(Episode).where(Episode.show_id == show.id, Episode.guid.in_(
                [guid for guid in episodes if guid]))
        )
    }  # fmt: skip
    errors = sum(1 for f in findings if f.level == "error")
    return Checklist(
        show_lines=lines,
        episodes=[
            (rows.get(guid or ""), items[0].episode_title or "(untitled)", items)
            for guid, items in episodes.items()
        ],
        errors=errors,
        warnings=len(findings) - errors,
    )


def summary(show: Show) -> dict[str, int]:
    """How many things the feed check asks to fix (the show's page shows it)."""
    findings = findings_for(show)
    errors = sum(1 for f in findings if f.level == "error")
    return {"errors": errors, "warnings": len(findings) - errors}


def fix_link(show: Show, item: Item) -> str | None:
    if item.page:
        return url_for(item.page, slug=show.slug)
    if item.field:
        return url_for("studio.edit_show", slug=show.slug) + f"#{item.field}"
    return None


@bp.get("/shows/<slug>/checks")
@studio_access("member")
def show_checks(slug: str):
    """The feed check: what Apple Podcasts and Podcasting 2.0 want, ticked or to fix."""
    show = show_for_editing(slug)
    return render_template(
        "studio/show_checks.html",
        show=show,
        checks=checklist(show),
        fix_link=fix_link,
        episode_fixes=EPISODE_FIXES,
    )
