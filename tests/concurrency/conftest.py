"""Live-server fixtures: the README's gunicorn command against the test database, with
the media in the local folder or in the loopback S3 server.

Starting gunicorn costs seconds, so one server serves a whole module per store; every
test gets its own rows (the ``app`` fixture empties the tables) and an empty store."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from publisher.media.storage import get_storage
from tests.concurrency.live import Gunicorn, gunicorn
from tests.s3server import s3_config


@pytest.fixture(scope="module", params=["filesystem", pytest.param("s3", marks=pytest.mark.s3)])
def store(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def store_config(request, store: str, tmp_path_factory) -> Iterator[dict[str, Any]]:
    """The media store shared by the module's server and its tests' apps."""
    if store == "filesystem":
        yield {"MEDIA_ROOT": str(tmp_path_factory.mktemp("live-media"))}
        return
    server = request.getfixturevalue("s3_server")
    bucket = f"publisher-live-{uuid.uuid4().hex[:12]}"
    server.client.create_bucket(Bucket=bucket)
    yield s3_config(server, bucket)
    for upload in server.client.list_multipart_uploads(Bucket=bucket).get("Uploads", []):
        server.client.abort_multipart_upload(
            Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"]
        )
    for page in server.client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            server.client.delete_object(Bucket=bucket, Key=item["Key"])
    server.client.delete_bucket(Bucket=bucket)


@pytest.fixture
def app_config(store_config: dict[str, Any]) -> dict[str, Any]:
    return dict(store_config)


@pytest.fixture(scope="module")
def live(migrated_database: str, store_config, tmp_path_factory) -> Iterator[Gunicorn]:
    """gunicorn serving the test database and the module's store."""
    config = {"SQLALCHEMY_DATABASE_URI": migrated_database, **store_config}
    with gunicorn(config, tmp_path_factory.mktemp("live-logs")) as server:
        yield server


@pytest.fixture(autouse=True)
def empty_store(app) -> Iterator[None]:
    """Each test starts and ends with an empty store."""
    yield
    with app.app_context():
        storage = get_storage()
        for key in list(storage.list_keys()):
            storage.delete(key)


@pytest.fixture
def token(factory) -> str:
    return factory.token(factory.user(role="admin"))
