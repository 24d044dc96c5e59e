"""Chapters and soundbites in the studio: the lists round-trip into the chapters file the
feed links to and into the feed's soundbites; imports and refusals keep what was there;
the waveform editor's sources (peaks, audio) are for members only, drafts included."""

from __future__ import annotations

import io
import json

import pytest
from lxml import etree
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from publisher.extensions import db
from publisher.models import Episode
from publisher.studio.chapter_forms import format_time, parse_time
from publisher.urls import chapters_url
from tests.support.studio import csrf_token, post

PODCAST = "https://podcastindex.org/namespace/1.0"


def page(slug: str, episode_id: int, rest: str = "chapters") -> str:
    return f"/studio/shows/{slug}/episodes/{episode_id}/{rest}"


def chapters_of(app, episode_id: int):
    with app.app_context():
        return db.session.get(Episode, episode_id).chapters


def rows(*chapters: tuple[str, str, str, str]) -> dict[str, str]:
    """Form fields of chapter rows (start, title, link, image)."""
    data = {}
    for index, (start, title, url, img) in enumerate(chapters):
        data |= {
            f"chapters-{index}-start": start,
            f"chapters-{index}-title": title,
            f"chapters-{index}-url": url,
            f"chapters-{index}-img": img,
        }
    return data


@pytest.fixture
def setup(factory, producers):
    show = factory.show(slug="harbour")
    episode = factory.episode(show=show, slug="tides", duration_seconds=3600.0)
    _, client = producers.editor(show)
    return show, episode, client


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("0", 0.0),
        ("75", 75.0),
        ("1:15", 75.0),
        ("1:02:03", 3723.0),
        ("2:03.5", 123.5),
        ("12,25", 12.25),
    ],
)
def test_times_are_read_as_h_mm_ss_or_seconds(text, seconds):
    assert parse_time(text) == seconds
    assert parse_time(format_time(seconds)) == seconds


@pytest.mark.parametrize("text", ["1:75", "1:60:00", "abc", "-3", "1::2", "1e9"])
def test_times_that_are_not_times_are_refused(text):
    with pytest.raises(ValueError):
        parse_time(text)


def test_the_list_round_trips_into_the_chapters_file_the_feed_links_to(app, client, setup):
    _, episode, editor = setup
    data = rows(
        ("12:30", "Second", "https://example.com/two", ""),
        ("0", "Intro", "", "https://example.com/intro.jpg"),
        ("", "", "", ""),  # a blank row is skipped
        ("59:00", "Last", "", ""),
    )
    answer = post(editor, page("harbour", episode.id), data)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    stored = chapters_of(app, episode.id)
    assert stored["version"] == "1.2.0"
    assert stored["chapters"] == [
        {"startTime": 0.0, "title": "Intro", "img": "https://example.com/intro.jpg"},
        {"startTime": 750.0, "title": "Second", "url": "https://example.com/two"},
        {"startTime": 3540.0, "title": "Last"},
    ]
    # The public chapters file (the feed's podcast:chapters) and the export agree.
    with app.app_context():
        public = chapters_url(db.session.get(Episode, episode.id)).removeprefix(
            "http://publisher.test"
        )
    assert json.loads(client.get(public).data)["chapters"] == stored["chapters"]
    exported = editor.get(page("harbour", episode.id, "chapters.json"))
    assert exported.status_code == 200
    assert exported.headers["Content-Disposition"].startswith("attachment;")
    assert json.loads(exported.data) == stored
    feed = etree.fromstring(client.get("/shows/harbour/feed.xml").data)
    link = feed.find(f"channel/item/{{{PODCAST}}}chapters")
    assert link is not None and link.get("url").endswith("/chapters.json")
    # The page shows the list back, starts as h:mm:ss.
    html = editor.get(page("harbour", episode.id)).get_data(as_text=True)
    assert 'value="0:12:30"' in html and 'value="Second"' in html


def test_a_chapter_past_the_end_is_refused_on_its_row_and_nothing_changes(app, setup):
    _, episode, editor = setup
    assert post(editor, page("harbour", episode.id), rows(("0", "Kept", "", ""))).status_code == 302
    before = chapters_of(app, episode.id)
    data = rows(("0", "Intro", "", ""), ("", "", "", ""), ("2:00:00", "Too late", "", ""))
    answer = post(editor, page("harbour", episode.id), data)
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert 'id="chapters-2-start-error"' in html  # the third row, not the second sent
    assert "past the end of the audio" in html
    assert 'value="Too late"' in html  # what was typed stays in the form
    assert chapters_of(app, episode.id) == before


def test_a_bad_time_and_a_bad_link_are_shown_on_their_fields(app, setup):
    _, episode, editor = setup
    answer = post(editor, page("harbour", episode.id), rows(("ten", "Intro", "", "")))
    assert answer.status_code == 400
    assert "h:mm:ss" in answer.get_data(as_text=True)
    answer = post(editor, page("harbour", episode.id), rows(("0", "Intro", "ftp://x", "")))
    assert answer.status_code == 422
    assert 'id="chapters-0-url-error"' in answer.get_data(as_text=True)
    assert chapters_of(app, episode.id) is None


def test_removing_rows_and_keeping_what_the_list_does_not_edit(app, factory, setup):
    _, episode, editor = setup
    document = {
        "version": "1.2.0",
        "author": "Ada",
        "chapters": [
            {"startTime": 0, "title": "A", "toc": False},
            {"startTime": 10, "title": "B", "endTime": 20.0},
        ],
    }
    answer = upload(editor, episode.id, json.dumps(document).encode())
    assert answer.status_code == 302
    html = editor.get(page("harbour", episode.id)).get_data(as_text=True)
    assert "&#34;toc&#34;: false" in html or "&quot;toc&quot;: false" in html
    data = rows(("0", "A renamed", "", ""), ("10", "B", "", ""))
    data |= {
        "chapters-0-kept": '{"toc": false}',
        "chapters-1-kept": '{"endTime": 20.0}',
        "chapters-1-remove": "y",
    }
    assert post(editor, page("harbour", episode.id), data).status_code == 302
    stored = chapters_of(app, episode.id)
    assert stored["author"] == "Ada"
    assert stored["chapters"] == [{"startTime": 0.0, "title": "A renamed", "toc": False}]


def test_an_empty_list_is_not_a_silent_clear(app, setup):
    _, episode, editor = setup
    post(editor, page("harbour", episode.id), rows(("0", "Intro", "", "")))
    answer = post(
        editor,
        page("harbour", episode.id),
        {"chapters-0-remove": "y", **rows(("0", "Intro", "", ""))},
    )
    assert answer.status_code == 400
    assert "Clear the chapters" in answer.get_data(as_text=True)
    assert len(chapters_of(app, episode.id)["chapters"]) == 1


def test_clearing_needs_the_confirmation(app, setup):
    _, episode, editor = setup
    post(editor, page("harbour", episode.id), rows(("0", "Intro", "", "")))
    post(editor, page("harbour", episode.id, "chapters/clear"), {})
    assert chapters_of(app, episode.id) is not None
    answer = post(editor, page("harbour", episode.id, "chapters/clear"), {"confirm": "y"})
    assert answer.status_code == 302
    assert chapters_of(app, episode.id) is None
    assert editor.get(page("harbour", episode.id, "chapters.json")).status_code == 404


def upload(editor, episode_id: int, content: bytes, name: str = "chapters.json"):
    """The import form, its body built in memory (the test client would spool a big one
    to a temporary file it never closes)."""
    values = {
        "csrf_token": csrf_token(editor, "/studio/account"),
        "file": FileStorage(io.BytesIO(content), filename=name),
    }
    boundary, body = encode_multipart(values)
    return editor.post(
        page("harbour", episode_id, "chapters/import"),
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def test_importing_a_file_replaces_the_chapters_and_exports_back(app, setup):
    _, episode, editor = setup
    document = {
        "version": "1.2.0",
        "chapters": [{"startTime": 5, "title": "Five"}, {"startTime": 0, "title": "Zero"}],
    }
    assert upload(editor, episode.id, json.dumps(document).encode()).status_code == 302
    exported = editor.get(page("harbour", episode.id, "chapters.json"))
    again = upload(editor, episode.id, exported.data)
    assert again.status_code == 302
    assert [c["title"] for c in chapters_of(app, episode.id)["chapters"]] == ["Zero", "Five"]


@pytest.mark.parametrize(
    ("content", "status", "says"),
    [
        (b"<chapters/>", 422, "not valid UTF-8 JSON"),
        (
            json.dumps({"chapters": [{"startTime": i} for i in range(501)]}).encode(),
            422,
            "At most 500 chapters",
        ),
        (json.dumps({"chapters": [{"startTime": 7200}]}).encode(), 422, "past the end"),
        (b" " * (2 * 1024 * 1024 + 10), 413, "larger than 2 MB"),
        (b"\xff\xfe\x00garbage", 422, "not valid UTF-8 JSON"),
    ],
    ids=["not-json", "too-many", "past-the-end", "huge", "binary"],
)
def test_a_bad_file_is_refused_and_the_chapters_stay(app, setup, content, status, says):
    _, episode, editor = setup
    post(editor, page("harbour", episode.id), rows(("0", "Kept", "", "")))
    answer = upload(editor, episode.id, content)
    assert answer.status_code == status
    html = answer.get_data(as_text=True)
    assert says in html and "unchanged" in html
    assert chapters_of(app, episode.id)["chapters"] == [{"startTime": 0.0, "title": "Kept"}]


def test_a_hostile_list_gets_a_clear_answer(app, setup):
    _, episode, editor = setup
    many = rows(*[(str(i), f"C{i}", "", "") for i in range(700)])
    assert post(editor, page("harbour", episode.id), many).status_code == 413
    answer = post(editor, page("harbour", episode.id), rows(("0", "x" * 5000, "", "")))
    assert answer.status_code == 400
    answer = post(
        editor,
        page("harbour", episode.id),
        {**rows(("0", "A", "", "")), "chapters-0-kept": "{not json"},
    )
    assert answer.status_code == 302  # unreadable kept keys are dropped, the row is saved
    assert chapters_of(app, episode.id)["chapters"] == [{"startTime": 0.0, "title": "A"}]
    answer = post(
        editor,
        page("harbour", episode.id),
        {**rows(("0", "A", "", "")), "chapters-0-kept": '{"toc": "yes"}'},
    )
    assert answer.status_code == 422


def test_chapters_read_from_the_upload_appear_in_the_list(app, factory, producers):
    show = factory.show(slug="harbour")
    episode = factory.episode(
        show=show,
        chapters={
            "version": "1.2.0",
            "chapters": [{"startTime": 0.0, "title": "From the ID3 tag"}],
        },
    )
    _, editor = producers.editor(show)
    html = editor.get(page("harbour", episode.id)).get_data(as_text=True)
    assert 'value="From the ID3 tag"' in html and 'value="0:00:00"' in html


def test_outsiders_and_forged_posts_change_nothing(app, factory, producers, setup):
    _, episode, editor = setup
    _, outsider = producers.editor()
    assert post(outsider, page("harbour", episode.id), rows(("0", "X", "", ""))).status_code == 403
    assert outsider.get(page("harbour", episode.id, "chapters.json")).status_code == 403
    no_csrf = editor.post(page("harbour", episode.id), data=rows(("0", "X", "", "")))
    assert no_csrf.status_code == 400
    no_csrf = editor.post(page("harbour", episode.id, "chapters/clear"), data={"confirm": "y"})
    assert no_csrf.status_code == 400
    anonymous = app.test_client().get(page("harbour", episode.id))
    assert anonymous.status_code == 302 and "/studio/login" in anonymous.headers["Location"]
    assert chapters_of(app, episode.id) is None


# ---------------------------------------------------------------------------- soundbites


def bites(*entries: tuple[str, str, str]) -> dict[str, str]:
    data = {}
    for index, (start, duration, title) in enumerate(entries):
        data |= {
            f"soundbites-{index}-start": start,
            f"soundbites-{index}-duration": duration,
            f"soundbites-{index}-title": title,
        }
    return data


def test_soundbites_reach_the_feed_and_odd_lengths_are_warnings(app, client, setup):
    _, episode, editor = setup
    answer = post(
        editor,
        page("harbour", episode.id, "soundbites"),
        bites(("1:00", "30", "The hook"), ("0:10", "5", "Too short")),
        follow_redirects=True,
    )
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert "The soundbites are saved (2)" in html
    assert "lasts 5 s; apps expect 15 to 120 seconds" in html
    assert "flash-warning" in html and "flash-error" not in html
    feed = etree.fromstring(client.get("/shows/harbour/feed.xml").data)
    found = feed.findall(f"channel/item/{{{PODCAST}}}soundbite")
    assert [(b.get("startTime"), b.get("duration"), b.text) for b in found] == [
        ("60.0", "30.0", "The hook"),
        ("10.0", "5.0", "Too short"),
    ]


def test_a_soundbite_without_a_duration_is_refused_on_its_row(app, setup):
    _, episode, editor = setup
    post(editor, page("harbour", episode.id, "soundbites"), bites(("0", "20", "Kept")))
    answer = post(
        editor,
        page("harbour", episode.id, "soundbites"),
        bites(("0", "20", "Kept"), ("1:00", "", "No length")),
    )
    assert answer.status_code == 422
    assert 'id="soundbites-1-start-error"' in answer.get_data(as_text=True) or (
        'id="soundbites-1-duration-error"' in answer.get_data(as_text=True)
    )
    with app.app_context():
        assert db.session.get(Episode, episode.id).soundbites == [
            {"start_time": 0.0, "duration": 20.0, "title": "Kept"}
        ]


def test_removing_every_soundbite(app, setup):
    _, episode, editor = setup
    post(editor, page("harbour", episode.id, "soundbites"), bites(("0", "20", "Kept")))
    answer = post(
        editor,
        page("harbour", episode.id, "soundbites"),
        {**bites(("0", "20", "Kept")), "soundbites-0-remove": "y"},
    )
    assert answer.status_code == 302
    with app.app_context():
        assert db.session.get(Episode, episode.id).soundbites == []


# ---------------------------------------------------------------------------- waveform


def test_the_waveform_editor_reads_a_drafts_audio_and_peaks_as_a_member(
    app, factory, producers, stored_episode
):
    from publisher.jobs import get_queue

    show = factory.show(slug="harbour")
    stored = stored_episode("mp3", seconds=4, show=show, status="draft")
    _, editor = producers.editor(show)
    html = editor.get(page("harbour", stored.episode.id)).get_data(as_text=True)
    assert "data-waveform-pending" in html  # analysis queued, not run yet
    get_queue(app).run_pending()
    html = editor.get(page("harbour", stored.episode.id)).get_data(as_text=True)
    assert "data-waveform-src=" in html and "peaks.min.js" in html
    peaks = editor.get(page("harbour", stored.episode.id, "waveform.json"))
    assert peaks.status_code == 200 and peaks.get_json()["version"] == 2
    listen = editor.get(page("harbour", stored.episode.id, "listen"))
    assert listen.status_code == 200 and listen.data == stored.data
    listen.close()
    ranged = editor.get(
        page("harbour", stored.episode.id, "listen"), headers={"Range": "bytes=0-9"}
    )
    assert ranged.status_code == 206 and ranged.data == stored.data[:10]
    ranged.close()
    beyond = editor.get(
        page("harbour", stored.episode.id, "listen"), headers={"Range": "bytes=999999999-"}
    )
    assert beyond.status_code == 416
    # The public addresses stay closed for the draft; outsiders get nothing.
    assert app.test_client().get(stored.url).status_code == 404
    _, outsider = producers.editor()
    assert outsider.get(page("harbour", stored.episode.id, "listen")).status_code == 403
    assert outsider.get(page("harbour", stored.episode.id, "waveform.json")).status_code == 403


def test_too_many_soundbites_and_hostile_rows_change_nothing(app, producers, setup):
    _, episode, editor = setup
    post(editor, page("harbour", episode.id, "soundbites"), bites(("0", "20", "Kept")))
    many = bites(*[(str(i), "20", f"B{i}") for i in range(51)])
    answer = post(editor, page("harbour", episode.id, "soundbites"), many)
    assert answer.status_code == 422
    assert "50" in answer.get_data(as_text=True)
    huge = bites(*[(str(i), "20", "") for i in range(700)])
    assert post(editor, page("harbour", episode.id, "soundbites"), huge).status_code == 413
    answer = post(editor, page("harbour", episode.id, "soundbites"), bites(("soon", "20", "")))
    assert answer.status_code == 400 and "h:mm:ss" in answer.get_data(as_text=True)
    _, outsider = producers.editor()
    outsider_answer = post(
        outsider, page("harbour", episode.id, "soundbites"), bites(("0", "30", ""))
    )
    assert outsider_answer.status_code == 403
    no_csrf = editor.post(page("harbour", episode.id, "soundbites"), data=bites(("0", "30", "")))
    assert no_csrf.status_code == 400
    no_csrf = editor.post(
        page("harbour", episode.id, "chapters/import"),
        data={"file": (io.BytesIO(b'{"chapters": [{"startTime": 0}]}'), "c.json")},
        content_type="multipart/form-data",
    )
    assert no_csrf.status_code == 400
    assert chapters_of(app, episode.id) is None
    with app.app_context():
        assert db.session.get(Episode, episode.id).soundbites == [
            {"start_time": 0.0, "duration": 20.0, "title": "Kept"}
        ]


def test_odd_stored_chapters_still_open_in_the_list(app, factory, producers):
    show = factory.show(slug="harbour")
    document = {"chapters": [{"startTime": "soon", "title": 7}, "junk", {"startTime": 3.5}]}
    episode = factory.episode(show=show, chapters=document)
    _, editor = producers.editor(show)
    answer = editor.get(page("harbour", episode.id))
    assert answer.status_code == 200
    assert 'value="0:00:03.5"' in answer.get_data(as_text=True)
