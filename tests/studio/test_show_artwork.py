"""Show artwork in the studio, on both stores: create a show with its artwork in one go,
replace it, remove it after confirmation; every refusal is a message on the field and
leaves no stored object behind, even when a later step of the same save fails."""

from __future__ import annotations

import io

import pytest
from lxml import etree
from PIL import Image

from publisher.exceptions import PublisherError
from publisher.extensions import db
from publisher.models import Show
from tests.support.feeds import NS
from tests.support.show_forms import form_fields, image, post_multipart, stored_keys, upload
from tests.support.studio import csrf_token


@pytest.fixture(params=["filesystem", pytest.param("s3", marks=pytest.mark.s3)])
def store(request) -> str:
    return request.param


@pytest.fixture
def app_config(request, store):
    config = {"FEED_RECHECK_SECONDS": 0, "ARTWORK_MAX_MB": 1}
    if store == "s3":
        config.update(request.getfixturevalue("s3_app_config"))
    return config


def _new(client, **fields):
    data = {"csrf_token": csrf_token(client, "/studio/account"), "title": "Art Show",
            "slug": "art", "status": "published", "language": "en", "show_type": "episodic",
            "medium": "podcast", "categories-0-category": "Arts", **fields}  # fmt: skip
    return post_multipart(client, "/studio/shows/new", data)


def _row(app, slug: str) -> Show | None:
    with app.app_context():
        show = db.session.scalar(db.select(Show).where(Show.slug == slug))
        if show is not None:
            db.session.expunge(show)
        return show


def test_a_show_is_created_with_its_artwork_in_one_go(app, producers):
    _editor, client = producers.editor()
    response = _new(client, image=image(1400))
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    show = _row(app, "art")
    assert show.artwork_key and show.artwork_width == 1400
    keys = stored_keys(app)
    assert show.artwork_key in keys and len(keys) >= 2  # the original and its copies
    feed = etree.fromstring(client.get("/shows/art/feed.xml").data)
    href = feed.find(f"channel/{{{NS['itunes']}}}image").get("href")
    assert "/shows/art/artwork.png" in href
    preview = client.get("/studio/shows/art/artwork/preview.jpg")
    assert preview.status_code == 200 and preview.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(preview.data)).size == (300, 300)
    page = client.get("/studio/shows/art/edit").get_data(as_text=True)
    assert "/studio/shows/art/artwork/preview.jpg" in page and "Remove the artwork" in page


@pytest.mark.parametrize(
    ("make", "status", "words"),
    [
        (lambda: image(1400, 1200), 422, "square"),
        (lambda: image(1000), 422, "1400 to 3000"),
        (lambda: image(1400, mode="RGBA"), 422, "transparency"),
        (lambda: image(1400, mode="L"), 422, "greyscale"),
        (lambda: upload(b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 50,
                        "cover.png"), 422, "MP3 audio"),
        (lambda: upload(b"just text", "cover.jpg"), 422, "not a JPEG or PNG"),
        (lambda: upload(_noise_png(), "noise.png"), 413, "larger than 1 MB"),
    ],
    ids=["not-square", "small", "rgba", "grey", "mp3", "text", "too-large"],
)  # fmt: skip
def test_artwork_apple_would_refuse_is_a_message_on_the_field_and_nothing_is_kept(
    app, producers, make, status, words
):
    _editor, client = producers.editor()
    response = _new(client, image=make())
    assert response.status_code == status
    page = response.get_data(as_text=True)
    error = page.split('id="image-error">', 1)[1].split("</p>", 1)[0]
    assert words in error
    assert 'role="alert"' in page
    assert _row(app, "art") is None  # the show is not half-created
    assert stored_keys(app) == set()


def _noise_png() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((1400, 1400), 100).convert("RGB").save(out, format="PNG")
    assert len(out.getvalue()) > 1024 * 1024
    return out.getvalue()


def test_a_later_step_failing_leaves_no_stored_artwork(app, producers, monkeypatch):
    from publisher.operations import memberships

    def refuse(*_args, **_kwargs):
        raise PublisherError("The membership could not be recorded.")

    monkeypatch.setattr(memberships, "add_member", refuse)
    _editor, client = producers.editor()
    response = _new(client, image=image(1400))
    assert response.status_code == 400
    assert "membership could not be recorded" in response.get_data(as_text=True)
    assert _row(app, "art") is None
    assert stored_keys(app) == set()


def test_replacing_and_removing_the_artwork(app, producers, factory):
    show = factory.show(slug="art")
    _editor, client = producers.editor(show)
    page = client.get("/studio/shows/art/edit").get_data(as_text=True)
    assert "no artwork yet" in page
    data = {**form_fields(page), "image": image(1400)}
    assert post_multipart(client, "/studio/shows/art/edit", data).status_code == 302
    first = _row(app, "art").artwork_key
    first_keys = stored_keys(app)

    # A bad field with a good image: nothing is saved, the new image is not kept.
    data = {**form_fields(page), "image": image(1500), "link": "javascript:alert(1)"}
    assert post_multipart(client, "/studio/shows/art/edit", data).status_code == 422
    assert _row(app, "art").artwork_key == first and stored_keys(app) == first_keys

    data = {**form_fields(page), "image": image(1600, fmt="JPEG", name="new.jpg")}
    assert post_multipart(client, "/studio/shows/art/edit", data).status_code == 302
    second = _row(app, "art")
    assert second.artwork_key != first and second.artwork_width == 1600
    assert not (stored_keys(app) & first_keys)  # the old files went after the commit

    confirm = client.get("/studio/shows/art/artwork/remove")
    assert confirm.status_code == 200 and "Remove the artwork" in confirm.get_data(as_text=True)
    assert client.post("/studio/shows/art/artwork/remove").status_code == 400  # no CSRF token
    assert _row(app, "art").artwork_key == second.artwork_key
    token = csrf_token(client, "/studio/account")
    answer = client.post("/studio/shows/art/artwork/remove", data={"csrf_token": token})
    assert answer.status_code == 302
    assert _row(app, "art").artwork_key is None
    assert stored_keys(app) == set()
    assert client.get("/studio/shows/art/artwork/preview.jpg").status_code == 404
    assert client.get("/studio/shows/art/artwork/remove").status_code == 302  # nothing to remove
