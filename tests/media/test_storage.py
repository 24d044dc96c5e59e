"""The same storage behaviour on both backends: the filesystem store and S3Storage talking
HTTP to the loopback S3 server."""

from __future__ import annotations

import io
import os
import urllib.request

import pytest

from publisher.media.storage import (
    FilesystemStorage,
    ObjectNotFound,
    RangedReader,
    S3Storage,
    StorageError,
    create_storage,
)
from tests.s3server import bucket_keys, s3_config


@pytest.fixture
def store(request, backend, tmp_path):
    if backend == "filesystem":
        return FilesystemStorage(tmp_path / "media")
    server, bucket = request.getfixturevalue("s3_server"), request.getfixturevalue("s3_bucket")
    return create_storage(s3_config(server, bucket))


def test_save_stat_open_range_list_delete(store):
    saved = store.save("shows/1/g/a.mp3", io.BytesIO(b"0123456789"), content_type="audio/mpeg")
    assert (saved.key, saved.size) == ("shows/1/g/a.mp3", 10)
    assert store.size("shows/1/g/a.mp3") == 10 and store.exists("shows/1/g/a.mp3")
    with store.open("shows/1/g/a.mp3") as handle:
        assert handle.read() == b"0123456789"
    with store.open("shows/1/g/a.mp3", 2, 5) as handle:
        assert handle.read() == b"2345"
    with store.open("shows/1/g/a.mp3", 7) as handle:
        assert handle.read() == b"789"
    store.save("shows/2/h/b.mp3", io.BytesIO(b"x"), content_type="audio/mpeg")
    assert list(store.list_keys("shows/1/")) == ["shows/1/g/a.mp3"]
    assert sorted(o.key for o in store.list_objects()) == ["shows/1/g/a.mp3", "shows/2/h/b.mp3"]
    store.delete("shows/1/g/a.mp3")
    store.delete("shows/1/g/a.mp3")  # absent: not an error
    assert not store.exists("shows/1/g/a.mp3")
    with pytest.raises(ObjectNotFound):
        store.open("shows/1/g/a.mp3")
    with pytest.raises(ObjectNotFound):
        store.stat("shows/1/g/a.mp3")


@pytest.mark.parametrize("key", ["../../etc/passwd", "/etc/passwd", "a/../../b", "a//b", ""])
def test_keys_are_validated_on_every_backend(store, key):
    with pytest.raises(ValueError, match="invalid storage key"):
        store.save(key, io.BytesIO(b"x"), content_type="text/plain")


def test_seekable_reader_reads_only_what_is_asked(store):
    data = os.urandom(300 * 1024)
    store.save("k/big.bin", io.BytesIO(data), content_type="application/octet-stream")
    with store.open_seekable("k/big.bin") as handle:
        handle.seek(-100, os.SEEK_END)
        assert handle.read() == data[-100:]
        handle.seek(1000)
        assert handle.read(10) == data[1000:1010]
        assert handle.read(5) == data[1010:1015]
        if isinstance(handle, RangedReader):
            # The first 192 KB come with the opening request, then 100 bytes at the end.
            assert (handle.fetches, handle.bytes_fetched) == (2, 192 * 1024 + 100)


def test_check_writes_reads_and_deletes_a_probe_object(store):
    steps = store.check()
    assert any("read it back" in step for step in steps)
    assert list(store.list_keys()) == []


@pytest.mark.s3
@pytest.mark.parametrize("backend", ["s3"])
def test_s3_sets_content_type_and_cache_control(store, s3_client, s3_bucket):
    store.save("a.mp3", io.BytesIO(b"abc"), content_type="audio/mpeg", cache_control="public")
    head = s3_client.head_object(Bucket=s3_bucket, Key="a.mp3")
    assert (head["ContentType"], head["CacheControl"]) == ("audio/mpeg", "public")
    assert store.stat("a.mp3").content_type == "audio/mpeg"


@pytest.mark.s3
def test_large_files_go_up_in_parts(s3_server, s3_bucket, s3_client, tmp_path):
    store = S3Storage(
        s3_bucket,
        endpoint_url=s3_server.endpoint_url,
        region="us-east-1",
        multipart_threshold=5 * 1024 * 1024,
        multipart_chunksize=5 * 1024 * 1024,
    )
    path = tmp_path / "big.bin"
    path.write_bytes(os.urandom(11 * 1024 * 1024))
    saved = store.save_file("big.bin", path, content_type="audio/mpeg")
    assert saved.size == path.stat().st_size
    assert saved.etag.endswith("-3")  # S3's mark of a three-part upload
    assert bucket_keys(s3_client, s3_bucket) == ["big.bin"]


@pytest.mark.s3
@pytest.mark.parametrize("backend", ["s3"])
def test_presigned_url_serves_the_object_over_http(store):
    store.save("shows/1/g/a b.mp3", io.BytesIO(b"sound"), content_type="audio/mpeg")
    url = store.public_url("shows/1/g/a b.mp3", expires=60)
    assert "X-Amz-Signature=" in url
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.read() == b"sound"
        assert response.headers["Content-Type"] == "audio/mpeg"


@pytest.mark.s3
def test_public_base_url_is_used_when_configured(s3_server, s3_bucket):
    config = s3_config(s3_server, s3_bucket, S3_PUBLIC_URL="https://cdn.example.com/media/")
    store = create_storage(config)
    assert (
        store.public_url("shows/1/g/a b.mp3") == "https://cdn.example.com/media/shows/1/g/a%20b.mp3"
    )
    assert store.local_path("shows/1/g/a.mp3") is None


@pytest.mark.s3
def test_missing_bucket_and_unreachable_server_are_storage_errors(s3_server):
    missing = create_storage(s3_config(s3_server, "no-such-bucket-here"))
    with pytest.raises(StorageError, match="does not exist"):
        missing.check()
    with pytest.raises(StorageError, match="does not exist") as caught:
        missing.save("a", io.BytesIO(b"x"), content_type="text/plain")
    assert caught.value.status_code == 503
    down = S3Storage("b", endpoint_url="http://127.0.0.1:9", max_attempts=1, connect_timeout=1)
    with pytest.raises(StorageError, match="unreachable") as caught:
        down.stat("a")
    assert caught.value.status_code == 503 and caught.value.code == "storage_unavailable"


def test_s3_needs_a_bucket():
    with pytest.raises(ValueError, match="S3_BUCKET"):
        create_storage({"STORAGE": "s3"})


def test_probing_in_place_reads_a_few_hundred_kilobytes(store, long_mp3):
    from publisher.media.probe import probe

    path = long_mp3(xing=True)
    store.save_file("long.mp3", path, content_type="audio/mpeg")
    with store.open_seekable("long.mp3") as handle:
        info = probe(handle, "long.mp3")
        if isinstance(handle, RangedReader):
            assert handle.bytes_fetched < 256 * 1024  # of 2.4 MB
    assert info.duration_seconds == pytest.approx(600, abs=0.05)
