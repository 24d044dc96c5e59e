"""A file with thousands of chapters keeps a documented number, and says so (finding 7)."""

from __future__ import annotations

import shutil

from mutagen.id3 import CHAP, ID3, TIT2

from publisher.media.ingest import MAX_CHAPTERS
from tests.support.api import multipart


def mp3_with_chapters(audio, tmp_path, count: int):
    path = tmp_path / "many-chapters.mp3"
    shutil.copy(audio("mp3", seconds=3), path)
    tags = ID3(path)
    ids = [f"ch{n}" for n in range(count)]
    for n, element_id in enumerate(ids):
        tags.add(CHAP(element_id=element_id, start_time=n * 2, end_time=n * 2 + 1,
                      sub_frames=[TIT2(text=[f"Chapter {n}"])]))  # fmt: skip
    tags.save(path)
    return path


def test_chapters_over_the_cap_are_cut_and_reported(editor, factory, audio, tmp_path):
    show = factory.show()
    path = mp3_with_chapters(audio, tmp_path, MAX_CHAPTERS + 250)
    response = editor.post(f"/api/v1/shows/{show.slug}/episodes", **multipart(path, title="Long"))
    assert response.status_code == 201, response.get_json()
    [warning] = response.get_json()["warnings"]
    assert f"{MAX_CHAPTERS + 250} chapters" in warning and "250 left out" in warning
    episode_id = response.get_json()["id"]
    from publisher.extensions import db
    from publisher.models import Episode

    with editor.client.application.app_context():
        chapters = db.session.get(Episode, episode_id).chapters["chapters"]
    assert len(chapters) == MAX_CHAPTERS
    assert chapters[-1]["title"] == f"Chapter {MAX_CHAPTERS - 1}"
    # Later reads carry no warning: it describes the upload, not the episode.
    assert editor.get(f"/api/v1/episodes/{episode_id}").get_json()["warnings"] == []


def test_a_file_under_the_cap_keeps_every_chapter_without_warning(editor, factory, audio, tmp_path):
    show = factory.show()
    path = mp3_with_chapters(audio, tmp_path, 12)
    response = editor.post(f"/api/v1/shows/{show.slug}/episodes", **multipart(path, title="Short"))
    assert response.status_code == 201
    assert response.get_json()["warnings"] == []
