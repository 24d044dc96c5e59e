"""Show and episode artwork through the API: Apple's rules checked with Pillow, resized
copies, versioned URLs, replace and remove with the stored objects following."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from publisher.media.storage import get_storage
from tests.feeds.api_support import file_body, image_bytes
from tests.support.api import error_fields
from tests.support.feeds import NS, get_feed


@pytest.fixture
def app_config():
    return {"FEED_RECHECK_SECONDS": 0, "ARTWORK_MAX_MB": 1}


def put_art(api, path: str, data: bytes, filename: str = "art.png"):
    return api.open("PUT", path, **file_body("image", data, filename))


def stored_keys(app, prefix: str = "shows/") -> set[str]:
    with app.app_context():
        return set(get_storage().list_keys(prefix))


def fetch_image(client, url: str) -> Image.Image:
    with client.get(url.replace("http://publisher.test", "")) as response:
        assert response.status_code == 200, url
        return Image.open(io.BytesIO(response.data))


def test_show_artwork_is_stored_with_copies_and_written_in_the_feed(app, client, editor, factory):
    show = factory.show()
    factory.episode(show=show)
    answer = put_art(editor, f"/api/v1/shows/{show.slug}/artwork", image_bytes(2000))
    assert answer.status_code == 200, answer.get_json()
    art = answer.get_json()
    assert art["mime_type"] == "image/png" and art["width"] == 2000
    assert sorted(art["sizes"], key=int) == ["300", "600", "1400"]
    for side, url in art["sizes"].items():
        copy = fetch_image(client, url)
        assert copy.format == "JPEG" and copy.size == (int(side), int(side))
    assert fetch_image(client, art["url"]).size == (2000, 2000)
    feed = get_feed(client, show)
    assert feed.channel("itunes:image").get("href") == art["url"]
    assert feed.pp["cover_url"] == art["url"]
    assert editor.get(f"/api/v1/shows/{show.slug}").get_json()["artwork"] == art
    # The site's pages show the lighter 600 px copy.
    page = client.get(f"/shows/{show.slug}").get_data(as_text=True)
    assert f'src="{art["sizes"]["600"]}"' in page


def test_replacing_artwork_changes_the_url_and_removes_the_old_files(app, client, editor, factory):
    show = factory.show()
    first = put_art(editor, f"/api/v1/shows/{show.slug}/artwork", image_bytes(1400)).get_json()
    before = stored_keys(app)
    assert len(before) == 4  # the original and JPEG copies of 1400, 600 and 300 px
    second = put_art(editor, f"/api/v1/shows/{show.slug}/artwork",
                     image_bytes(3000, fmt="JPEG"), "big.jpg").get_json()  # fmt: skip
    assert second["url"] != first["url"] and second["url"].split("?")[0].endswith(".jpg")
    after = stored_keys(app)
    assert not before & after  # every old object went after the commit
    assert len(after) == 5  # original + 3000, 1400, 600, 300
    # Copies are versioned too, so players and CDNs fetch the new ones.
    assert second["sizes"]["600"] != first["sizes"]["600"]


def test_removing_artwork_deletes_its_files(app, client, editor, factory):
    show = factory.show()
    put_art(editor, f"/api/v1/shows/{show.slug}/artwork", image_bytes(1400))
    assert editor.delete(f"/api/v1/shows/{show.slug}/artwork").status_code == 204
    assert stored_keys(app) == set()
    assert editor.get(f"/api/v1/shows/{show.slug}").get_json()["artwork"] is None
    assert editor.delete(f"/api/v1/shows/{show.slug}/artwork").status_code == 404


def test_episode_artwork_goes_in_the_item(app, client, editor, factory):
    show = factory.show()
    episode = factory.episode(show=show)
    answer = put_art(editor, f"/api/v1/episodes/{episode.id}/artwork", image_bytes(1400))
    assert answer.status_code == 200
    url = answer.get_json()["url"]
    (item,) = get_feed(client, show).items
    assert item.find("itunes:image", NS).get("href") == url
    assert fetch_image(client, answer.get_json()["sizes"]["300"]).size == (300, 300)
    assert editor.delete(f"/api/v1/episodes/{episode.id}/artwork").status_code == 204
    (item,) = get_feed(client, show).items
    assert item.find("itunes:image", NS) is None


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (image_bytes(1400, 1200), "square"),
        (image_bytes(1000), "1400 to 3000"),
        (image_bytes(3001), "1400 to 3000"),
        (image_bytes(1400, mode="RGBA"), "transparency"),
        (image_bytes(1400, mode="L"), "greyscale"),
        (image_bytes(1400, fmt="JPEG", mode="CMYK"), "CMYK"),
        (image_bytes(1400, fmt="GIF", mode="P"), "JPEG or PNG"),
        (b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 100, "MP3 audio"),
        (b"", "empty"),
        (b"just some text, not an image", "not a JPEG or PNG"),
        (image_bytes(1400)[:2000], "damaged"),
    ],
    ids=["not-square", "small", "big", "rgba", "grey", "cmyk", "gif", "mp3", "empty", "text",
         "truncated"],
)  # fmt: skip
def test_artwork_apple_would_refuse_is_a_clear_422(app, editor, factory, data, words):
    show = factory.show()
    answer = put_art(editor, f"/api/v1/shows/{show.slug}/artwork", data)
    assert answer.status_code == 422, answer.get_json()
    assert words in error_fields(answer)["image"]
    assert stored_keys(app) == set()  # nothing half-written


def test_artwork_larger_than_the_limit_is_413(app, editor, factory):
    show = factory.show()
    noisy = Image.effect_noise((1400, 1400), 100).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, format="PNG")
    assert len(out.getvalue()) > 1024 * 1024
    answer = put_art(editor, f"/api/v1/shows/{show.slug}/artwork", out.getvalue())
    assert answer.status_code == 413
    assert "larger than 1 MB" in answer.get_json()["error"]["message"]
    assert stored_keys(app) == set()


def test_an_image_sent_as_episode_audio_is_refused(editor, factory):
    show = factory.show()
    answer = editor.post(f"/api/v1/shows/{show.slug}/episodes",
                         **file_body("audio", image_bytes(1400), "cover.png"))  # fmt: skip
    assert answer.status_code == 422
    assert "PNG" in error_fields(answer)["audio"]


def test_only_editors_change_artwork(client, factory):
    show = factory.show()
    answer = client.put(f"/api/v1/shows/{show.slug}/artwork",
                         **file_body("image", image_bytes(1400), "a.png"))  # fmt: skip
    assert answer.status_code == 401
    assert client.delete(f"/api/v1/shows/{show.slug}/artwork").status_code == 401


def test_a_store_failing_halfway_leaves_no_object(app, editor, factory, monkeypatch):
    show = factory.show()
    with app.app_context():
        store = get_storage()
    calls = {"n": 0}
    real_save = type(store).save

    def failing_save(self, key, stream, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return real_save(self, key, stream, **kwargs)

    monkeypatch.setattr(type(store), "save", failing_save)
    answer = put_art(editor, f"/api/v1/shows/{show.slug}/artwork", image_bytes(1400))
    assert answer.status_code >= 500
    monkeypatch.undo()
    assert stored_keys(app) == set()
    assert editor.get(f"/api/v1/shows/{show.slug}").get_json()["artwork"] is None
