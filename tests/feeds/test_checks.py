"""The feed checklist as a feature: `flask feeds check SLUG` and /api/v1/shows/<slug>/checks
list what Apple and Podcasting 2.0 require or recommend, each finding with a fix."""

from __future__ import annotations

import json

import pytest

from tests.feeds.api_support import file_body, image_bytes
from tests.support.feeds import store


@pytest.fixture
def app_config():
    return {"FEED_RECHECK_SECONDS": 0}


def codes(answer) -> dict[str, str]:
    return {f["code"]: f["level"] for f in answer["findings"]}


def checks(api, slug: str) -> dict:
    answer = api.get(f"/api/v1/shows/{slug}/checks")
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_a_bare_show_lists_what_apple_requires(editor, factory):
    show = factory.show(description="", author="", owner_email="", status="draft")
    found = checks(editor, show.slug)
    assert not found["passes_apple"]
    for code, level in {
        "show_draft": "warning",
        "artwork_missing": "error",
        "no_episodes": "error",
        "author_missing": "warning",
        "owner_email_missing": "warning",
    }.items():
        assert codes(found)[code] == level
    assert all(f["fix"] for f in found["findings"])  # every finding says how to fix it
    assert found["errors"] == sum(1 for f in found["findings"] if f["level"] == "error")


def test_a_complete_show_passes(app, editor, factory, audio):
    show = factory.show()
    editor.open("PUT", f"/api/v1/shows/{show.slug}/artwork",
                **file_body("image", image_bytes(1400), "a.png"))  # fmt: skip
    path = audio("mp3", seconds=3)
    editor.post(f"/api/v1/shows/{show.slug}/episodes",
                **file_body("audio", path.read_bytes(), path.name, status="published"))  # fmt: skip
    found = checks(editor, show.slug)
    assert found["passes_apple"], found["findings"]
    # Recommended, not required: a transcript.
    assert codes(found) == {"transcript_missing": "warning"}


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        (lambda f, s: f.episode(show=s, mime_type="audio/ogg", storage_key="x/a.ogg"),
         "enclosure_type"),
        (lambda f, s: f.episode(show=s, duration_seconds=None), "duration_missing"),
        (lambda f, s: f.episode(show=s, soundbites=[{"start_time": 0, "duration": 5}]),
         "soundbite_length"),
    ],
)  # fmt: skip
def test_each_kind_of_episode_mistake_is_named(app, editor, factory, setup, code):
    show = factory.show()
    setup(factory, show)
    (finding,) = [f for f in checks(editor, show.slug)["findings"] if f["code"] == code]
    assert finding["scope"] == "episode" and finding["episode"] and finding["fix"]


def test_artwork_read_from_the_store_is_checked(app, editor, factory):
    store(app, "art/small.png", image_bytes(800), "image/png")
    show = factory.show(artwork_key="art/small.png", artwork_mime="image/png")
    factory.episode(show=show)
    found = checks(editor, show.slug)
    assert codes(found)["artwork_size"] == "error"
    (finding,) = [f for f in found["findings"] if f["code"] == "artwork_size"]
    assert "800 x 800" in finding["message"] and "PUT /api/v1/shows/" in finding["fix"]


def test_a_licence_that_is_not_spdx_needs_a_url(editor, factory):
    show = factory.show(license="house-rules")
    factory.episode(show=show)
    assert codes(checks(editor, show.slug))["license_url_missing"] == "warning"


def test_anonymous_callers_cannot_check_a_draft_show(client, factory):
    show = factory.show(status="draft")
    assert client.get(f"/api/v1/shows/{show.slug}/checks").status_code == 404


def test_the_command_prints_findings_with_fixes_and_fails_on_errors(runner, factory):
    show = factory.show()
    factory.episode(show=show, mime_type="audio/flac", storage_key="x/a.flac")
    result = runner.invoke(args=["feeds", "check", show.slug])
    assert result.exit_code == 1
    assert "ERROR   show: <itunes:image> (artwork) is missing" in result.output
    assert "Apple Podcasts will not play this audio (audio/flac)" in result.output
    assert "fix: Upload an MP3 or AAC" in result.output
    assert "fails Apple's checklist" in result.output
    as_json = runner.invoke(args=["feeds", "check", show.slug, "--json"])
    assert {f["code"] for f in json.loads(as_json.output)} >= {"artwork_missing", "enclosure_type"}
    assert runner.invoke(args=["feeds", "check", "nope"]).exit_code == 1
