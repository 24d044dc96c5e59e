"""Byte ranges, conditional requests and HEAD from the local store, byte for byte
against the original file."""

from __future__ import annotations

from datetime import timedelta

import pytest
from werkzeug.http import http_date

from publisher.models import utcnow


@pytest.fixture
def ep(stored_episode):
    return stored_episode("mp3", seconds=5)


@pytest.fixture
def app_client(listener):
    return listener()


def test_whole_file_is_sent_with_type_length_and_validators(ep, app_client):
    response = app_client.get(ep.url)
    assert response.status_code == 200
    assert response.data == ep.data
    assert response.headers["Content-Type"] == "audio/mpeg"
    assert response.headers["Content-Length"] == str(len(ep.data))
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["ETag"].startswith('"')
    assert response.headers["Last-Modified"].endswith("GMT")
    assert "Content-Range" not in response.headers


@pytest.mark.parametrize(
    ("header", "start", "stop"),
    [
        ("bytes=0-0", 0, 1),  # first byte
        ("bytes=1000-1999", 1000, 2000),  # middle
        ("bytes=-500", None, None),  # suffix: the last 500 bytes
        ("bytes=2000-", 2000, None),  # open-ended
        ("bytes=0-99999999", 0, None),  # past the end: clamped to the file
    ],
)
def test_single_range_is_206_with_exactly_those_bytes(ep, app_client, header, start, stop):
    data = ep.data
    size = len(data)
    if header == "bytes=-500":
        start, stop = size - 500, size
    stop = size if stop is None else stop
    response = app_client.get(ep.url, header)
    assert response.status_code == 206
    assert response.data == data[start:stop]
    assert response.headers["Content-Length"] == str(stop - start)
    assert response.headers["Content-Range"] == f"bytes {start}-{stop - 1}/{size}"
    assert response.headers["Content-Type"] == "audio/mpeg"


def test_ranges_read_in_pieces_reassemble_the_file(ep, app_client):
    data, size, step = ep.data, len(ep.data), 7919
    pieces = [
        app_client.get(ep.url, f"bytes={i}-{i + step - 1}").data for i in range(0, size, step)
    ]
    assert b"".join(pieces) == data


@pytest.mark.parametrize("header", ["bytes=999999999-", "bytes=999999999-1000000000"])
def test_unsatisfiable_range_is_416_with_the_size(ep, app_client, header):
    response = app_client.get(ep.url, header)
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{len(ep.data)}"
    assert response.data == b""


@pytest.mark.parametrize("header", ["bytes=5-2", "pages=1-2", "bytes=0-1,5-9", "bytes=abc"])
def test_ranges_we_do_not_serve_get_the_whole_file(ep, app_client, header):
    # Invalid syntax, other units and multiple ranges may be ignored (RFC 9110 14.2).
    response = app_client.get(ep.url, header)
    assert response.status_code == 200
    assert response.data == ep.data


def test_if_range_with_the_current_etag_honours_the_range(ep, app_client):
    etag = app_client.get(ep.url).headers["ETag"]
    response = app_client.get(ep.url, "bytes=10-19", **{"If-Range": etag})
    assert response.status_code == 206
    assert response.data == ep.data[10:20]


def test_if_range_with_another_etag_sends_the_whole_file(ep, app_client):
    response = app_client.get(ep.url, "bytes=10-19", **{"If-Range": '"an-old-version"'})
    assert response.status_code == 200
    assert response.data == ep.data


def test_if_range_with_a_weak_etag_never_matches(ep, app_client):
    etag = app_client.get(ep.url).headers["ETag"]
    response = app_client.get(ep.url, "bytes=10-19", **{"If-Range": "W/" + etag})
    assert response.status_code == 200


def test_if_range_with_the_last_modified_date_honours_the_range(ep, app_client):
    modified = app_client.get(ep.url).headers["Last-Modified"]
    response = app_client.get(ep.url, "bytes=10-19", **{"If-Range": modified})
    assert response.status_code == 206
    assert response.data == ep.data[10:20]


def test_if_range_with_another_date_sends_the_whole_file(ep, app_client):
    old = http_date(utcnow() - timedelta(days=400))
    response = app_client.get(ep.url, "bytes=10-19", **{"If-Range": old})
    assert response.status_code == 200
    assert response.data == ep.data


def test_conditional_get_with_matching_etag_is_304_without_body(ep, app_client):
    etag = app_client.get(ep.url).headers["ETag"]
    response = app_client.get(ep.url, **{"If-None-Match": etag})
    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == etag


def test_conditional_get_with_if_modified_since_is_304(ep, app_client):
    modified = app_client.get(ep.url).headers["Last-Modified"]
    assert app_client.get(ep.url, **{"If-Modified-Since": modified}).status_code == 304


def test_conditional_get_with_another_etag_sends_the_file(ep, app_client):
    response = app_client.get(ep.url, **{"If-None-Match": '"something-else"'})
    assert response.status_code == 200
    assert response.data == ep.data


def test_head_gives_the_headers_of_get_without_a_body(ep, app_client):
    response = app_client.head(ep.url)
    assert response.status_code == 200
    assert response.data == b""
    assert response.headers["Content-Length"] == str(len(ep.data))
    assert response.headers["Content-Type"] == "audio/mpeg"
    assert response.headers["Accept-Ranges"] == "bytes"


def test_head_with_a_range_describes_the_partial_answer(ep, app_client):
    response = app_client.request("HEAD", ep.url, {"Range": "bytes=0-99"})
    assert response.status_code == 206
    assert response.headers["Content-Length"] == "100"
    assert response.headers["Content-Range"] == f"bytes 0-99/{len(ep.data)}"


def test_the_real_content_type_is_sent(stored_episode, app_client):
    ep = stored_episode("m4a", seconds=2)
    response = app_client.get(ep.url, "bytes=0-15")
    # The probed type of the row (Apple's audio/x-m4a for podcasts), not a guess.
    assert response.headers["Content-Type"] == ep.episode.mime_type
    assert ep.episode.mime_type in ("audio/x-m4a", "audio/mp4")
    assert response.data == ep.data[:16]


def test_a_wrong_extension_still_finds_the_episode(ep, app_client):
    response = app_client.get(f"/media/{ep.episode.guid}.ogg")
    assert response.status_code == 200
    assert response.data == ep.data


def test_unknown_guid_is_404(app_client, ep):
    assert app_client.get("/media/00000000-0000-0000-0000-000000000000.mp3").status_code == 404


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "draft"},
        {"status": "scheduled", "publish_at": utcnow() + timedelta(days=1)},
        {"status": "published", "publish_at": utcnow() + timedelta(hours=1)},
    ],
)
def test_episodes_that_are_not_public_are_404(stored_episode, app_client, fields):
    ep = stored_episode("mp3", seconds=1, **fields)
    assert app_client.get(ep.url).status_code == 404
    assert app_client.head(ep.url).status_code == 404


def test_episode_of_a_draft_show_is_404(stored_episode, factory, app_client):
    show = factory.show(status="draft")
    ep = stored_episode("mp3", seconds=1, show=show)
    assert app_client.get(ep.url).status_code == 404


def test_public_episode_whose_file_is_missing_is_404(factory, app_client):
    episode = factory.episode()
    assert app_client.get(f"/media/{episode.guid}.mp3").status_code == 404


def test_media_is_not_cacheable_by_shared_caches(ep, app_client):
    # A CDN answering for us would hide requests from counting.
    assert "private" in app_client.get(ep.url).headers["Cache-Control"]
