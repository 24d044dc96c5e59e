"""Articles, their ordered links to episodes, and explicit "read also" links."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship

from publisher.extensions import db
from publisher.models.base import UTCDateTime, utcnow
from publisher.models.episode import Episode
from publisher.models.publication import PublicationMixin
from publisher.models.tag import Tag, article_tags
from publisher.models.user import User
from publisher.models.vocabulary import Status, check_in


class Article(PublicationMixin, db.Model):
    __tablename__ = "articles"
    __table_args__ = (
        check_in("status", Status),
        Index("ix_articles_status_publish_at", "status", "publish_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(150), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    body_markdown: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")  # sanitized, rendered from Markdown
    status: Mapped[str] = mapped_column(String(16), default=Status.DRAFT.value)
    publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    author_name: Mapped[str] = mapped_column(String(200), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    cover_image_key: Mapped[str | None] = mapped_column(String(500))
    cover_image_mime: Mapped[str | None] = mapped_column(String(50))
    # Bumped by every studio save: a save based on an older version is a conflict.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    author: Mapped[User | None] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary=article_tags, order_by=Tag.name)
    episode_links: Mapped[list[ArticleEpisode]] = relationship(
        back_populates="article",
        cascade="all, delete-orphan",
        order_by="ArticleEpisode.position",
        passive_deletes=True,
    )
    episodes: AssociationProxy[list[Episode]] = association_proxy(
        "episode_links", "episode", creator=lambda episode: ArticleEpisode(episode=episode)
    )
    related_links: Mapped[list[ArticleRelated]] = relationship(
        foreign_keys="ArticleRelated.article_id",
        cascade="all, delete-orphan",
        order_by="ArticleRelated.position",
        passive_deletes=True,
    )

    def set_episodes(self, episodes: list[Episode]) -> None:
        """Link episodes in the given order."""
        self.episode_links = [
            ArticleEpisode(episode=episode, position=index)
            for index, episode in enumerate(episodes)
        ]

    def __repr__(self) -> str:
        return f"<Article {self.id} {self.slug}>"


class ArticleEpisode(db.Model):
    """An article's link to an episode, in the order the article shows them."""

    __tablename__ = "article_episodes"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    episode_id: Mapped[int] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(default=0)

    article: Mapped[Article] = relationship(back_populates="episode_links")
    episode: Mapped[Episode] = relationship(back_populates="article_links")


class ArticleRelated(db.Model):
    """An explicit "read also" link from one article to another."""

    __tablename__ = "article_related"
    __table_args__ = (CheckConstraint("article_id <> related_id", name="not_self"),)

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    related_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(default=0)

    related: Mapped[Article] = relationship(foreign_keys=[related_id])
