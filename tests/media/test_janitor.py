"""The storage ledger and its janitor (issue 16, #4-5), and the S3 lifecycle rule.

Every write is recorded in ``storage_writes`` (its own committed transaction) before the
first byte goes out and settled with the row that references it; the janitor removes
what unsettled, expired entries name, and never lists the store to find it."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from publisher.extensions import db
from publisher.media import ledger
from publisher.media.cleanup import delete_on_rollback
from publisher.media.janitor import run_janitor
from publisher.media.storage import S3Storage, StorageError, get_storage
from publisher.models import Show, StorageWrite, utcnow
from publisher.operations.episodes import create_episode
from tests.s3server import bucket_keys

LATER = timedelta(hours=1)


def entries(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(StorageWrite.id)))


def stored_keys(app) -> list[str]:
    with app.app_context():
        return sorted(k for k in get_storage().list_keys() if not k.startswith("."))


def test_an_upload_settles_its_ledger_entries_with_the_row(app, factory, audio, backend):
    show = factory.show()
    with app.app_context(), audio("mp3", seconds=2).open("rb") as stream:
        create_episode(db.session.get(Show, show.id), stream, "ep.mp3", {})
        assert entries(app) == 1  # recorded and committed before the write
        db.session.commit()
    assert entries(app) == 0
    with app.app_context():
        report = run_janitor(now=utcnow() + LATER)
    assert report.removed == [] and len(stored_keys(app)) == 1


def test_the_janitor_removes_a_written_object_no_row_took(app, factory, backend):
    """The 20-30 ms between the write and the commit: a complete object, no row."""
    show = factory.show()
    key = f"shows/{show.id}/crashed/episode.mp3"
    with app.app_context():
        ledger.record(key)
        get_storage().save(key, io.BytesIO(b"ID3 bytes"), content_type="audio/mpeg")
        db.session.rollback()  # the process "died": nothing else happens
        early = run_janitor()
        assert early.removed == []  # still within its grace: maybe an upload in progress
        report = run_janitor(now=utcnow() + LATER)
    assert report.removed == [key]
    assert stored_keys(app) == [] and entries(app) == 0


def test_the_janitor_keeps_an_object_a_row_references(app, factory, backend):
    episode = factory.episode()
    with app.app_context():
        get_storage().save(episode.storage_key, io.BytesIO(b"bytes"), content_type="audio/mpeg")
        ledger.record(episode.storage_key)
        db.session.rollback()
        report = run_janitor(now=utcnow() + LATER)
    assert report.kept == [episode.storage_key] and report.removed == []
    assert stored_keys(app) == [episode.storage_key] and entries(app) == 0


def test_a_row_whose_entry_the_janitor_took_is_not_committed(app, factory, backend):
    """A write that outlived the grace: the janitor removed its object, so the row that
    would point at it must not commit (503), and nothing stays behind."""
    show = factory.show()
    key = f"shows/{show.id}/slow/episode.mp3"
    with app.app_context():
        storage = get_storage()
        ledger.record(key)
        delete_on_rollback(key, storage)
        storage.save(key, io.BytesIO(b"bytes"), content_type="audio/mpeg")
        with app.app_context():  # another process, minutes later
            assert run_janitor(now=utcnow() + LATER).removed == [key]
        with pytest.raises(StorageError, match="took longer"):
            ledger.settle()
        db.session.rollback()
    assert stored_keys(app) == [] and entries(app) == 0


@pytest.mark.s3
@pytest.mark.parametrize("backend", ["s3"], indirect=True)
def test_the_janitor_aborts_unfinished_multipart_uploads_without_listing_the_bucket(
    app, factory, s3_client, s3_bucket, monkeypatch, backend
):
    show = factory.show()
    key = f"shows/{show.id}/killed/episode.wav"
    with app.app_context():
        storage = get_storage()
        ledger.record(key)
        upload_id = storage.create_multipart_upload(key, "audio/wav")
        s3_client.upload_part(Bucket=s3_bucket, Key=key, UploadId=upload_id, PartNumber=1,
                              Body=b"x" * (5 * 1024 * 1024))  # fmt: skip
        other = storage.create_multipart_upload(f"{key}.other", "audio/wav")  # not ours
        db.session.rollback()

        def no_listing(*args, **kwargs):
            raise AssertionError("the janitor must not list the bucket")

        monkeypatch.setattr(S3Storage, "list_objects", no_listing)
        report = run_janitor(now=utcnow() + LATER)
    assert report.uploads_aborted == 1 and report.removed == [key]
    uploads = s3_client.list_multipart_uploads(Bucket=s3_bucket).get("Uploads", [])
    assert [(u["Key"], u["UploadId"]) for u in uploads] == [(f"{key}.other", other)]


@pytest.mark.s3
@pytest.mark.parametrize("backend", ["s3"], indirect=True)
def test_an_object_the_store_kept_before_failing_is_removed_by_the_janitor(
    app, factory, audio, flaky_s3, s3_client, s3_bucket, backend
):
    """The store takes the bytes, then fails (the read-back after the upload): the
    answer says nothing was saved, and the key was tracked before the write, so the
    janitor removes the object once the store is back."""
    show = factory.show()
    data = audio("mp3", seconds=2).read_bytes()
    app.config["S3_ENDPOINT_URL"] = flaky_s3.endpoint_url
    app.extensions.pop("publisher.storage", None)
    flaky_s3.cut_after(len(data) + 1)  # down once the object's bytes have passed
    with app.app_context():
        with pytest.raises(StorageError):
            create_episode(db.session.get(Show, show.id), io.BytesIO(data), "ep.mp3", {})
        db.session.rollback()
    assert len(bucket_keys(s3_client, s3_bucket)) == 1  # the store did keep it
    assert entries(app) == 1
    flaky_s3.up()
    with app.app_context():
        report = run_janitor(now=utcnow() + LATER)
    assert len(report.removed) == 1
    assert bucket_keys(s3_client, s3_bucket) == [] and entries(app) == 0


@pytest.mark.s3
@pytest.mark.parametrize("backend", ["s3"], indirect=True)
def test_storage_setup_adds_the_lifecycle_rule_that_storage_check_reports(
    runner, s3_client, s3_bucket, backend
):
    s3_client.put_bucket_lifecycle_configuration(
        Bucket=s3_bucket,
        LifecycleConfiguration={"Rules": [{"ID": "logs", "Status": "Enabled",
                                           "Filter": {"Prefix": "logs/"},
                                           "Expiration": {"Days": 30}}]},
    )  # fmt: skip
    before = runner.invoke(args=["storage", "check"])
    assert before.exit_code == 0, before.output
    assert "no lifecycle rule aborts incomplete multipart uploads" in before.output
    setup = runner.invoke(args=["storage", "setup"])
    assert setup.exit_code == 0, setup.output
    rules = s3_client.get_bucket_lifecycle_configuration(Bucket=s3_bucket)["Rules"]
    assert {rule["ID"] for rule in rules} == {
        "logs",
        "publisher-abort-incomplete-multipart-uploads",
    }
    ours = next(rule for rule in rules if rule["ID"].startswith("publisher"))
    assert ours["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}
    after = runner.invoke(args=["storage", "check"])
    assert "incomplete multipart uploads are aborted after 1 day(s)" in after.output
    again = runner.invoke(args=["storage", "setup"])  # idempotent
    assert again.exit_code == 0
    rules = s3_client.get_bucket_lifecycle_configuration(Bucket=s3_bucket)["Rules"]
    assert len(rules) == 2


def test_storage_janitor_command_reports_what_it_removed(app, runner, factory, backend):
    show = factory.show()
    key = f"shows/{show.id}/crashed/episode.mp3"
    with app.app_context():
        ledger.record(key)
        get_storage().save(key, io.BytesIO(b"bytes"), content_type="audio/mpeg")
        db.session.rollback()
    fresh = runner.invoke(args=["storage", "janitor"])
    assert fresh.exit_code == 0 and "0 unfinished write(s) removed" in fresh.output
    result = runner.invoke(args=["storage", "janitor", "--grace-minutes", "0"])
    assert result.exit_code == 0, result.output
    assert f"removed\t{key}" in result.output
    assert stored_keys(app) == []
