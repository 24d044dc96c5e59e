"""The episode's Audio page: the analysis findings and state, and buttons that queue the
same work as the API's POST /analysis and POST/DELETE /renditions, run by the queue as a
consumer would; on both stores."""

from __future__ import annotations

import pytest
from lxml import etree

from publisher.extensions import db
from publisher.jobs import get_queue
from publisher.models import Episode, Job, JobStatus
from tests.support.studio import post


@pytest.fixture(params=["filesystem", pytest.param("s3", marks=pytest.mark.s3)])
def backend(request) -> str:
    return request.param


@pytest.fixture
def app_config(request, backend) -> dict:
    return dict(request.getfixturevalue("s3_app_config")) if backend == "s3" else {}


def page(episode_id: int, rest: str = "audio") -> str:
    return f"/studio/shows/harbour/episodes/{episode_id}/{rest}"


def jobs_of(app, kind: str) -> list[Job]:
    with app.app_context():
        return list(db.session.scalars(db.select(Job).where(Job.kind == kind)))


@pytest.fixture
def opus_episode(factory, producers, stored_episode):
    show = factory.show(slug="harbour")
    stored = stored_episode("opus", seconds=4, show=show, status="published")
    _, editor = producers.editor(show)
    return stored.episode, editor


def test_the_page_shows_the_pending_analysis_then_its_findings(app, opus_episode):
    episode, editor = opus_episode
    html = editor.get(page(episode.id)).get_data(as_text=True)
    (job,) = jobs_of(app, "audio.analyze")  # queued by the upload
    assert f'data-job-id="{job.id}"' in html
    assert 'aria-valuenow="0"' in html and "data-job-status>Waiting to start" in html
    assert "The analysis is pending" in html
    get_queue(app).run_pending()
    html = editor.get(page(episode.id)).get_data(as_text=True)
    assert "data-job-status>Done" in html and 'aria-valuenow="100"' in html
    assert "LUFS integrated" in html
    assert "Apple Podcasts" in html  # the not-Apple-playable finding, in the API's words
    assert 'href="#renditions-h">Make a copy for Apple, below' in html  # what to do about it
    assert "Make an MP3 copy for Apple" in html and "Restore the original" not in html


def test_analyze_again_queues_the_analysis_job(app, opus_episode):
    episode, editor = opus_episode
    get_queue(app).run_pending()
    answer = post(editor, page(episode.id, "audio/analysis"))
    assert answer.status_code == 302
    queued = [job for job in jobs_of(app, "audio.analyze") if job.status == JobStatus.QUEUED]
    assert len(queued) == 1 and queued[0].arguments == {"episode_id": episode.id}
    get_queue(app).run_pending()
    with app.app_context():
        assert db.session.get(Job, queued[0].id).status == JobStatus.DONE


def test_an_mp3_copy_becomes_the_enclosure_and_the_original_comes_back(app, client, opus_episode):
    episode, editor = opus_episode
    get_queue(app).run_pending()
    answer = post(editor, page(episode.id, "audio/compatible/mp3"), follow_redirects=True)
    assert answer.status_code == 200
    assert "The MP3 copy is queued" in answer.get_data(as_text=True)
    (job,) = jobs_of(app, "audio.render")
    assert job.arguments == {"episode_id": episode.id, "kind": "compatible", "codec": "mp3"}
    get_queue(app).run_pending()
    with app.app_context():
        row = db.session.get(Episode, episode.id)
        assert row.mime_type == "audio/mpeg" and row.guid == episode.guid
        assert row.alternate_enclosure.codec == "opus"
        assert row.audio_analysis.storage_key == row.storage_key  # the new audio analyzed
    feed = etree.fromstring(client.get("/shows/harbour/feed.xml").data)
    enclosure = feed.find("channel/item/enclosure")
    assert enclosure.get("type") == "audio/mpeg"
    html = editor.get(page(episode.id)).get_data(as_text=True)
    assert "Restore the original" in html and "compatible rendition" in html
    assert post(editor, page(episode.id, "audio/original")).status_code == 302
    get_queue(app).run_pending()
    with app.app_context():
        row = db.session.get(Episode, episode.id)
        assert row.codec == "opus" and row.alternate_enclosure is None
    feed = etree.fromstring(client.get("/shows/harbour/feed.xml").data)
    assert feed.find("channel/item/enclosure").get("type") != "audio/mpeg"


def test_normalize_queues_a_normalized_rendition(app, opus_episode):
    episode, editor = opus_episode
    assert post(editor, page(episode.id, "audio/normalize")).status_code == 302
    (job,) = jobs_of(app, "audio.render")
    assert job.arguments == {"episode_id": episode.id, "kind": "normalized"}


def test_what_cannot_be_done_is_refused_without_a_job(app, factory, producers, stored_episode):
    show = factory.show(slug="harbour")
    mp3 = stored_episode("mp3", seconds=3, show=show).episode
    _, editor = producers.editor(show)
    answer = post(editor, page(mp3.id, "audio/compatible/mp3"))
    assert answer.status_code == 409
    assert "which Apple Podcasts plays" in answer.get_data(as_text=True)
    answer = post(editor, page(mp3.id, "audio/compatible/wma"))
    assert answer.status_code == 422 and "mp3 or aac" in answer.get_data(as_text=True)
    answer = post(editor, page(mp3.id, "audio/original"))
    assert answer.status_code == 409 and "no rendition" in answer.get_data(as_text=True)
    assert jobs_of(app, "audio.render") == [] and jobs_of(app, "audio.restore") == []


def test_outsiders_anonymous_and_forged_posts_queue_nothing(app, producers, opus_episode):
    episode, editor = opus_episode
    _, outsider = producers.editor()
    assert outsider.get(page(episode.id)).status_code == 403
    assert post(outsider, page(episode.id, "audio/normalize")).status_code == 403
    assert editor.post(page(episode.id, "audio/normalize")).status_code == 400
    anonymous = app.test_client().post(page(episode.id, "audio/normalize"))
    assert anonymous.status_code in (302, 400)
    assert jobs_of(app, "audio.render") == []


def test_each_page_shows_its_own_episodes_jobs(app, factory, producers):
    show = factory.show(slug="harbour")
    first, second = factory.episode(show=show), factory.episode(show=show)
    _, editor = producers.editor(show)
    assert post(editor, page(first.id, "audio/analysis")).status_code == 302
    (job,) = jobs_of(app, "audio.analyze")
    assert f'data-job-id="{job.id}"' in editor.get(page(first.id)).get_data(as_text=True)
    assert "data-job-id" not in editor.get(page(second.id)).get_data(as_text=True)
