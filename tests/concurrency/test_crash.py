"""A worker killed mid-upload leaves nothing once the janitor ran (issue 16, #5).

gunicorn (one worker) receives an upload; the test SIGKILLs the worker while it writes
to the store: an open multipart upload on S3, a partial file in the local folder. The
storage ledger still names the key, and ``storage janitor`` removes every trace without
listing the store."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from publisher.extensions import db
from publisher.media.storage import get_storage
from publisher.models import Episode, StorageWrite
from tests.concurrency.live import gunicorn, upload
from tests.media.helpers import ffmpeg


@pytest.fixture(scope="module")
def big_wav(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("crash-audio") / "long.wav"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=220:sample_rate=44100:duration=180",
           "-ac", "2", "-c:a", "pcm_s16le", str(path))  # fmt: skip
    return path.read_bytes()  # 31 MB


def debris(app, store: str, s3_config) -> list[str]:
    """What an interrupted write left: open multipart uploads, or partial files."""
    if store == "s3":
        client = s3_config["client"]
        uploads = client.list_multipart_uploads(Bucket=app.config["S3_BUCKET"])
        return [u["Key"] for u in uploads.get("Uploads", [])]
    return [str(p) for p in Path(app.config["MEDIA_ROOT"]).rglob(".upload-*")]


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_janitor_removes_what_a_worker_killed_mid_upload_left(
    request, app, store, factory, token, runner, big_wav, tmp_path
):
    extra = {}
    inspect = {}
    if store == "s3":
        inspect["client"] = request.getfixturevalue("s3_server").client
        extra = {"S3_MULTIPART_THRESHOLD_MB": 5, "S3_MULTIPART_CHUNK_MB": 5,
                 "S3_MAX_CONCURRENCY": 1}  # fmt: skip
    show = factory.show()
    config = {**app.config, **extra}
    caught = False
    with gunicorn(config, tmp_path, WEB_CONCURRENCY="1") as server:
        for attempt in range(3):  # the local store writes fast: the kill may come late
            (worker,) = server.wait_for_workers(1)
            answers: list = []
            sender = threading.Thread(
                target=lambda answers=answers, title=f"Try {attempt}": answers.append(
                    _quietly(upload, server.url, token, show.slug, big_wav, title=title)
                )
            )
            sender.start()
            deadline = time.monotonic() + 60
            while not debris(app, store, inspect) and time.monotonic() < deadline:
                if answers:
                    break  # finished before we could catch it mid-write
                time.sleep(0.001)
            if debris(app, store, inspect):
                os.kill(worker, signal.SIGKILL)
                caught = True
            sender.join(timeout=60)
            if caught:
                break
            server.wait_for_workers(1)
    assert caught, "never caught the worker while it wrote to the store"
    assert debris(app, store, inspect)
    assert count(app, StorageWrite) >= 1  # the ledger knew before the first byte
    assert count(app, Episode) == attempt  # earlier tries that finished, if any

    result = runner.invoke(args=["storage", "janitor", "--grace-minutes", "0"])
    assert result.exit_code == 0, result.output
    assert "removed\t" in result.output

    assert debris(app, store, inspect) == []
    assert count(app, StorageWrite) == 0
    with app.app_context():
        referenced = {key for (key,) in db.session.execute(select(Episode.storage_key))}
        stored = {k for k in get_storage().list_keys() if not k.endswith((".jpg", ".png"))}
    assert stored == referenced


def _quietly(call, *args, **kwargs):
    """The answer, or the connection error of a request whose worker was killed."""
    try:
        return call(*args, **kwargs)
    except OSError as exc:
        return exc
