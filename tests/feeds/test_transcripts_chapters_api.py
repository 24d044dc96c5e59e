"""Transcripts (several per episode) and chapters (a file or the list) through the API,
served with the types the feed announces."""

from __future__ import annotations

import json

import pytest

from publisher.media.storage import get_storage
from tests.feeds.api_support import SRT, VTT, file_body
from tests.support.api import error_fields
from tests.support.feeds import NS, get_feed


@pytest.fixture
def app_config():
    return {"FEED_RECHECK_SECONDS": 0}


def add(api, episode_id: int, data: bytes, name: str, **fields):
    return api.post(
        f"/api/v1/episodes/{episode_id}/transcripts", **file_body("file", data, name, **fields)
    )


def local(url: str) -> str:
    return url.replace("http://publisher.test", "")


def test_several_transcripts_are_listed_in_the_item_and_served(client, editor, factory):
    show = factory.show()
    episode = factory.episode(show=show)
    segments = {"version": "1.0.0", "segments": [{"startTime": 0, "endTime": 2, "body": "Hi"}]}
    answers = [
        add(editor, episode.id, VTT, "a.vtt", language="en"),
        add(editor, episode.id, SRT, "a.txt", language="fr"),  # the content decides: SRT
        add(editor, episode.id, json.dumps(segments).encode(), "a.json"),
        add(editor, episode.id, "Plain words, ünïcode.".encode(), "notes.txt"),
    ]
    assert [a.status_code for a in answers] == [201] * 4
    types = [a.get_json()["type"] for a in answers]
    assert types == ["text/vtt", "application/x-subrip", "application/json", "text/plain"]
    (item,) = get_feed(client, show).items
    written = [(t.get("type"), t.get("language"), t.get("rel"))
               for t in item.findall("podcast:transcript", NS)]  # fmt: skip
    assert written == [
        ("text/vtt", "en", "captions"),
        ("application/x-subrip", "fr", "captions"),
        ("application/json", None, None),
        ("text/plain", None, None),
    ]
    with client.get(local(answers[0].get_json()["url"])) as served:
        assert served.status_code == 200
        assert served.content_type == "text/vtt; charset=utf-8"
        assert served.data == VTT
        assert served.headers["Access-Control-Allow-Origin"] == "*"
    listed = editor.get(f"/api/v1/episodes/{episode.id}/transcripts").get_json()["items"]
    assert [t["id"] for t in listed] == [a.get_json()["id"] for a in answers]


def test_deleting_a_transcript_removes_its_file(app, client, editor, factory):
    episode = factory.episode()
    created = add(editor, episode.id, VTT, "a.vtt").get_json()
    path = f"/api/v1/episodes/{episode.id}/transcripts/{created['id']}"
    assert editor.delete(path).status_code == 204
    assert editor.delete(path).status_code == 404
    with app.app_context():
        assert list(get_storage().list_keys("shows/")) == []
    assert client.get(local(created["url"])).status_code == 404


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"ID3\x04\x00\xff\xfb\x90\x00\x00\x00\xff\xfe", "not UTF-8"),
        (b'{"segments": "nope"}', "Podcasting 2.0 transcript JSON"),
        (b"{broken", "not valid JSON"),
    ],
)
def test_bad_transcripts_are_422_and_store_nothing(app, editor, factory, data, words):
    episode = factory.episode()
    answer = add(editor, episode.id, data, "x.vtt")
    assert answer.status_code == 422
    assert words in error_fields(answer)["file"]
    with app.app_context():
        assert list(get_storage().list_keys("shows/")) == []


def test_a_bad_language_tag_is_refused(editor, factory):
    episode = factory.episode()
    answer = add(editor, episode.id, VTT, "a.vtt", language="english please")
    assert answer.status_code == 422 and "BCP 47" in error_fields(answer)["language"]


CHAPTERS = {"version": "1.2.0", "chapters": [{"startTime": 30, "title": "B"},
                                             {"startTime": 0, "title": "A"}]}  # fmt: skip


def test_chapters_as_a_list_or_a_file(client, editor, factory):
    show = factory.show()
    episode = factory.episode(show=show, duration_seconds=61.5)
    path = f"/api/v1/episodes/{episode.id}/chapters"
    answer = editor.open("PUT", path, json=CHAPTERS)
    assert answer.status_code == 200, answer.get_json()
    assert [c["title"] for c in answer.get_json()["chapters"]] == ["A", "B"]  # sorted
    with client.get(local(answer.get_json()["url"])) as served:
        assert served.content_type == "application/json+chapters"
        assert [c["startTime"] for c in json.loads(served.data)["chapters"]] == [0, 30]
    upload = {"version": "1.2.0", "chapters": [{"startTime": 5, "title": "From a file"}]}
    answer = editor.open("PUT", path, **file_body("file", json.dumps(upload).encode(), "c.json"))
    assert answer.status_code == 200
    (item,) = get_feed(client, show).items
    psc = item.find("{http://podlove.org/simple-chapters}chapters")
    assert [c.get("title") for c in psc] == ["From a file"]
    assert editor.get(path).get_json()["chapters"] == [{"startTime": 5.0, "title": "From a file"}]
    assert editor.delete(path).status_code == 204
    (item,) = get_feed(client, show).items
    assert item.find("podcast:chapters", NS) is None


@pytest.mark.parametrize(
    ("document", "words"),
    [
        ({"chapters": [{"startTime": 90, "title": "Late"}]}, "past the end of the audio"),
        ({"chapters": [{"title": "No start"}]}, "needs a startTime"),
        ({"chapters": [{"startTime": "soon"}]}, "number of seconds"),
        ({"chapters": [{"startTime": 1, "img": "javascript:x"}]}, "http(s) URL"),
        ({"chapters": [{"startTime": n} for n in range(501)]}, "At most 500"),
        ({"chapters": []}, "non-empty"),
    ],
)
def test_bad_chapters_are_422(editor, factory, document, words):
    episode = factory.episode(duration_seconds=61.5)
    answer = editor.open("PUT", f"/api/v1/episodes/{episode.id}/chapters", json=document)
    assert answer.status_code == 422, answer.get_json()
    assert words in answer.get_json()["error"]["message"]


def test_a_chapters_file_that_is_not_json_is_422(editor, factory):
    episode = factory.episode()
    answer = editor.open("PUT", f"/api/v1/episodes/{episode.id}/chapters",
                         **file_body("file", b"\xff\xfe not json", "c.json"))  # fmt: skip
    assert answer.status_code == 422 and "not valid UTF-8 JSON" in error_fields(answer)["file"]
