"""Where media bytes live. The only module that imports boto3.

``get_storage()`` returns the backend chosen by ``STORAGE`` (``filesystem`` or ``s3``).
Keys are ours (``shows/<show id>/<episode guid>/<slug>.<ext>``), never an uploader's path.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import tempfile
import threading
import uuid
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO
from urllib.parse import quote

import boto3
from boto3.exceptions import Boto3Error
from boto3.s3.transfer import TransferConfig
from botocore.config import Config as BotoConfig
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    HTTPClientError,
    NoCredentialsError,
)
from botocore.exceptions import (
    ConnectionError as BotoConnectionError,
)
from flask import current_app
from s3transfer.exceptions import S3UploadFailedError as TransferUploadFailed

from publisher.errors import PublisherError

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1024 * 1024
CHECK_PREFIX = ".publisher-check/"
TEMP_PREFIX = ".upload-"  # the filesystem store's files being written
# The bucket lifecycle rule `storage setup` applies (and `storage check` looks for).
ABORT_UPLOADS_RULE_ID = "publisher-abort-incomplete-multipart-uploads"
# What a probe reads first: the ID3 tag (without a big picture) and the first frames.
PROBE_PREFETCH = 192 * 1024


class StorageError(PublisherError):
    """The store cannot be reached or refused an operation; the caller answers 503."""

    status_code = 503
    code = "storage_unavailable"


class ObjectNotFound(StorageError):
    status_code = 404
    code = "not_found"


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    content_type: str | None
    etag: str
    last_modified: datetime


def validate_key(key: str) -> str:
    """Refuse keys that could escape the store's root or are not plain relative paths."""
    path = PurePosixPath(key)
    if (
        not key
        or key.startswith("/")
        or "\\" in key
        or "\x00" in key
        or any(part in ("", ".", "..") for part in key.split("/"))
        or path.is_absolute()
    ):
        raise ValueError(f"invalid storage key: {key!r}")
    return key


class Storage(ABC):
    """The operations every backend offers."""

    @abstractmethod
    def save(
        self,
        key: str,
        stream: BinaryIO,
        *,
        content_type: str,
        cache_control: str | None = None,
    ) -> StoredObject:
        """Store the stream's bytes under key (streamed, never read whole)."""

    def save_file(
        self, key: str, path: str | Path, *, content_type: str, cache_control: str | None = None
    ) -> StoredObject:
        with open(path, "rb") as stream:
            return self.save(key, stream, content_type=content_type, cache_control=cache_control)

    @abstractmethod
    def open(self, key: str, start: int = 0, end: int | None = None) -> BinaryIO:
        """A readable stream of bytes start..end (inclusive; None = to the end)."""

    @abstractmethod
    def stat(self, key: str) -> StoredObject:
        """Size, type, etag and time of an object; ObjectNotFound if absent."""

    def size(self, key: str) -> int:
        return self.stat(key).size

    def exists(self, key: str) -> bool:
        try:
            self.stat(key)
        except ObjectNotFound:
            return False
        return True

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove an object; removing an absent one is not an error."""

    @abstractmethod
    def list_objects(self, prefix: str = "") -> Iterator[StoredObject]:
        """Every object under prefix, with its size and time (content_type may be None)."""

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        """Every key under prefix."""
        for stored in self.list_objects(prefix):
            yield stored.key

    def open_seekable(self, key: str) -> BinaryIO:
        """A seekable file object over the whole object, for probing in place: it reads
        only the parts asked for (ranged reads on S3)."""
        return self.open(key)

    def public_url(self, key: str, expires: int | None = None) -> str | None:
        """A URL clients can fetch the object from directly, or None (app serves it)."""
        return None

    def discard_unfinished(self, key: str) -> int:
        """Remove what an interrupted write to ``key`` left behind (partial files,
        unfinished multipart uploads); how many were removed. Only for writes known
        to be dead (see media/janitor.py)."""
        return 0

    def local_path(self, key: str) -> Path | None:
        """The file on disk for a filesystem store, else None."""
        return None

    def describe(self) -> str:
        """Where the objects live, for messages (no secrets)."""
        return type(self).__name__

    def check(self) -> list[str]:
        """Write, read back and delete a probe object; the steps done, or StorageError."""
        key = f"{CHECK_PREFIX}{uuid.uuid4().hex}"
        payload = b"publisher storage check " + key.encode()
        steps = []
        self.save(key, io.BytesIO(payload), content_type="text/plain")
        steps.append(f"wrote {key}")
        try:
            with self.open(key) as handle:
                if handle.read() != payload:
                    raise StorageError(f"Read back different bytes from {key}.")
            steps.append("read it back")
        finally:
            self.delete(key)
        if self.exists(key):
            raise StorageError(f"Deleted {key} but it is still there.")
        steps.append("deleted it")
        return steps


class FilesystemStorage(Storage):
    """Objects as files under a root folder. Writes go to a temporary file in the same
    folder and are renamed into place, so a crash never leaves a half file under a key."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()

    def _path(self, key: str) -> Path:
        path = (self.root / validate_key(key)).resolve()
        if not path.is_relative_to(self.root):
            raise ValueError(f"invalid storage key: {key!r}")
        return path

    def save(self, key, stream, *, content_type, cache_control=None):
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(
                dir=path.parent, prefix=f"{TEMP_PREFIX}{path.name}-", suffix=".part"
            )
            try:
                with os.fdopen(fd, "wb") as out:
                    shutil.copyfileobj(stream, out, CHUNK_SIZE)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp_name, path)
            except BaseException:
                Path(tmp_name).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise StorageError(f"Could not write to the media folder: {exc.strerror}") from exc
        return self.stat(key)

    def open(self, key, start=0, end=None):
        path = self._path(key)
        try:
            handle = open(path, "rb")  # noqa: SIM115  (the caller closes it)
        except FileNotFoundError as exc:
            raise ObjectNotFound(f"No stored object {key!r}.") from exc
        handle.seek(start)
        if end is None:
            return handle
        return BoundedReader(handle, end - start + 1)

    def stat(self, key):
        path = self._path(key)
        try:
            st = path.stat()
        except FileNotFoundError as exc:
            raise ObjectNotFound(f"No stored object {key!r}.") from exc
        etag = f"{st.st_mtime_ns:x}-{st.st_size:x}"
        modified = datetime.fromtimestamp(st.st_mtime, UTC)
        return StoredObject(key, st.st_size, None, etag, modified)

    def delete(self, key):
        try:
            self._path(key).unlink(missing_ok=True)
        except OSError as exc:
            raise StorageError(f"Could not delete {key!r}: {exc.strerror}") from exc

    def list_objects(self, prefix=""):
        if not self.root.exists():
            return
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and not path.name.startswith(TEMP_PREFIX):
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    st = path.stat()
                    yield StoredObject(
                        key,
                        st.st_size,
                        None,
                        f"{st.st_mtime_ns:x}-{st.st_size:x}",
                        datetime.fromtimestamp(st.st_mtime, UTC),
                    )

    def local_path(self, key):
        return self._path(key)

    def discard_unfinished(self, key):
        path = self._path(key)
        removed = 0
        for partial in path.parent.glob(f"{TEMP_PREFIX}{path.name}-*.part"):
            partial.unlink(missing_ok=True)
            removed += 1
        return removed

    def describe(self):
        return f"the folder {self.root}"


class BoundedReader:
    """A file object that reads at most ``remaining`` bytes of ``stream``, then reports
    end of file; its ``fileno`` lets a server sendfile() from the current offset."""

    def __init__(self, stream: BinaryIO, remaining: int) -> None:
        self.stream = stream
        self.remaining = remaining

    def read(self, size: int = -1) -> bytes:
        if self.remaining <= 0:
            return b""
        size = self.remaining if size is None or size < 0 else min(size, self.remaining)
        data = self.stream.read(size)
        self.remaining -= len(data)
        return data

    def fileno(self) -> int:
        return self.stream.fileno()

    def close(self) -> None:
        self.stream.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


_BOTO_LOCK = threading.Lock()
_BOTO_SESSIONS: dict[int, boto3.session.Session] = {}


def _boto_session() -> boto3.session.Session:
    """One boto3 session per process (credentials are read from the environment when it
    is first used, like boto3's default session)."""
    pid = os.getpid()  # never share across fork: each worker process gets its own
    if pid not in _BOTO_SESSIONS:
        _BOTO_SESSIONS.clear()
        _BOTO_SESSIONS[pid] = boto3.session.Session()
    return _BOTO_SESSIONS[pid]


class RangedReader(io.RawIOBase):
    """A seekable, read-only file object over a remote object of known size: every read
    is served from a small cache of fetched ranges or by one ranged fetch of at least
    ``block_size`` bytes. ``bytes_fetched`` and ``fetches`` say what it cost."""

    def __init__(
        self,
        fetch: Callable[[int, int], bytes],
        size: int,
        block_size: int = 64 * 1024,
        cache_bytes: int = 4 * 1024 * 1024,
    ) -> None:
        super().__init__()
        self._fetch = fetch  # (start, end inclusive) -> bytes
        self._size = size
        self._position = 0
        self.block_size = block_size
        self.cache_bytes = cache_bytes
        self._segments: OrderedDict[int, bytes] = OrderedDict()
        self.bytes_fetched = 0
        self.fetches = 0

    @property
    def size(self) -> int:
        return self._size

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise OSError("negative seek position")
        self._position = base + offset
        return self._position

    def preload(self, position: int, data: bytes) -> None:
        """Bytes already fetched (counted as such)."""
        if data:
            self._segments[position] = data
            self.bytes_fetched += len(data)
            self.fetches += 1

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        wanted = min(len(view), max(0, self._size - self._position))
        done = 0
        while done < wanted:
            chunk = self._cached(self._position, wanted - done)
            view[done : done + len(chunk)] = chunk
            done += len(chunk)
            self._position += len(chunk)
        return done

    def _cached(self, position: int, wanted: int) -> bytes:
        for start, data in self._segments.items():
            if start <= position < start + len(data):
                self._segments.move_to_end(start)
                offset = position - start
                return data[offset : offset + wanted]
        length = min(max(wanted, self.block_size), self._size - position)
        data = self._fetch(position, position + length - 1)
        if not data:
            raise StorageError("The stored object ended before its announced size.")
        self.bytes_fetched += len(data)
        self.fetches += 1
        self._segments[position] = data
        total = sum(len(d) for d in self._segments.values())
        while total > self.cache_bytes and len(self._segments) > 1:
            total -= len(self._segments.popitem(last=False)[1])
        return data[:wanted]


class S3Storage(Storage):
    """Objects in an S3-compatible bucket (AWS, MinIO, R2, moto…) through boto3.

    Uploads use boto3's managed transfer (multipart above ``multipart_threshold``, a few
    parts in flight, so memory stays bounded), with Content-Type and Cache-Control set.
    Credentials come from boto3's usual chain. Every boto3/botocore error becomes a
    StorageError (ObjectNotFound for a missing key).
    """

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        public_url: str | None = None,
        presign_expires: int = 3600,
        addressing_style: str | None = None,
        max_attempts: int = 4,
        connect_timeout: float = 5,
        read_timeout: float = 60,
        multipart_threshold: int = 16 * 1024 * 1024,
        multipart_chunksize: int = 8 * 1024 * 1024,
        max_concurrency: int = 4,
    ) -> None:
        if not bucket:
            raise ValueError("S3Storage needs a bucket name (S3_BUCKET)")
        self.bucket = bucket
        self.endpoint_url = endpoint_url or None
        self.public_base = public_url.rstrip("/") if public_url else None
        self.presign_expires = int(presign_expires)
        style = addressing_style or ("path" if endpoint_url else "auto")
        config = BotoConfig(
            region_name=region or None,
            signature_version="s3v4",
            retries={"max_attempts": int(max_attempts), "mode": "standard"},
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            s3={"addressing_style": style},
            # Presigned part URLs must not require checksum headers a browser won't send.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        with _BOTO_LOCK:  # building clients is not thread-safe; the shared session
            # keeps the parsed service model, so a new client costs milliseconds.
            self.client = _boto_session().client(
                "s3", endpoint_url=self.endpoint_url, region_name=region or None, config=config
            )
        self.transfer_config = TransferConfig(
            multipart_threshold=multipart_threshold,
            multipart_chunksize=multipart_chunksize,
            max_concurrency=max_concurrency,
            use_threads=True,
        )

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> S3Storage:
        if not config.get("S3_BUCKET"):
            raise ValueError("STORAGE is 's3' but S3_BUCKET is not set")
        options: dict[str, Any] = {}
        for key, option in (
            ("S3_ADDRESSING_STYLE", "addressing_style"),
            ("S3_MAX_ATTEMPTS", "max_attempts"),
            ("S3_CONNECT_TIMEOUT", "connect_timeout"),
            ("S3_READ_TIMEOUT", "read_timeout"),
            ("S3_MULTIPART_THRESHOLD_MB", "multipart_threshold"),
            ("S3_MULTIPART_CHUNK_MB", "multipart_chunksize"),
            ("S3_MAX_CONCURRENCY", "max_concurrency"),
        ):
            if config.get(key) is not None:
                value = config[key]
                options[option] = int(value) * 1024 * 1024 if key.endswith("_MB") else value
        return cls(
            config["S3_BUCKET"],
            endpoint_url=config.get("S3_ENDPOINT_URL"),
            region=config.get("S3_REGION"),
            public_url=config.get("S3_PUBLIC_URL"),
            presign_expires=config.get("S3_PRESIGN_EXPIRES") or 3600,
            **options,
        )

    def describe(self) -> str:
        where = self.endpoint_url or "AWS S3"
        return f"the bucket {self.bucket!r} at {where}"

    @contextmanager
    def _errors(self, action: str, key: str | None = None) -> Iterator[None]:
        """Turn every boto3/botocore failure into our StorageError with a clear message."""
        what = f" {key!r}" if key else ""
        try:
            yield
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = str(error.get("Code", ""))
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code == "NoSuchBucket":
                raise StorageError(
                    f"The bucket {self.bucket!r} does not exist at "
                    f"{self.endpoint_url or 'AWS S3'}; create it or fix S3_BUCKET."
                ) from exc
            if code in ("NoSuchKey", "NotFound", "404") or (status == 404 and key):
                raise ObjectNotFound(f"No stored object{what}.") from exc
            if code in ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403"):
                raise StorageError(
                    f"The media store refused to {action}{what} ({code}): check the S3 "
                    "credentials and the bucket policy."
                ) from exc
            raise StorageError(
                f"The media store could not {action}{what} ({code or status})."
            ) from exc
        except NoCredentialsError as exc:
            raise StorageError(
                "No S3 credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                "(or another boto3 credential source)."
            ) from exc
        except (BotoConnectionError, HTTPClientError) as exc:
            raise StorageError(
                f"The media store at {self.endpoint_url or 'AWS S3'} is unreachable, so we "
                f"could not {action}{what}. Nothing was saved; please try again shortly."
            ) from exc
        except (BotoCoreError, Boto3Error, TransferUploadFailed) as exc:
            cause = exc.__cause__ or exc.__context__
            if isinstance(cause, ClientError | BotoCoreError) and cause is not exc:
                with self._errors(action, key):
                    raise cause from exc
            raise StorageError(
                f"The media store could not {action}{what} ({exc.__class__.__name__})."
            ) from exc

    def _extra(self, content_type: str, cache_control: str | None) -> dict[str, str]:
        extra = {"ContentType": content_type}
        if cache_control:
            extra["CacheControl"] = cache_control
        return extra

    def save(self, key, stream, *, content_type, cache_control=None):
        validate_key(key)
        with self._errors("save", key):
            self.client.upload_fileobj(
                stream,
                self.bucket,
                key,
                ExtraArgs=self._extra(content_type, cache_control),
                Config=self.transfer_config,
            )
        return self.stat(key)

    def save_file(self, key, path, *, content_type, cache_control=None):
        validate_key(key)
        with self._errors("save", key):
            self.client.upload_file(
                str(path),
                self.bucket,
                key,
                ExtraArgs=self._extra(content_type, cache_control),
                Config=self.transfer_config,
            )
        return self.stat(key)

    def open(self, key, start=0, end=None):
        validate_key(key)
        options: dict[str, Any] = {}
        if start or end is not None:
            options["Range"] = f"bytes={start}-{'' if end is None else end}"
        with self._errors("read", key):
            response = self.client.get_object(Bucket=self.bucket, Key=key, **options)
        return _S3Body(response["Body"], self, key)

    def _read_range(self, key: str, start: int, end: int) -> bytes:
        with self._errors("read", key):
            response = self.client.get_object(
                Bucket=self.bucket, Key=key, Range=f"bytes={start}-{end}"
            )
            return response["Body"].read()

    def open_seekable(self, key: str, prefetch: int = PROBE_PREFETCH) -> RangedReader:
        """A seekable reader; its first request fetches the first ``prefetch`` bytes and
        learns the size from Content-Range (no HEAD): most probes need nothing more."""
        validate_key(key)
        with self._errors("read", key):
            try:
                response = self.client.get_object(
                    Bucket=self.bucket, Key=key, Range=f"bytes=0-{prefetch - 1}"
                )
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "InvalidRange":
                    raise
                response = None  # an empty object has no byte 0
            head = response["Body"].read() if response else b""
        size = int(response["ContentRange"].rsplit("/", 1)[1]) if response else 0
        reader = RangedReader(lambda start, end: self._read_range(key, start, end), size)
        reader.preload(0, head)
        return reader

    def stat(self, key):
        validate_key(key)
        with self._errors("read", key):
            head = self.client.head_object(Bucket=self.bucket, Key=key)
        return StoredObject(
            key,
            int(head["ContentLength"]),
            head.get("ContentType"),
            str(head.get("ETag", "")).strip('"'),
            head["LastModified"],
        )

    def delete(self, key):
        validate_key(key)
        with self._errors("delete", key):
            self.client.delete_object(Bucket=self.bucket, Key=key)

    def list_objects(self, prefix=""):
        with self._errors("list the objects in", self.bucket):
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=prefix
            )
            for page in pages:
                for item in page.get("Contents", []):
                    yield StoredObject(
                        item["Key"],
                        int(item["Size"]),
                        None,
                        str(item.get("ETag", "")).strip('"'),
                        item["LastModified"],
                    )

    def public_url(self, key, expires=None):
        validate_key(key)
        if self.public_base:
            return f"{self.public_base}/{quote(key)}"
        return self.presigned_get(key, expires)

    def presigned_get(self, key: str, expires: int | None = None) -> str:
        with self._errors("sign a URL for", key):
            return self.client.generate_presigned_url(
                "get_object",
                Params={"Bucket": self.bucket, "Key": key},
                ExpiresIn=int(expires or self.presign_expires),
            )

    def check(self) -> list[str]:
        with self._errors("reach the bucket", None):
            try:
                self.client.head_bucket(Bucket=self.bucket)
            except ClientError as exc:
                # HEAD answers carry no error code, only the status: 404 is the bucket.
                if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                    exc.response.setdefault("Error", {})["Code"] = "NoSuchBucket"
                raise
        return [f"bucket {self.bucket!r} exists", *super().check()]

    # -- multipart uploads straight from clients (media/direct.py) ---------------------

    def create_multipart_upload(
        self, key: str, content_type: str, metadata: dict[str, str] | None = None
    ) -> str:
        validate_key(key)
        with self._errors("start an upload to", key):
            response = self.client.create_multipart_upload(
                Bucket=self.bucket, Key=key, ContentType=content_type, Metadata=metadata or {}
            )
        return response["UploadId"]

    def stat_metadata(self, key: str) -> dict[str, str]:
        """The user metadata (x-amz-meta-*) of an object."""
        validate_key(key)
        with self._errors("read", key):
            return dict(self.client.head_object(Bucket=self.bucket, Key=key).get("Metadata", {}))

    def presigned_upload_part(
        self, key: str, upload_id: str, part_number: int, expires: int | None = None
    ) -> str:
        with self._errors("sign a URL for", key):
            return self.client.generate_presigned_url(
                "upload_part",
                Params={
                    "Bucket": self.bucket,
                    "Key": key,
                    "UploadId": upload_id,
                    "PartNumber": part_number,
                },
                ExpiresIn=int(expires or self.presign_expires),
            )

    def list_parts(self, key: str, upload_id: str) -> list[dict[str, Any]]:
        """[{"part_number", "etag", "size"}] of an unfinished upload, ObjectNotFound if the
        upload does not exist (finished, aborted or expired)."""
        parts: list[dict[str, Any]] = []
        with self._errors("read the upload", key):
            try:
                pages = self.client.get_paginator("list_parts").paginate(
                    Bucket=self.bucket, Key=key, UploadId=upload_id
                )
                for page in pages:
                    for part in page.get("Parts", []):
                        parts.append(
                            {
                                "part_number": int(part["PartNumber"]),
                                "etag": str(part["ETag"]).strip('"'),
                                "size": int(part["Size"]),
                            }
                        )
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") == "NoSuchUpload":
                    raise ObjectNotFound(f"No unfinished upload {upload_id!r}.") from exc
                raise
        return parts

    def complete_multipart_upload(self, key: str, upload_id: str, parts: list[dict]) -> None:
        with self._errors("finish the upload of", key):
            self.client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={
                    "Parts": [
                        {"PartNumber": p["part_number"], "ETag": f'"{p["etag"]}"'} for p in parts
                    ]
                },
            )

    def abort_multipart_upload(self, key: str, upload_id: str) -> None:
        with self._errors("cancel the upload of", key):
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)

    def list_multipart_uploads(self, prefix: str = "") -> Iterator[tuple[str, str, datetime]]:
        """(key, upload id, started) of every unfinished multipart upload under prefix."""
        with self._errors("list the uploads in", self.bucket):
            pages = self.client.get_paginator("list_multipart_uploads").paginate(
                Bucket=self.bucket, Prefix=prefix
            )
            for page in pages:
                for upload in page.get("Uploads", []):
                    yield upload["Key"], upload["UploadId"], upload["Initiated"]

    def discard_unfinished(self, key):
        validate_key(key)
        aborted = 0
        for upload_key, upload_id, _started in self.list_multipart_uploads(prefix=key):
            if upload_key == key:
                self.abort_multipart_upload(key, upload_id)
                aborted += 1
        return aborted

    def abort_uploads_rule_days(self) -> int | None:
        """Days after which the bucket's lifecycle aborts incomplete multipart uploads
        (the smallest such rule that is enabled and covers the whole bucket), or None."""
        with self._errors("read the lifecycle rules of", self.bucket):
            try:
                rules = self.client.get_bucket_lifecycle_configuration(Bucket=self.bucket)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") == "NoSuchLifecycleConfiguration":
                    return None
                raise
        days = [
            int(rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"])
            for rule in rules.get("Rules", [])
            if rule.get("Status") == "Enabled"
            and "AbortIncompleteMultipartUpload" in rule
            and not (rule.get("Filter") or {}).get("Prefix", rule.get("Prefix", ""))
        ]
        return min(days) if days else None

    def apply_abort_uploads_rule(self, days: int = 1) -> None:
        """Add (or replace) our lifecycle rule aborting incomplete multipart uploads after
        ``days``, keeping the bucket's other rules."""
        with self._errors("set the lifecycle rules of", self.bucket):
            try:
                current = self.client.get_bucket_lifecycle_configuration(Bucket=self.bucket)
                rules = [
                    r for r in current.get("Rules", []) if r.get("ID") != ABORT_UPLOADS_RULE_ID
                ]
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "NoSuchLifecycleConfiguration":
                    raise
                rules = []
            rules.append(
                {
                    "ID": ABORT_UPLOADS_RULE_ID,
                    "Status": "Enabled",
                    "Filter": {"Prefix": ""},
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": int(days)},
                }
            )
            self.client.put_bucket_lifecycle_configuration(
                Bucket=self.bucket, LifecycleConfiguration={"Rules": rules}
            )

    def copy(self, source: str, target: str, *, content_type: str, cache_control: str | None):
        """Server-side copy (multipart for large objects): no bytes through this process."""
        validate_key(target)
        extra = {**self._extra(content_type, cache_control), "MetadataDirective": "REPLACE"}
        with self._errors("copy", source):
            self.client.copy(
                {"Bucket": self.bucket, "Key": source},
                self.bucket,
                target,
                ExtraArgs=extra,
                Config=self.transfer_config,
            )
        return self.stat(target)


class _S3Body:
    """A GetObject body as a file object whose read errors become StorageError."""

    def __init__(self, body: Any, storage: S3Storage, key: str) -> None:
        self.body = body
        self.storage = storage
        self.key = key

    def read(self, size: int = -1) -> bytes:
        with self.storage._errors("read", self.key):
            return self.body.read(None if size is None or size < 0 else size)

    def iter_chunks(self, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
        while chunk := self.read(chunk_size):
            yield chunk

    def close(self) -> None:
        self.body.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def create_storage(config) -> Storage:
    """The backend the configuration asks for."""
    kind = config.get("STORAGE", "filesystem")
    if kind == "filesystem":
        return FilesystemStorage(config["MEDIA_ROOT"])
    if kind == "s3":
        return S3Storage.from_config(config)
    raise ValueError(f"STORAGE must be 'filesystem' or 's3', not {kind!r}")


def get_storage() -> Storage:
    """The current app's storage, created once per app."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    storage = app.extensions.get("publisher.storage")
    if storage is None:
        storage = app.extensions["publisher.storage"] = create_storage(app.config)
    return storage
