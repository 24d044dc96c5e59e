"""Analysis and renditions of real uploads, through the API and the CLI, on both stores:
what producers see, what listeners get at the enclosure URL and in the feed, and that a
failure leaves the episode as it was."""

from __future__ import annotations

import base64
import hashlib

import pytest
from lxml import etree

from publisher.extensions import db
from publisher.media.storage import get_storage
from publisher.models import AlternateEnclosure, AudioAnalysis, Episode
from tests.listening.reference import reference
from tests.support.api import ApiClient, multipart

PODCAST = "https://podcastindex.org/namespace/1.0"


@pytest.fixture
def anon(client) -> ApiClient:
    return ApiClient(client)


def stored_keys(app) -> set[str]:
    with app.app_context():
        return set(get_storage().list_keys("shows/"))


def stored_bytes(app, key: str) -> bytes:
    with app.app_context(), get_storage().open(key) as handle:
        return handle.read()


def test_analysis_of_an_upload_on_both_stores(app, factory, editor, anon, sound, backend):
    path = sound("opus", "padded")
    episode = factory.ingested_episode(path, status="published")
    answer = editor.post(f"/api/v1/episodes/{episode.id}/analysis")
    assert answer.status_code == 200, answer.get_json()
    analysis = answer.get_json()["analysis"]
    ref = reference(path)
    assert analysis["status"] == "done"
    assert analysis["measurements"]["integrated_lufs"] == pytest.approx(ref.integrated, abs=0.1)
    assert analysis["measurements"]["leading_silence_seconds"] == pytest.approx(3.0, abs=0.15)
    codes = {finding["code"]: finding for finding in analysis["findings"]}
    assert codes["not_apple_playable"]["action"] == "compatible"
    assert "silence at the start" in codes["leading_silence"]["message"]
    assert analysis["targets"]["stereo_lufs"] == -16.0
    # The waveform is public for a public episode, with CORS and a year of caching.
    waveform = anon.get(analysis["waveform_url"].removeprefix("http://publisher.test"))
    assert waveform.status_code == 200
    assert waveform.headers["Access-Control-Allow-Origin"] == "*"
    assert "immutable" in waveform.headers["Cache-Control"]
    assert waveform.get_json()["version"] == 2 and waveform.get_json()["length"] > 100
    # Anonymous callers read the episode, not its analysis.
    assert anon.get(f"/api/v1/episodes/{episode.id}").get_json()["analysis"] is None


def test_findings_follow_the_targets_in_the_settings(app, factory, editor, sound):
    episode = factory.ingested_episode(sound("mp3", "quiet"))  # about -34 LUFS
    analysis = editor.post(f"/api/v1/episodes/{episode.id}/analysis").get_json()["analysis"]
    too_quiet = [f for f in analysis["findings"] if f["code"] == "too_quiet"]
    assert too_quiet and too_quiet[0]["message"].endswith("Normalize?")
    assert "Apple recommends \N{MINUS SIGN}16 LUFS ±1 LU" in too_quiet[0]["message"]
    app.config["AUDIO_TARGET_LUFS_STEREO"] = -34.0
    findings = editor.post(f"/api/v1/episodes/{episode.id}/analysis").get_json()["analysis"]
    assert "too_quiet" not in {f["code"] for f in findings["findings"]}


def test_an_opus_upload_gets_an_mp3_enclosure_and_keeps_the_original(
    app, factory, editor, anon, sound, backend
):
    path = sound("opus", "padded")
    show = factory.show(slug="harbour")
    episode = factory.ingested_episode(path, show=show, status="published")
    answer = editor.post(f"/api/v1/episodes/{episode.id}/renditions", json={"kind": "compatible"})
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["guid"] == episode.guid
    assert body["media"]["mime_type"] == "audio/mpeg"
    assert body["media"]["url"] == f"http://publisher.test/media/{episode.guid}.mp3"
    original = body["alternate_enclosure"]
    assert original["url"] == f"http://publisher.test/media/{episode.guid}.opus"
    assert original["replaced_by"] == "compatible"
    assert body["analysis"]["status"] == "done"  # the new enclosure was analyzed
    assert "not_apple_playable" not in {f["code"] for f in body["analysis"]["findings"]}
    # The original bytes are kept and still served at the URL that named them.
    with app.app_context():
        row = db.session.scalar(
            db.select(AlternateEnclosure).where(AlternateEnclosure.episode_id == episode.id)
        )
        assert stored_bytes(app, row.storage_key) == path.read_bytes()
    if backend == "filesystem":
        opus = anon.get(f"/media/{episode.guid}.opus")
        assert opus.status_code == 200 and opus.data == path.read_bytes()
        opus.close()
        mp3 = anon.get(f"/media/{episode.guid}.mp3")
        assert mp3.headers["Content-Type"] == "audio/mpeg" and mp3.data[:3] in (b"ID3", b"\xff\xfb")
        mp3.close()
    # The feed carries the enclosure and both alternates.
    feed = etree.fromstring(anon.get("/shows/harbour/feed.xml").data)
    item = feed.find("channel/item")
    assert item.find("enclosure").get("url").endswith(f"{episode.guid}.mp3")
    alternates = item.findall(f"{{{PODCAST}}}alternateEnclosure")
    assert [a.get("type") for a in alternates] == ["audio/mpeg", "audio/opus"]
    assert alternates[0].get("default") == "true"
    sources = [a.find(f"{{{PODCAST}}}source").get("uri") for a in alternates]
    assert sources[1] == f"http://publisher.test/media/{episode.guid}.opus"
    digest = hashlib.sha256(path.read_bytes()).digest()
    integrity = alternates[1].find(f"{{{PODCAST}}}integrity").get("value")
    assert integrity == "sha256-" + base64.b64encode(digest).decode()


@pytest.mark.parametrize(
    ("kind", "variant"), [("mp3", "quiet"), ("m4a", "loud"), ("flac", "padded")]
)
def test_a_normalized_rendition_measures_within_one_lu_of_the_target(
    app, factory, editor, sound, kind, variant, tmp_path
):
    episode = factory.ingested_episode(sound(kind, variant))
    answer = editor.post(f"/api/v1/episodes/{episode.id}/renditions", json={"kind": "normalized"})
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    with app.app_context():
        key = db.session.get(Episode, episode.id).storage_key
    rendition = tmp_path / key.rsplit("/", 1)[-1]
    rendition.write_bytes(stored_bytes(app, key))
    assert reference(rendition).integrated == pytest.approx(-16.0, abs=1.0)
    expected_codec = {"mp3": "mp3", "m4a": "aac", "flac": "mp3"}[kind]
    assert body["media"]["codec"] == expected_codec


def test_a_failed_rendition_leaves_the_episode_as_it_was(app, factory, editor, sound):
    episode = factory.ingested_episode(sound("wav", "padded"))
    with app.app_context():
        key = db.session.get(Episode, episode.id).storage_key
        path = get_storage().local_path(key)
    keys_before = stored_keys(app)
    path.write_bytes(b"RIFF" + b"\x00" * 64)  # the stored file went bad
    answer = editor.post(f"/api/v1/episodes/{episode.id}/renditions", json={"kind": "compatible"})
    assert answer.status_code == 422
    assert "decode" in answer.get_json()["error"]["message"]
    assert stored_keys(app) == keys_before
    with app.app_context():
        row = db.session.get(Episode, episode.id)
        assert (row.storage_key, row.mime_type) == (key, "audio/wav")
        assert db.session.scalar(db.select(AlternateEnclosure)) is None


def test_undecodable_audio_gives_a_failed_analysis_not_an_error(app, factory, editor, sound):
    episode = factory.ingested_episode(sound("wav", "padded"))
    with app.app_context():
        get_storage().local_path(db.session.get(Episode, episode.id).storage_key).write_bytes(b"x")
    analysis = editor.post(f"/api/v1/episodes/{episode.id}/analysis").get_json()["analysis"]
    assert analysis["status"] == "failed" and "decode" in analysis["error"]


def test_new_audio_drops_the_old_analysis_original_and_their_objects(app, factory, editor, sound):
    episode = factory.ingested_episode(sound("opus", "padded"))
    editor.post(f"/api/v1/episodes/{episode.id}/renditions", json={"kind": "compatible"})
    old = stored_keys(app)
    assert len(old) == 3  # the original, the rendition, the waveform
    answer = editor.patch(f"/api/v1/episodes/{episode.id}", **multipart(sound("mp3", "padded")))
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["analysis"]["status"] == "pending"
    assert answer.get_json()["alternate_enclosure"] is None
    assert answer.get_json()["guid"] == episode.guid
    assert not (stored_keys(app) & old)
    with app.app_context():
        assert db.session.scalar(db.select(AudioAnalysis)) is None


def test_deleting_an_episode_removes_its_waveform_and_original(app, factory, editor, sound):
    episode = factory.ingested_episode(sound("flac", "padded"))
    editor.post(f"/api/v1/episodes/{episode.id}/renditions", json={"kind": "compatible"})
    assert len(stored_keys(app)) == 3
    assert editor.delete(f"/api/v1/episodes/{episode.id}").status_code == 204
    assert stored_keys(app) == set()


def test_restoring_the_original(app, factory, editor, sound):
    path = sound("ogg", "padded")
    episode = factory.ingested_episode(path)
    editor.post(f"/api/v1/episodes/{episode.id}/renditions", json={"kind": "compatible"})
    answer = editor.delete(f"/api/v1/episodes/{episode.id}/renditions")
    assert answer.status_code == 200
    assert answer.get_json()["media"]["mime_type"] == "audio/ogg"
    assert answer.get_json()["alternate_enclosure"] is None
    assert editor.delete(f"/api/v1/episodes/{episode.id}/renditions").status_code == 409


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [({"kind": "louder"}, 422, "kind"), ({"kind": "compatible", "codec": "ogg"}, 422, "codec"),
     ({"kind": "compatible"}, 409, None), ({}, 422, "kind"), ({"kind": 3}, 422, "kind")],
)  # fmt: skip
def test_bad_rendition_requests_are_refused_clearly(factory, editor, sound, body, status, field):
    episode = factory.ingested_episode(sound("mp3", "padded"))
    answer = editor.post(f"/api/v1/episodes/{episode.id}/renditions", json=body)
    assert answer.status_code == status
    error = answer.get_json()["error"]
    assert error["message"]
    if field:
        assert field in {d["field"] for d in error.get("details") or []}


def test_waveforms_of_drafts_and_unknown_episodes_are_not_public(factory, editor, anon, sound):
    draft = factory.ingested_episode(sound("mp3", "padded"))  # ingest makes drafts
    url = editor.post(f"/api/v1/episodes/{draft.id}/analysis").get_json()["analysis"][
        "waveform_url"
    ]
    assert anon.get(url.removeprefix("http://publisher.test")).status_code == 404
    assert editor.get(f"/api/v1/episodes/{draft.id}/waveform").status_code == 200
    assert anon.get("/waveforms/not-a-guid.json").status_code == 404


def test_the_cli_analyzes_and_renders(app, factory, runner, sound):
    episode = factory.ingested_episode(sound("opus", "padded"))
    result = runner.invoke(args=["episodes", "analyze", str(episode.id)])
    assert result.exit_code == 0, result.output
    assert "LUFS" in result.output and "does not play in Apple Podcasts" in result.output
    result = runner.invoke(args=["episodes", "render", str(episode.id), "--kind", "compatible"])
    assert result.exit_code == 0, result.output
    assert "is the enclosure" in result.output
    result = runner.invoke(args=["episodes", "analyze", "987654"])
    assert result.exit_code != 0 and "no episode 987654" in result.output
