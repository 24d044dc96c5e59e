"""Files feeds link to: chapters JSON, transcripts and artwork."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from publisher.models import utcnow
from tests.support.feeds import store

CHAPTERS = {"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Intro"},
                                             {"startTime": 61.5, "title": "Main"}]}  # fmt: skip
VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nHello there\n"
SRT = "1\n00:00:00,000 --> 00:00:02,000\nHello there\n"


def test_chapters_json(client, factory):
    show = factory.show()
    episode = factory.episode(show=show, slug="ep", chapters=CHAPTERS)
    answer = client.get(f"/shows/{show.slug}/ep/chapters.json")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/json+chapters"
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert json.loads(answer.data) == CHAPTERS
    again = client.get(
        f"/shows/{show.slug}/ep/chapters.json", headers={"If-None-Match": answer.headers["ETag"]}
    )
    assert again.status_code == 304
    assert episode.guid not in answer.data.decode()


def test_chapters_stored_as_a_bare_list_get_the_version(client, factory):
    show = factory.show()
    factory.episode(show=show, slug="ep", chapters=CHAPTERS["chapters"])
    document = json.loads(client.get(f"/shows/{show.slug}/ep/chapters.json").data)
    assert document == CHAPTERS


@pytest.mark.parametrize(
    "fields",
    [
        {"chapters": None},
        {"public": False, "chapters": CHAPTERS},
        {"status": "scheduled", "publish_at": utcnow() + timedelta(days=1), "chapters": CHAPTERS},
    ],
    ids=["no chapters", "draft", "scheduled"],
)
def test_chapters_of_non_public_or_chapterless_episodes_are_404(client, factory, fields):
    show = factory.show()
    factory.episode(show=show, slug="ep", **fields)
    assert client.get(f"/shows/{show.slug}/ep/chapters.json").status_code == 404


@pytest.mark.parametrize(
    ("stored_type", "ext", "served_type", "content"),
    [
        ("text/vtt", "vtt", "text/vtt; charset=utf-8", VTT),
        ("application/x-subrip", "srt", "application/x-subrip; charset=utf-8", SRT),
        ("application/srt", "srt", "application/x-subrip; charset=utf-8", SRT),
    ],
)
def test_transcripts_are_served_from_the_store(
    app, client, factory, stored_type, ext, served_type, content
):
    show = factory.show()
    key = f"shows/{show.id}/ep/transcript.{ext}"
    store(app, key, content.encode(), stored_type)
    factory.episode(show=show, slug="ep", transcript_key=key, transcript_type=stored_type)
    with client.get(f"/shows/{show.slug}/ep/transcript.{ext}") as answer:
        assert answer.status_code == 200
        assert answer.headers["Content-Type"] == served_type
        assert answer.data.decode() == content
        assert int(answer.headers["Content-Length"]) == len(content.encode())
    other = "srt" if ext == "vtt" else "vtt"
    assert client.get(f"/shows/{show.slug}/ep/transcript.{other}").status_code == 404
    feed = client.get(f"/shows/{show.slug}/feed.xml").data.decode()
    assert (
        f'<podcast:transcript url="http://publisher.test/shows/{show.slug}/ep/transcript.{ext}" '
        f'type="{served_type.split(";")[0]}" rel="captions"/>'
    ) in feed


def test_a_transcript_missing_from_the_store_is_404(client, factory):
    show = factory.show()
    factory.episode(show=show, slug="ep", transcript_key="gone.vtt", transcript_type="text/vtt")
    assert client.get(f"/shows/{show.slug}/ep/transcript.vtt").status_code == 404


def test_artwork_is_served_and_versioned(app, client, factory, artwork_png):
    store(app, "art/show.png", artwork_png, "image/png")
    store(app, "art/ep.png", artwork_png, "image/png")
    show = factory.show(artwork_key="art/show.png", artwork_mime="image/png")
    factory.episode(show=show, slug="ep", artwork_key="art/ep.png", artwork_mime="image/png")
    feed = client.get(f"/shows/{show.slug}/feed.xml").data.decode()
    assert f"http://publisher.test/shows/{show.slug}/artwork.png?v=" in feed
    assert f"http://publisher.test/shows/{show.slug}/ep/artwork.png?v=" in feed
    for path in (f"/shows/{show.slug}/artwork.png", f"/shows/{show.slug}/ep/artwork.png"):
        with client.get(path) as answer:
            assert answer.status_code == 200
            assert answer.headers["Content-Type"] == "image/png"
            assert answer.data == artwork_png
            assert "max-age=86400" in answer.headers["Cache-Control"]
            etag = answer.headers["ETag"]
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 304


def test_a_draft_shows_artwork_is_404(app, client, factory, artwork_png):
    store(app, "art/draft.png", artwork_png, "image/png")
    show = factory.show(status="draft", artwork_key="art/draft.png", artwork_mime="image/png")
    assert client.get(f"/shows/{show.slug}/artwork.png").status_code == 404
