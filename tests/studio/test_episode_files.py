"""An episode's artwork, transcripts, people, itunes:title and block from the studio:
each round-trips into the feed; refusals say what to do on the field and store nothing
(stored objects counted, on both stores); outsiders, visitors and CSRF-less posts are
refused."""

from __future__ import annotations

import io
import shutil
from dataclasses import dataclass
from io import BytesIO

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from publisher.extensions import db
from publisher.feeds import cache
from publisher.media.storage import get_storage
from publisher.models import Episode, Show
from tests.support.feeds import NS, get_feed
from tests.support.studio import csrf_token, post

VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nHello there\n"
SRT = "1\n00:00:00,000 --> 00:00:02,000\nBonjour\n"


def image(width: int = 1400, height: int | None = None, fmt: str = "PNG", mode: str = "RGB"):
    """A real image made with Pillow."""
    colour = {"CMYK": (0, 120, 200, 0), "RGBA": (200, 60, 40, 128)}.get(mode, (200, 60, 40))
    out = io.BytesIO()
    Image.new(mode, (width, height or width), colour).save(out, format=fmt)
    return out.getvalue()


@pytest.fixture(
    params=["filesystem", pytest.param("s3", marks=pytest.mark.s3)],
)
def app_config(request):
    """Every test here runs on both stores (the feed is read fresh each time)."""
    config = {"FEED_RECHECK_SECONDS": 0, "ARTWORK_MAX_MB": 1}
    if request.param == "s3":
        config |= request.getfixturevalue("s3_app_config")
    return config


@pytest.fixture(autouse=True)
def _fresh_feed_memo():
    cache.memo.clear()
    yield
    cache.memo.clear()


@dataclass
class EpisodeRef:
    id: int
    guid: str
    show: Show


def make_episode(factory, show: Show, **fields) -> EpisodeRef:
    row = factory.episode(show=show, **fields)
    return EpisodeRef(row.id, row.guid, show)


@pytest.fixture
def episode(factory) -> EpisodeRef:
    show = factory.show(slug="harbour", language="en")
    return make_episode(factory, show, slug="storm", title="Storm season")


@pytest.fixture
def member(producers, episode):
    _user, client = producers.editor(episode.show)
    return client


def base(episode) -> str:
    return f"/studio/shows/{episode.show.slug}/episodes/{episode.id}"


def stored_keys(app) -> set[str]:
    with app.app_context():
        return set(get_storage().list_keys("shows/"))


def reload(app, episode) -> Episode:
    with app.app_context():
        found = db.session.get(Episode, episode.id)
        assert found is not None
        _ = list(found.transcripts), found.show
        db.session.expunge(found)
        return found


def item(client, episode):
    feed = get_feed(client, episode.show)
    [entry] = [i for i in feed.items if i.findtext("guid") == episode.guid]
    return entry


def post_file(client, path: str, field: str, data: bytes, name: str, **fields: str):
    """A multipart POST with the session's CSRF token, encoded in memory (the test
    client spools large bodies to a file it does not close)."""
    values: dict = {"csrf_token": _token(client), **fields}
    values[field] = FileStorage(BytesIO(data), filename=name)
    boundary, body = encode_multipart(values)
    return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def upload_artwork(client, episode, data: bytes, name: str = "cover.png"):
    return post_file(client, f"{base(episode)}/artwork", "image", data, name)


# ---------------------------------------------------------------------------- artwork


def test_the_artwork_page_says_apps_show_the_shows_artwork_without_one(member, episode):
    page = member.get(f"{base(episode)}/artwork").get_data(as_text=True)
    assert "apps show the show's artwork" in page
    assert 'aria-current="page">Artwork</a>' in page
    assert 'type="file"' in page and 'accept="image/jpeg,image/png"' in page


def test_uploaded_artwork_is_previewed_and_becomes_the_items_itunes_image(
    app, client, member, episode
):
    response = upload_artwork(member, episode, image(1400))
    assert response.status_code == 302
    saved = reload(app, episode)
    assert saved.artwork_width == 1400 and saved.artwork_mime == "image/png"
    assert len(stored_keys(app)) == 4  # the original and its 1400, 600 and 300 px copies
    page = member.get(f"{base(episode)}/artwork").get_data(as_text=True)
    assert "1400 \u00d7 1400 pixels" in page and "Remove the artwork" in page
    preview = member.get(f"{base(episode)}/artwork/image")
    assert preview.status_code == 200 and preview.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(preview.data)).size == (300, 300)
    href = item(client, episode).find("itunes:image", NS).get("href")
    assert href.startswith("http://publisher.test/shows/harbour/storm/artwork.png?v=")


def test_replacing_the_artwork_removes_the_old_files(app, member, episode):
    upload_artwork(member, episode, image(1400))
    first = stored_keys(app)
    assert upload_artwork(member, episode, image(1500, fmt="JPEG"), "b.jpg").status_code == 302
    second = stored_keys(app)
    assert len(second) == 4 and not first & second
    assert reload(app, episode).artwork_mime == "image/jpeg"


def test_removing_the_artwork_asks_first_then_leaves_the_feed_and_the_store(
    app, client, member, episode
):
    upload_artwork(member, episode, image(1400))
    question = member.get(f"{base(episode)}/artwork/remove").get_data(as_text=True)
    assert "Remove the artwork of “Storm season”?" in question
    assert len(stored_keys(app)) == 4  # asking removed nothing
    response = post(member, f"{base(episode)}/artwork/remove")
    assert response.status_code == 302
    assert reload(app, episode).artwork_key is None
    assert stored_keys(app) == set()
    assert item(client, episode).find("itunes:image", NS) is None


AUDIO_BYTES = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + b"\x00" * 400


@pytest.mark.parametrize(
    ("data", "status", "says"),
    [
        (image(1400, 1500), 422, "must be square"),
        (image(600), 422, "1400 to 3000 pixels"),
        (image(1400, fmt="GIF"), 422, "JPEG or PNG"),
        (image(1400, fmt="JPEG", mode="CMYK"), 422, "RGB colour space"),
        (AUDIO_BYTES, 422, "it looks like MP3 audio). Upload it as the episode"),
        (b"\x89PNG" + b"\x00" * (1024 * 1024 + 10), 413, "larger than 1 MB"),
    ],
    ids=["not square", "too small", "gif", "cmyk", "audio", "too big"],
)
def test_refused_artwork_is_explained_on_the_field_and_nothing_is_stored(
    app, member, episode, data, status, says
):
    upload_artwork(member, episode, image(1400))
    before = stored_keys(app)
    response = upload_artwork(member, episode, data, "art.png")
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert 'id="image-error"' in page and says in page
    assert 'aria-invalid="true"' in page and 'role="alert"' in page
    assert stored_keys(app) == before
    assert reload(app, episode).artwork_width == 1400


def test_artwork_without_a_file_is_refused_on_the_field(app, member, episode):
    response = post(member, f"{base(episode)}/artwork", {})
    assert response.status_code == 400
    assert "Choose a JPEG or PNG image." in response.get_data(as_text=True)
    assert stored_keys(app) == set()


def test_cover_art_from_the_uploaded_file_is_the_episodes_artwork(app, producers, factory, audio,
                                                                   tmp_path):  # fmt: skip
    from mutagen.id3 import APIC, ID3

    path = tmp_path / "with-cover.mp3"
    shutil.copy(audio("mp3", seconds=2), path)
    tags = ID3()
    tags.add(APIC(encoding=3, mime="image/png", type=3, desc="", data=image(1400)))
    tags.save(path)
    show = factory.show(slug="covered")
    _user, client = producers.editor(show)
    with path.open("rb") as stream:
        response = client.post(
            "/studio/shows/covered/episodes/upload",
            data={"file": (stream, path.name)},
            headers={"X-CSRFToken": _token(client)},
        )
    assert response.status_code == 201, response.get_data(as_text=True)
    episode_id = response.get_json()["id"]
    page = client.get(f"/studio/shows/covered/episodes/{episode_id}/artwork")
    text = page.get_data(as_text=True)
    assert "the cover embedded in the audio file" in text
    assert client.get(f"/studio/shows/covered/episodes/{episode_id}/artwork/image").data == image(
        1400
    )


def _token(client) -> str:
    return csrf_token(client, "/studio/account")


# ---------------------------------------------------------------------------- transcripts


def add_transcript(client, episode, content: bytes, name: str, **fields):
    return post_file(client, f"{base(episode)}/transcripts", "file", content, name, **fields)


def test_transcripts_in_two_languages_are_listed_and_in_the_feed(app, client, member, episode):
    assert add_transcript(member, episode, VTT.encode(), "en.vtt", language="en").status_code == 302
    response = add_transcript(member, episode, SRT.encode(), "fr.srt", language="fr")
    assert response.status_code == 302
    page = member.get(f"{base(episode)}/transcripts").get_data(as_text=True)
    assert "The SRT transcript (fr) is added." in page
    assert "Open the WebVTT file (en)" in page and "Open the SRT file (fr)" in page
    saved = reload(app, episode)
    by_language = {t.language: t for t in saved.transcripts}
    assert set(by_language) == {"en", "fr"}
    opened = member.get(f"{base(episode)}/transcripts/{by_language['en'].id}")
    assert opened.status_code == 200 and opened.get_data(as_text=True) == VTT
    assert opened.headers["Content-Type"] == "text/vtt; charset=utf-8"
    written = {
        (node.get("language"), node.get("type"))
        for node in item(client, episode).findall("podcast:transcript", NS)
    }
    assert written == {("en", "text/vtt"), ("fr", "application/x-subrip")}
    assert len(stored_keys(app)) == 2


def test_a_transcript_without_a_language_takes_the_shows(app, client, member, episode):
    add_transcript(member, episode, b"Just the words we said.", "notes.txt")
    page = member.get(f"{base(episode)}/transcripts").get_data(as_text=True)
    assert "(the show&#39;s)" in page or "(the show's)" in page
    # No language attribute: apps read the channel's language.
    [node] = item(client, episode).findall("podcast:transcript", NS)
    assert (node.get("language"), node.get("type")) == (None, "text/plain")
    assert get_feed(client, episode.show).channel("language").text == "en"


def test_deleting_a_transcript_asks_first_and_removes_it_from_feed_and_store(
    app, client, member, episode
):
    add_transcript(member, episode, VTT.encode(), "en.vtt", language="en")
    add_transcript(member, episode, SRT.encode(), "fr.srt", language="fr")
    french = next(t for t in reload(app, episode).transcripts if t.language == "fr")
    path = f"{base(episode)}/transcripts/{french.id}/delete"
    assert "Delete the SRT transcript (fr)" in member.get(path).get_data(as_text=True)
    assert len(stored_keys(app)) == 2
    assert post(member, path).status_code == 302
    assert [t.language for t in reload(app, episode).transcripts] == ["en"]
    assert len(stored_keys(app)) == 1
    languages = [n.get("language") for n in item(client, episode).findall("podcast:transcript", NS)]
    assert languages == ["en"]
    assert member.get(path).status_code == 404


@pytest.mark.parametrize(
    ("content", "fields", "status", "field", "says"),
    [
        (VTT.encode(), {"language": "not a tag!"}, 422, "language", "not a BCP 47 language tag"),
        (b"ID3\x04\x00\xff\xfe\x00\x00" * 20, {}, 422, "file", "not UTF-8 text"),
        (b"hello", {"type": "text/vtt"}, 422, "file", "declared as SRT/WebVTT"),
        (b"   ", {}, 422, "file", "The transcript file is empty."),
        (b"{not json", {}, 422, "file", "not valid JSON"),
        (b"a" * (5 * 1024 * 1024 + 1), {}, 413, "file", "larger than 5 MB"),
        (VTT.encode(), {"language": "x" * 40}, 400, "language", "longer than 35"),
    ],
    ids=["language", "binary", "no timings", "empty", "bad json", "huge", "long language"],
)
def test_refused_transcripts_are_explained_on_their_field_and_nothing_is_stored(
    app, member, episode, content, fields, status, field, says
):
    add_transcript(member, episode, VTT.encode(), "en.vtt", language="en")
    before = stored_keys(app)
    response = add_transcript(member, episode, content, "t.vtt", **fields)
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and says in page
    other = "language" if field == "file" else "file"
    assert f'id="{other}-error"' not in page  # on its own field only
    assert stored_keys(app) == before
    assert len(reload(app, episode).transcripts) == 1


def test_an_eleventh_transcript_is_refused(app, member, episode):
    for language in ("en", "fr", "de", "es", "it", "pt", "nl", "sv", "da", "fi"):
        added = add_transcript(member, episode, VTT.encode(), "t.vtt", language=language)
        assert added.status_code == 302
    response = add_transcript(member, episode, VTT.encode(), "t.vtt", language="pl")
    assert response.status_code == 422
    assert "at most 10 transcripts; delete one first" in response.get_data(as_text=True)
    assert len(stored_keys(app)) == 10


# ---------------------------------------------------------------------------- people


def people_data(*rows: dict[str, str], version: int = 1) -> dict[str, str]:
    data = {"version": str(version)}
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"persons-{index}-{key}"] = value
    return data


def test_people_page_offers_empty_rows_without_javascript(member, episode):
    page = member.get(f"{base(episode)}/people").get_data(as_text=True)
    assert page.count("<legend>Person ") == 3
    assert 'name="persons-2-href"' in page and "data-add-person" in page


def test_people_are_saved_and_written_as_podcast_person(app, client, member, episode):
    data = people_data(
        {"name": "Grace Guest", "role": "", "href": "https://grace.example/"},
        {"name": "", "role": ""},  # an empty row: not sent
        {"name": "Pat Producer", "role": "producer", "img": "https://pat.example/p.jpg"},
    )
    response = post(member, f"{base(episode)}/people", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    saved = reload(app, episode)
    assert saved.persons == [
        {"name": "Grace Guest", "role": "guest", "group": "cast",
         "href": "https://grace.example/"},
        {"name": "Pat Producer", "role": "producer", "group": "creative direction",
         "img": "https://pat.example/p.jpg"},
    ]  # fmt: skip
    assert saved.version == 2
    nodes = item(client, episode).findall("podcast:person", NS)
    assert [(n.text, n.get("role"), n.get("href")) for n in nodes] == [
        ("Grace Guest", "guest", "https://grace.example/"),
        ("Pat Producer", "producer", None),
    ]
    page = member.get(f"{base(episode)}/people").get_data(as_text=True)
    assert 'value="Grace Guest"' in page and page.count("<legend>Person ") == 5


def test_an_emptied_row_removes_that_person(app, member, episode):
    post(member, f"{base(episode)}/people", people_data({"name": "A"}, {"name": "B"}))
    post(member, f"{base(episode)}/people", people_data({"name": ""}, {"name": "B"}, version=2))
    assert [p["name"] for p in reload(app, episode).persons] == ["B"]


def test_a_bad_url_lands_on_its_row_even_after_empty_rows(app, member, episode):
    data = people_data({"name": ""}, {"name": "Ok", "href": "https://ok.example/"},
                       {"name": "Bad", "href": "ftp://nope.example/"})  # fmt: skip
    response = post(member, f"{base(episode)}/people", data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="persons-2-href-error"' in page
    assert 'id="persons-1-href-error"' not in page
    assert 'value="ftp://nope.example/"' in page  # what was typed is kept
    assert reload(app, episode).persons == []


def test_an_unknown_role_is_shown_on_its_row(app, member, episode):
    data = people_data({"name": "A"}, {"name": "B", "role": "wizard"})
    response = post(member, f"{base(episode)}/people", data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="persons-1-error"' in page and "not a role of the Podcast Taxonomy" in page


def test_a_row_with_a_role_alone_is_not_a_person(app, member, episode):
    response = post(member, f"{base(episode)}/people", people_data({"role": "producer"}))
    assert response.status_code == 302
    assert reload(app, episode).persons == []


def test_an_address_without_a_name_is_refused_on_the_name(app, member, episode):
    data = people_data({"role": "guest", "href": "https://someone.example/"})
    response = post(member, f"{base(episode)}/people", data)
    assert response.status_code == 422
    assert 'id="persons-0-name-error"' in response.get_data(as_text=True)


def test_more_than_fifty_people_are_refused_and_nothing_is_saved(app, member, episode):
    rows = [{"name": f"Person {n}"} for n in range(51)]
    response = post(member, f"{base(episode)}/people", people_data(*rows))
    assert response.status_code == 422
    assert "at most 50" in response.get_data(as_text=True)
    assert reload(app, episode).persons == []


def test_people_saved_meanwhile_are_a_conflict_not_an_overwrite(app, member, episode):
    post(member, f"{base(episode)}/people", people_data({"name": "First"}))
    response = post(member, f"{base(episode)}/people", people_data({"name": "Second"}, version=1))
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone saved this episode" in page and "First (guest)" in page
    assert 'value="Second"' in page and 'name="version" type="hidden" value="2"' in page
    assert [p["name"] for p in reload(app, episode).persons] == ["First"]


# ---------------------------------------------------------------------------- itunes:title, block


def test_itunes_title_and_block_are_set_in_the_details_form(app, client, member, episode):
    page = member.get(f"{base(episode)}/edit").get_data(as_text=True)
    assert "<legend>Apple Podcasts</legend>" in page
    data = {"version": "1", "title": "Storm season", "slug": "storm", "status": "published",
            "episode_type": "full", "itunes_title": "Storms", "block": "y"}  # fmt: skip
    assert post(member, f"{base(episode)}/edit", data).status_code == 302
    saved = reload(app, episode)
    assert (saved.itunes_title, saved.block) == ("Storms", True)
    entry = item(client, episode)
    assert entry.findtext("itunes:title", namespaces=NS) == "Storms"
    assert entry.findtext("itunes:block", namespaces=NS) == "Yes"
    data |= {"version": "2", "itunes_title": ""}
    del data["block"]
    assert post(member, f"{base(episode)}/edit", data).status_code == 302
    assert item(client, episode).find("itunes:block", NS) is None


# ---------------------------------------------------------------------------- abuse


WRITES = [
    ("artwork", lambda: {"image": (BytesIO(image(1400)), "a.png")}),
    ("transcripts", lambda: {"file": (BytesIO(VTT.encode()), "a.vtt"), "language": "en"}),
    ("people", lambda: people_data({"name": "Mallory"})),
]


@pytest.mark.parametrize(("page", "data"), WRITES, ids=[w[0] for w in WRITES])
def test_outsiders_and_visitors_are_refused_and_nothing_is_stored(
    app, producers, client, episode, page, data
):
    _outsider, outsider = producers.editor()
    assert outsider.get(f"{base(episode)}/{page}").status_code == 403
    assert post(outsider, f"{base(episode)}/{page}", data()).status_code == 403
    visitor = client.post(
        f"{base(episode)}/{page}", data={"csrf_token": csrf_token(client), **data()}
    )
    assert visitor.status_code == 302 and visitor.headers["Location"].startswith("/studio/login")
    assert stored_keys(app) == set()
    saved = reload(app, episode)
    assert (saved.artwork_key, saved.transcripts, saved.persons) == (None, [], [])


@pytest.mark.parametrize(("page", "data"), WRITES, ids=[w[0] for w in WRITES])
def test_a_post_without_the_csrf_token_is_refused(app, member, episode, page, data):
    response = member.post(f"{base(episode)}/{page}", data=data())
    assert response.status_code == 400
    assert "CSRF token" in response.get_data(as_text=True)
    assert stored_keys(app) == set()
    saved = reload(app, episode)
    assert (saved.artwork_key, saved.transcripts, saved.persons) == (None, [], [])


def test_deletions_without_the_csrf_token_are_refused(app, member, episode):
    upload_artwork(member, episode, image(1400))
    add_transcript(member, episode, VTT.encode(), "en.vtt", language="en")
    [transcript] = reload(app, episode).transcripts
    assert member.post(f"{base(episode)}/artwork/remove").status_code == 400
    deleted = member.post(f"{base(episode)}/transcripts/{transcript.id}/delete")
    assert deleted.status_code == 400
    saved = reload(app, episode)
    assert saved.artwork_key is not None and len(saved.transcripts) == 1
    assert len(stored_keys(app)) == 5


def test_another_episodes_transcript_is_not_found(app, factory, member, episode):
    other = make_episode(factory, episode.show, slug="other")
    add_transcript(member, episode, VTT.encode(), "en.vtt", language="en")
    [transcript] = reload(app, episode).transcripts
    assert member.get(f"{base(other)}/transcripts/{transcript.id}").status_code == 404
    assert member.get(f"{base(other)}/transcripts/{transcript.id}/delete").status_code == 404
    assert member.get(f"{base(episode)}/transcripts/99999").status_code == 404


def test_a_flood_of_people_rows_is_refused_and_nothing_changes(app, member, episode):
    post(member, f"{base(episode)}/people", people_data({"name": "Kept"}))
    flood = people_data(*({"name": f"P{n}", "href": "https://x.example/"} for n in range(700)),
                        version=2)  # fmt: skip
    response = post(member, f"{base(episode)}/people", flood)
    assert response.status_code == 422
    assert "at most 50" in response.get_data(as_text=True)
    assert [p["name"] for p in reload(app, episode).persons] == ["Kept"]
