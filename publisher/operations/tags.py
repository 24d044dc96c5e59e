"""Tags: found by slug, created on the fly."""

from __future__ import annotations

from sqlalchemy import select

from publisher.content import slugify
from publisher.extensions import db
from publisher.models import Tag


def tags_named(names: list[str]) -> list[Tag]:
    """The tags with these names (by slug), created when new; duplicates collapse."""
    by_slug: dict[str, str] = {}
    for name in names:
        by_slug.setdefault(slugify(name, max_length=100), name)
    existing = {
        tag.slug: tag for tag in db.session.scalars(select(Tag).where(Tag.slug.in_(by_slug)))
    }
    tags = []
    for slug, name in by_slug.items():
        tag = existing.get(slug)
        if tag is None:
            tag = Tag(slug=slug, name=name)
            db.session.add(tag)
        tags.append(tag)
    return tags
