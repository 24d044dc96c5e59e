"""Show and episode artwork: upload or replace (multipart, file field `image`), remove."""

from __future__ import annotations

from werkzeug.datastructures import FileStorage

from publisher.api.blueprint import bp
from publisher.api.representations import artwork_out
from publisher.api.schemas import ArtworkOut, Input
from publisher.api.spec import FileField, api_route, current_user_or_none
from publisher.exceptions import NotFound
from publisher.extensions import db
from publisher.models import utcnow
from publisher.operations.episodes import get_episode
from publisher.operations.files import remove_artwork, set_artwork
from publisher.operations.shows import get_show

IMAGE = FileField(
    "image", "JPEG or PNG, square, 1400 to 3000 pixels a side, RGB (Apple Podcasts' rules)."
)


class ArtworkForm(Input):
    """No text fields: the image is the whole request."""


def _answer(owner, show=None) -> ArtworkOut:
    answer = artwork_out(owner, show)
    assert answer is not None
    return answer


@api_route(bp, "/shows/<slug>/artwork", "PUT", auth="editor", tag="artwork", form=ArtworkForm,
           files=[IMAGE], response=ArtworkOut, errors=[503])  # fmt: skip
def put_show_artwork(slug: str, form: ArtworkForm, files: dict[str, FileStorage]) -> ArtworkOut:
    """Upload or replace the show's artwork; resized copies are made (422 names what
    Apple would refuse: format, shape, size or colour mode)."""
    show = get_show(slug, current_user_or_none())
    set_artwork(show, files["image"].stream)
    db.session.commit()
    return _answer(show)


@api_route(bp, "/shows/<slug>/artwork", "DELETE", auth="editor", tag="artwork", status=204,
           errors=[503])  # fmt: skip
def delete_show_artwork(slug: str) -> None:
    """Remove the show's artwork (the feed then lacks itunes:image: Apple refuses it)."""
    show = get_show(slug, current_user_or_none())
    if not show.artwork_key:
        raise NotFound("This show has no artwork.")
    remove_artwork(show)
    db.session.commit()


@api_route(bp, "/episodes/<int:episode_id>/artwork", "PUT", auth="editor", tag="artwork",
           form=ArtworkForm, files=[IMAGE], response=ArtworkOut, errors=[503])  # fmt: skip
def put_episode_artwork(
    episode_id: int, form: ArtworkForm, files: dict[str, FileStorage]
) -> ArtworkOut:
    """Upload or replace the episode's own artwork (same rules as the show's)."""
    episode = get_episode(episode_id, current_user_or_none(), utcnow())
    set_artwork(episode, files["image"].stream)
    db.session.commit()
    return _answer(episode)


@api_route(bp, "/episodes/<int:episode_id>/artwork", "DELETE", auth="editor", tag="artwork",
           status=204, errors=[503])  # fmt: skip
def delete_episode_artwork(episode_id: int) -> None:
    """Remove the episode's artwork (apps then show the show's)."""
    episode = get_episode(episode_id, current_user_or_none(), utcnow())
    if not episode.artwork_key:
        raise NotFound("This episode has no artwork.")
    remove_artwork(episode)
    db.session.commit()
