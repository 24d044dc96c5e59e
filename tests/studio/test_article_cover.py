"""An article's cover image on both stores: uploaded in the studio or through the API,
re-encoded to one bounded JPEG, shown on the public page (and as og:image) only once the
article is public, replaced and removed with the old object gone after the commit; every
refusal is a message on the field and leaves no stored object behind."""

from __future__ import annotations

import io
import struct
import zlib

import lxml.html
import pytest
from PIL import Image
from sqlalchemy import func, select

from publisher.extensions import db
from publisher.models import Article, Status, StorageWrite
from tests.feeds.api_support import file_body
from tests.support.api import ApiClient
from tests.support.show_forms import post_multipart, stored_keys, upload
from tests.support.studio import csrf_token


@pytest.fixture(params=["filesystem", pytest.param("s3", marks=pytest.mark.s3)])
def store(request) -> str:
    return request.param


@pytest.fixture
def app_config(request, store):
    config = {"ARTWORK_MAX_MB": 1}
    if store == "s3":
        config.update(request.getfixturevalue("s3_app_config"))
    return config


def _jpeg_with_exif(width: int = 2400, height: int = 1200) -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    Image.new("RGB", (width, height), (20, 120, 200)).save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _image(width: int, height: int, fmt: str = "PNG", mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), 128 if mode == "L" else (200, 60, 40)).save(out, format=fmt)
    return out.getvalue()


def _png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims this size (its pixels are never there: never decoded)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _noise_png() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((1400, 1400), 100).convert("RGB").save(out, format="PNG")
    assert len(out.getvalue()) > 1024 * 1024
    return out.getvalue()


def _row(app, article_id: int) -> Article:
    with app.app_context():
        article = db.session.get(Article, article_id)
        db.session.expunge(article)
        return article


def _publish(app, article_id: int) -> None:
    with app.app_context():
        db.session.get(Article, article_id).status = Status.PUBLISHED
        db.session.commit()


def _upload(client, article_id: int, data: bytes, name: str = "cover.jpg"):
    token = csrf_token(client, f"/studio/articles/{article_id}/edit")
    return post_multipart(
        client,
        f"/studio/articles/{article_id}/cover",
        {"csrf_token": token, "file": upload(data, name)},
    )


def _cover_src(page: str) -> tuple[str, dict[str, str]] | None:
    document = lxml.html.fromstring(page)
    found = document.xpath("//figure[@class='story-cover']//img")
    if not found:
        return None
    return found[0].get("src"), dict(found[0].attrib)


def test_a_cover_is_stored_reencoded_and_shown_once_the_article_is_public(app, producers, factory):
    article = factory.article(public=False, title="Night Trains", slug="night-trains",
                              body_markdown="My draft text.")  # fmt: skip
    _editor, client = producers.editor()
    response = _upload(client, article.id, _jpeg_with_exif())
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    row = _row(app, article.id)
    assert row.cover_image_key and row.cover_image_mime == "image/jpeg"
    assert row.version == article.version  # the text being edited is not in conflict
    assert stored_keys(app, "articles/") == {row.cover_image_key}  # one object
    with app.app_context():  # its ledger entry (if SQLite let it be taken) is settled
        assert db.session.scalar(select(func.count(StorageWrite.id))) == 0

    # Members see it in the studio even while the article is a draft.
    page = client.get(f"/studio/articles/{article.id}/edit").get_data(as_text=True)
    assert f"/studio/articles/{article.id}/cover/preview.jpg" in page
    assert "Remove the cover image" in page and "My draft text." in page
    preview = client.get(f"/studio/articles/{article.id}/cover/preview.jpg")
    assert preview.status_code == 200 and preview.mimetype == "image/jpeg"
    stored = Image.open(io.BytesIO(preview.data))
    assert stored.format == "JPEG" and stored.mode == "RGB"
    assert stored.size == (1600, 800)  # bounded to 1600 px wide, proportions kept
    assert not stored.getexif()  # EXIF (camera, location) is dropped

    # The public address answers only once the article is public.
    anonymous = app.test_client()
    assert anonymous.get("/articles/night-trains/cover.jpg").status_code == 404
    _publish(app, article.id)
    page = anonymous.get("/articles/night-trains").get_data(as_text=True)
    src, attributes = _cover_src(page)
    assert attributes["alt"] == "Night Trains"
    assert (attributes["width"], attributes["height"]) == ("1600", "800")
    og = lxml.html.fromstring(page).xpath("//meta[@property='og:image']")[0].get("content")
    assert og == src and src.startswith("http://publisher.test/articles/night-trains/cover.jpg?v=")
    with anonymous.get(src.removeprefix("http://publisher.test")) as served:
        if served.status_code == 302:  # a store with public addresses (S3) serves it itself
            assert row.cover_image_key in served.headers["Location"]
        else:
            assert served.status_code == 200 and served.mimetype == "image/jpeg"
            assert "immutable" in served.headers["Cache-Control"]
            assert served.data == preview.data


def test_replacing_and_removing_the_cover(app, producers, factory):
    article = factory.article(title="Ports", slug="ports")
    _editor, client = producers.admin()
    assert _upload(client, article.id, _image(800, 600)).status_code == 302
    first = _row(app, article.id).cover_image_key
    first_src, _ = _cover_src(app.test_client().get("/articles/ports").get_data(as_text=True))

    assert _upload(client, article.id, _image(1000, 500, "WEBP"), "c.webp").status_code == 302
    second = _row(app, article.id).cover_image_key
    assert second != first
    assert stored_keys(app, "articles/") == {second}  # the old object went after the commit
    second_src, attributes = _cover_src(
        app.test_client().get("/articles/ports").get_data(as_text=True)
    )
    assert second_src != first_src and attributes["width"] == "1000"

    assert client.post(f"/studio/articles/{article.id}/cover/remove").status_code == 400  # CSRF
    assert _row(app, article.id).cover_image_key == second
    token = csrf_token(client, f"/studio/articles/{article.id}/edit")
    response = client.post(
        f"/studio/articles/{article.id}/cover/remove", data={"csrf_token": token}
    )
    assert response.status_code == 302
    assert _row(app, article.id).cover_image_key is None
    assert stored_keys(app, "articles/") == set()
    page = app.test_client().get("/articles/ports").get_data(as_text=True)
    assert _cover_src(page) is None and 'property="og:image"' not in page
    assert app.test_client().get("/articles/ports/cover.jpg").status_code == 404


@pytest.mark.parametrize(
    ("make", "status", "words"),
    [
        (lambda: b"just some text", 422, "not a JPEG, PNG or WebP"),
        (lambda: b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 50, 422,
         "MP3 audio"),
        (lambda: _image(500, 800), 422, "at least 600 pixels wide"),
        (lambda: _image(800, 600, "GIF"), 422, "this one is GIF"),
        (lambda: _png_header(8000, 6000), 422, "at most 40 million pixels"),
        (lambda: _png_header(40000, 40000), 422, "at most 40 million pixels"),
        (lambda: _image(1200, 900, "JPEG")[:2000], 422, "damaged or truncated"),
        (lambda: _noise_png(), 413, "larger than 1 MB"),
    ],
    ids=["text", "mp3", "too-narrow", "gif", "huge", "bomb", "truncated", "too-large"],
)  # fmt: skip
def test_a_refused_cover_is_a_message_on_the_field_and_nothing_is_kept(
    app, producers, factory, make, status, words
):
    article = factory.article(public=False, body_markdown="Keep this text.")
    _editor, client = producers.editor()
    response = _upload(client, article.id, make())
    assert response.status_code == status
    page = response.get_data(as_text=True)
    error = page.split('id="file-error">', 1)[1].split("</p>", 1)[0]
    assert words in error
    assert 'role="alert"' in page
    assert "Keep this text." in page  # the editor is shown again, with the saved text
    assert _row(app, article.id).cover_image_key is None
    assert stored_keys(app, "articles/") == set()


def test_a_cover_post_without_csrf_or_a_file_stores_nothing(app, producers, factory):
    article = factory.article(public=False)
    _editor, client = producers.editor()
    response = post_multipart(
        client, f"/studio/articles/{article.id}/cover", {"file": upload(_image(800, 600))}
    )
    assert response.status_code == 400  # refused by the CSRF check
    token = csrf_token(client, f"/studio/articles/{article.id}/edit")
    response = post_multipart(client, f"/studio/articles/{article.id}/cover", {"csrf_token": token})
    assert response.status_code == 400
    assert "Choose a JPEG, PNG or WebP image." in response.get_data(as_text=True)
    assert stored_keys(app, "articles/") == set()


def test_anonymous_cannot_upload_or_see_a_drafts_cover(app, producers, factory):
    article = factory.article(public=False)
    _editor, client = producers.editor()
    assert _upload(client, article.id, _image(800, 600)).status_code == 302
    anonymous = app.test_client()
    token = csrf_token(anonymous, "/studio/login")
    response = post_multipart(
        anonymous,
        f"/studio/articles/{article.id}/cover",
        {"csrf_token": token, "file": upload(_image(800, 600))},
    )
    assert response.status_code == 302 and "/studio/login" in response.headers["Location"]
    preview = anonymous.get(f"/studio/articles/{article.id}/cover/preview.jpg")
    assert preview.status_code == 302
    assert anonymous.get(f"/articles/{article.slug}/cover.jpg").status_code == 404


def test_text_typed_before_a_cover_upload_is_still_offered(app, producers, factory):
    article = factory.article(public=False)
    _editor, client = producers.editor()
    version = _row(app, article.id).version
    response = client.post(
        f"/studio/articles/{article.id}/autosave",
        json={"version": version, "fields": {"title": "T", "body": "Typed, not saved"}},
        headers={"X-CSRFToken": csrf_token(client, "/studio/account")},
    )
    assert response.status_code == 200
    assert _upload(client, article.id, _image(800, 600)).status_code == 302
    page = client.get(f"/studio/articles/{article.id}/edit").get_data(as_text=True)
    assert "unsaved changes" in page and "Typed, not saved" in page


def test_deleting_an_article_removes_its_cover(app, producers, factory):
    article = factory.article(public=False)
    _editor, client = producers.editor()
    assert _upload(client, article.id, _image(800, 600)).status_code == 302
    token = csrf_token(client, f"/studio/articles/{article.id}/edit")
    response = client.post(f"/studio/articles/{article.id}/delete", data={"csrf_token": token})
    assert response.status_code == 302
    assert stored_keys(app, "articles/") == set()


# ---------------------------------------------------------------------------- API


def test_the_api_uploads_replaces_and_removes_the_cover(app, client, factory, editor_token):
    article = factory.article(public=False)
    api = ApiClient(client, editor_token)
    path = f"/api/v1/articles/{article.id}/cover"
    assert api.get(f"/api/v1/articles/{article.id}").get_json()["cover_image_url"] is None

    response = api.open("PUT", path, **file_body("file", _image(900, 600), "c.png"))
    assert response.status_code == 200, response.get_data(as_text=True)
    first = response.get_json()["cover_image_url"]
    assert first.startswith(f"http://publisher.test/articles/{article.slug}/cover.jpg?v=")
    response = api.open("PUT", path, **file_body("file", _image(900, 600, "JPEG"), "c.jpg"))
    second = response.get_json()["cover_image_url"]
    assert second != first
    assert stored_keys(app, "articles/") == {_row(app, article.id).cover_image_key}

    refused = api.open("PUT", path, **file_body("file", _image(300, 300), "c.png"))
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert "at least 600 pixels wide" in error["message"]
    assert error["details"][0]["field"] == "file"
    assert len(stored_keys(app, "articles/")) == 1

    anonymous = ApiClient(client)
    assert (
        anonymous.open("PUT", path, **file_body("file", _image(900, 600), "c.png")).status_code
        == 401
    )
    assert anonymous.delete(path).status_code == 401

    assert api.delete(path).status_code == 204
    assert api.delete(path).status_code == 404
    assert stored_keys(app, "articles/") == set()
    assert api.get(f"/api/v1/articles/{article.id}").get_json()["cover_image_url"] is None


def test_a_preview_link_shows_the_drafts_cover_to_a_colleague_without_an_account(
    app, producers, factory
):
    """The public cover answers 404 while the article is a draft, so the shared preview
    serves it from the link's own token; nothing else gets it."""
    from publisher.previews import make_preview_token

    article = factory.article(public=False, title="Harbour lights", slug="harbour-lights")
    episode = factory.episode(public=False)
    _editor, client = producers.editor()
    assert _upload(client, article.id, _image(1200, 600)).status_code == 302
    with app.app_context():
        token = make_preview_token("article", article.id)
        episode_token = make_preview_token("episode", episode.id)
    colleague = app.test_client()

    page = lxml.html.fromstring(colleague.get(f"/preview/{token}").get_data(as_text=True))
    assert page.xpath("//figure//img/@src") == [f"/preview/{token}/cover.jpg"]
    assert colleague.get("/articles/harbour-lights/cover.jpg").status_code == 404
    cover = colleague.get(f"/preview/{token}/cover.jpg")
    assert cover.status_code == 200 and cover.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(cover.data)).size == (1200, 600)
    assert cover.headers["Cache-Control"] == "private, no-store"
    assert "noindex" in cover.headers["X-Robots-Tag"]
    assert colleague.get(f"/preview/{episode_token}/cover.jpg").status_code == 404
    assert colleague.get(f"/preview/{token}x/cover.jpg").status_code == 404
