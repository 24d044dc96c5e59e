"""A podcast show: the channel of a feed."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import ColumnElement

from publisher.extensions import db
from publisher.models.base import UTCDateTime, utcnow
from publisher.models.vocabulary import ShowStatus, ShowType, check_in

if TYPE_CHECKING:
    from publisher.models.episode import Episode

# Podcasting 2.0: podcast:guid is a UUIDv5 of the feed URL without its scheme, in this namespace.
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")


def podcast_guid_for(feed_url: str) -> str:
    """The Podcasting 2.0 guid of a feed: uuid5(namespace, url without scheme and slashes)."""
    bare = feed_url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


class Show(db.Model):
    __tablename__ = "shows"
    __table_args__ = (
        check_in("show_type", ShowType),
        check_in("status", ShowStatus),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=ShowStatus.PUBLISHED.value)
    language: Mapped[str] = mapped_column(String(35), default="en")
    author: Mapped[str] = mapped_column(String(300), default="")
    owner_name: Mapped[str] = mapped_column(String(300), default="")
    owner_email: Mapped[str] = mapped_column(String(254), default="")
    category: Mapped[str] = mapped_column(String(100), default="")
    subcategory: Mapped[str] = mapped_column(String(100), default="")
    explicit: Mapped[bool] = mapped_column(default=False)
    show_type: Mapped[str] = mapped_column(String(16), default=ShowType.EPISODIC.value)
    link: Mapped[str] = mapped_column(String(1000), default="")
    copyright: Mapped[str] = mapped_column(String(500), default="")
    artwork_key: Mapped[str | None] = mapped_column(String(500))
    artwork_mime: Mapped[str | None] = mapped_column(String(50))
    podcast_guid: Mapped[str] = mapped_column(String(36), unique=True)
    locked: Mapped[bool] = mapped_column(default=False)
    funding_url: Mapped[str] = mapped_column(String(1000), default="")
    funding_text: Mapped[str] = mapped_column(String(128), default="")
    complete: Mapped[bool] = mapped_column(default=False)
    new_feed_url: Mapped[str] = mapped_column(String(1000), default="")
    medium: Mapped[str] = mapped_column(String(20), default="podcast")
    license: Mapped[str] = mapped_column(String(128), default="")
    location: Mapped[str] = mapped_column(String(128), default="")
    update_frequency: Mapped[str] = mapped_column(String(128), default="")
    update_frequency_rrule: Mapped[str] = mapped_column(String(200), default="")
    # [{"name", "role", "group", "href", "img"}], Podcasting 2.0 podcast:person for hosts.
    hosts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # [{"text", "purpose"}], podcast:txt.
    txt: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    update_frequency_dtstart: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Apple allows three categories: the first is category/subcategory, the others here,
    # [{"category", "subcategory"}].
    extra_categories: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # More podcast:funding links after funding_url/funding_text: [{"url", "text"}].
    extra_funding: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    license_url: Mapped[str] = mapped_column(String(1000), default="")
    # podcast:location attributes: a geo URI (RFC 5870), an OpenStreetMap id (R113314),
    # rel "subject" or "creator", an ISO 3166-1 alpha-2 country code.
    location_geo: Mapped[str] = mapped_column(String(100), default="")
    location_osm: Mapped[str] = mapped_column(String(40), default="")
    location_rel: Mapped[str] = mapped_column(String(10), default="")
    location_country: Mapped[str] = mapped_column(String(2), default="")
    # itunes:block and podcast:block: keep the show out of directories.
    block: Mapped[bool] = mapped_column(default=False)
    # Set when the artwork was uploaded (validated, with resized copies); NULL otherwise.
    artwork_width: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    episodes: Mapped[list[Episode]] = relationship(
        back_populates="show", cascade="all, delete-orphan", passive_deletes=True
    )

    @classmethod
    def public_filter(cls) -> ColumnElement[bool]:
        """SQL condition selecting published shows (their episodes have their own rule)."""
        return cls.status == ShowStatus.PUBLISHED

    @property
    def is_public(self) -> bool:
        return self.status == ShowStatus.PUBLISHED

    def __repr__(self) -> str:
        return f"<Show {self.slug}>"
