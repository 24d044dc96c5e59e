"""flask storage check | orphans | migrate, on both stores."""

from __future__ import annotations

import io
import time

import pytest

from publisher.extensions import db
from publisher.media.storage import FilesystemStorage, get_storage
from publisher.models import Episode
from publisher.urls import enclosure_url
from tests.s3server import bucket_keys, s3_config


def test_check_passes_on_a_working_store(runner):
    result = runner.invoke(args=["storage", "check"])
    assert result.exit_code == 0, result.output
    assert "read it back" in result.output and "Storage OK." in result.output


@pytest.mark.s3
@pytest.mark.parametrize("backend", ["s3"])
def test_check_explains_a_missing_bucket(runner):
    runner.app.config["S3_BUCKET"] = "missing-bucket"
    runner.app.extensions.pop("publisher.storage", None)
    result = runner.invoke(args=["storage", "check"])
    assert result.exit_code == 1
    assert "'missing-bucket' does not exist" in result.output


def test_orphans_lists_then_deletes_only_unreferenced_old_objects(app, runner, factory, audio):
    episode = factory.ingested_episode(audio("mp3", seconds=1))
    with app.app_context():
        storage = get_storage()
        storage.save("shows/9/lost/old.mp3", io.BytesIO(b"old"), content_type="audio/mpeg")
    result = runner.invoke(args=["storage", "orphans"])
    assert "0 orphan object(s)" in result.output  # everything is younger than an hour
    time.sleep(1.1)
    result = runner.invoke(args=["storage", "orphans", "--older-than", "0"])
    assert result.exit_code == 0, result.output
    assert "orphan\tshows/9/lost/old.mp3\t3" in result.output
    assert episode.storage_key not in result.output and "Dry run" in result.output
    with app.app_context():
        assert get_storage().exists("shows/9/lost/old.mp3")
    result = runner.invoke(args=["storage", "orphans", "--older-than", "0", "--delete"])
    assert result.exit_code == 0 and "deleted 1, failed 0" in result.output
    with app.app_context():
        assert sorted(get_storage().list_keys()) == [episode.storage_key]


@pytest.mark.s3
@pytest.mark.parametrize("backend", ["s3"])
def test_orphans_aborts_unfinished_multipart_uploads(runner, s3_client, s3_bucket):
    s3_client.create_multipart_upload(Bucket=s3_bucket, Key="uploads/1/abandoned")
    result = runner.invoke(args=["storage", "orphans", "--older-than", "0", "--delete"])
    assert "1 unfinished multipart upload(s)" in result.output, result.output
    assert s3_client.list_multipart_uploads(Bucket=s3_bucket).get("Uploads", []) == []


@pytest.mark.s3
@pytest.mark.parametrize("backend", ["filesystem"])
def test_migrate_to_s3_copies_everything_resumably_and_urls_stay(
    app, runner, factory, audio, s3_server, s3_bucket, s3_client, tmp_path
):
    from mutagen.id3 import APIC, ID3

    from tests.media.helpers import png_bytes

    art = tmp_path / "art.mp3"
    art.write_bytes(audio("mp3", seconds=1).read_bytes())
    tags = ID3(art)
    tags.add(APIC(encoding=3, mime="image/png", type=3, desc="", data=png_bytes()))
    tags.save(art)
    episodes = [factory.ingested_episode(art), factory.ingested_episode(audio("m4a", seconds=1))]
    with app.app_context():
        before = {e.id: enclosure_url(db.session.get(Episode, e.id)) for e in episodes}
        local_keys = sorted(get_storage().list_keys())
    assert len(local_keys) == 3  # two audio files and one cover
    app.config.update(s3_config(s3_server, s3_bucket, STORAGE="filesystem"))

    # A previous run was interrupted after one object: the MP3 (not the M4A, whose stored
    # Content-Type is checked below; which key sorts first depends on the random guids).
    first = episodes[0].storage_key
    s3_client.upload_file(
        str(FilesystemStorage(app.config["MEDIA_ROOT"]).local_path(first)), s3_bucket, first
    )
    result = runner.invoke(args=["storage", "migrate", "--to", "s3"])
    assert result.exit_code == 0, result.output
    assert "copied 2, already there 1, failed 0." in result.output
    assert "set STORAGE=s3" in result.output
    assert bucket_keys(s3_client, s3_bucket) == local_keys
    head = s3_client.head_object(Bucket=s3_bucket, Key=episodes[1].storage_key)
    assert head["ContentType"] == "audio/x-m4a"
    assert head["CacheControl"].startswith("public")

    again = runner.invoke(args=["storage", "migrate", "--to", "s3"])
    assert "copied 0, already there 3, failed 0." in again.output

    # Switch the app to S3: same rows, same keys, same enclosure URLs, readable audio.
    app.config["STORAGE"] = "s3"
    app.extensions.pop("publisher.storage", None)
    with app.app_context():
        for episode in episodes:
            row = db.session.get(Episode, episode.id)
            assert enclosure_url(row) == before[row.id]
            with get_storage().open(row.storage_key) as handle:
                assert len(handle.read()) == row.size_bytes


@pytest.mark.parametrize("backend", ["filesystem"])
def test_migrate_without_a_bucket_says_what_is_missing(runner):
    result = runner.invoke(args=["storage", "migrate", "--to", "s3"])
    assert result.exit_code == 1 and "S3_BUCKET is not set" in result.output
