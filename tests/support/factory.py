"""Rows made the way the app would make them, committed and handed back detached."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from publisher.extensions import db
from publisher.models import ApiToken, Article, Episode, Show, Tag, User, utcnow
from publisher.models.show import podcast_guid_for
from publisher.urls import show_feed_url


class Factory:
    """Creates committed rows and hands them back detached, with their columns loaded."""

    def __init__(self, app) -> None:
        self.app = app
        self.counter = 0

    def _next(self) -> int:
        self.counter += 1
        return self.counter

    def _save(self, obj):
        db.session.add(obj)
        db.session.commit()
        db.session.refresh(obj)
        db.session.expunge(obj)
        return obj

    def user(self, role: str = "editor", password: str = "correct horse", **fields) -> User:
        with self.app.app_context():
            n = self._next()
            user = User(email=fields.pop("email", f"user{n}@example.com"), role=role, **fields)
            user.set_password(password)
            return self._save(user)

    def token(self, user: User | None = None, name: str = "test", revoked: bool = False) -> str:
        """A plain token for ``user`` (a new editor when omitted)."""
        user = user or self.user()
        with self.app.app_context():
            token, plain = ApiToken.issue(db.session.get(User, user.id), name)
            if revoked:
                token.revoke()
            db.session.commit()
            return plain

    def show(self, **fields) -> Show:
        with self.app.app_context():
            n = self._next()
            slug = fields.pop("slug", f"show-{n}")
            defaults = {
                "title": f"Show {n}",
                "description": "A show about things.",
                "author": "Test Author",
                "owner_name": "Test Owner",
                "owner_email": "owner@example.com",
                "category": "News",
                "podcast_guid": podcast_guid_for(show_feed_url(slug)),
            }
            return self._save(Show(slug=slug, **{**defaults, **fields}))

    def episode(self, show: Show | None = None, public: bool = True, **fields) -> Episode:
        """An episode with media metadata filled in (no stored file: see the media fixtures)."""
        show = show or self.show()
        with self.app.app_context():
            n = self._next()
            tags = fields.pop("tags", [])
            defaults = {
                "slug": f"episode-{n}",
                "title": f"Episode {n}",
                "description": "<p>Notes.</p>",
                "status": "published" if public else "draft",
                "publish_at": utcnow() - timedelta(hours=1),
                "storage_key": f"shows/{show.id}/ep{n}/episode-{n}.mp3",
                "mime_type": "audio/mpeg",
                "size_bytes": 1000,
                "duration_seconds": 61.5,
                "bitrate": 64000,
                "sample_rate": 44100,
                "channels": 1,
                "codec": "mp3",
                "container": "mp3",
            }
            episode = Episode(show_id=show.id, **{**defaults, **fields})
            episode.tags = [self._tag(name) for name in tags]
            return self._save(episode)

    def ingested_episode(self, path: str | Path, show: Show | None = None, **fields) -> Episode:
        """An episode made the real way: ``create_episode`` on a real audio file (stored in
        the app's storage), committed, returned detached. ``fields`` go to ingest."""
        from publisher.operations.episodes import create_episode

        show = show or self.show()
        path = Path(path)
        with self.app.app_context():
            with path.open("rb") as stream:
                episode = create_episode(db.session.get(Show, show.id), stream, path.name, fields)
            return self._save(episode)

    def article(self, public: bool = True, episodes: list[Episode] = (), **fields) -> Article:
        from publisher.content import render_markdown

        with self.app.app_context():
            n = self._next()
            tags = fields.pop("tags", [])
            body = fields.pop("body_markdown", f"Body of article {n}.")
            defaults = {
                "slug": f"article-{n}",
                "title": f"Article {n}",
                "summary": "A summary.",
                "status": "published" if public else "draft",
                "publish_at": utcnow() - timedelta(hours=1),
                "author_name": "Reporter",
            }
            article = Article(
                body_markdown=body, body_html=render_markdown(body), **{**defaults, **fields}
            )
            article.tags = [self._tag(name) for name in tags]
            article.set_episodes([db.session.get(Episode, e.id) for e in episodes])
            return self._save(article)

    def _tag(self, name: str) -> Tag:
        from publisher.content import slugify

        slug = slugify(name)
        tag = db.session.scalar(db.select(Tag).where(Tag.slug == slug))
        return tag or Tag(slug=slug, name=name)
