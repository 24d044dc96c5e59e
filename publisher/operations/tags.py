"""Tags: found by slug, created on the fly."""

from __future__ import annotations

from sqlalchemy import select

from publisher.content import slugify
from publisher.extensions import db
from publisher.models import Tag
from publisher.models.races import insert_missing


def tags_named(names: list[str]) -> list[Tag]:
    """The tags with these names (by slug), created when new; duplicates collapse. A tag
    another request creates at the same moment is reused, not inserted twice
    (``INSERT … ON CONFLICT DO NOTHING``, then read back)."""
    by_slug: dict[str, str] = {}
    for name in names:
        by_slug.setdefault(slugify(name, max_length=100), name)
    insert_missing(Tag, [{"slug": slug, "name": name} for slug, name in by_slug.items()], "slug")
    found = {tag.slug: tag for tag in db.session.scalars(select(Tag).where(Tag.slug.in_(by_slug)))}
    return [found[slug] for slug in by_slug]
