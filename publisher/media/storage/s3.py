"""Objects in an S3-compatible bucket (``STORAGE=s3``). The only module that imports boto3."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Self, cast
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
from s3transfer.exceptions import S3UploadFailedError as TransferUploadFailed

from publisher.config import DefaultConfig
from publisher.media.storage.base import (
    PROBE_PREFETCH,
    MultipartStore,
    ObjectNotFound,
    StorageError,
    StoredObject,
    validate_key,
)
from publisher.media.storage.readers import RangedReader

MIB = 1024 * 1024

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


class S3Storage(MultipartStore):
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
        presign_expires: int = DefaultConfig.S3_PRESIGN_EXPIRES,
        addressing_style: str | None = DefaultConfig.S3_ADDRESSING_STYLE,
        max_attempts: int = DefaultConfig.S3_MAX_ATTEMPTS,
        connect_timeout: float = DefaultConfig.S3_CONNECT_TIMEOUT,
        read_timeout: float = DefaultConfig.S3_READ_TIMEOUT,
        multipart_threshold: int = DefaultConfig.S3_MULTIPART_THRESHOLD_MB * MIB,
        multipart_chunksize: int = DefaultConfig.S3_MULTIPART_CHUNK_MB * MIB,
        max_concurrency: int = DefaultConfig.S3_MAX_CONCURRENCY,
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
        threshold_mb = config.get("S3_MULTIPART_THRESHOLD_MB")
        chunk_mb = config.get("S3_MULTIPART_CHUNK_MB")
        options: dict[str, Any] = {
            "presign_expires": config.get("S3_PRESIGN_EXPIRES") or None,
            "addressing_style": config.get("S3_ADDRESSING_STYLE"),
            "max_attempts": config.get("S3_MAX_ATTEMPTS"),
            "connect_timeout": config.get("S3_CONNECT_TIMEOUT"),
            "read_timeout": config.get("S3_READ_TIMEOUT"),
            "multipart_threshold": None if threshold_mb is None else int(threshold_mb) * MIB,
            "multipart_chunksize": None if chunk_mb is None else int(chunk_mb) * MIB,
            "max_concurrency": config.get("S3_MAX_CONCURRENCY"),
        }
        # A setting left out (a partial mapping) keeps the constructor's default.
        return cls(
            config["S3_BUCKET"],
            endpoint_url=config.get("S3_ENDPOINT_URL"),
            region=config.get("S3_REGION"),
            public_url=config.get("S3_PUBLIC_URL"),
            **{option: value for option, value in options.items() if value is not None},
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

    def save(
        self,
        key: str,
        stream: BinaryIO,
        *,
        content_type: str,
        cache_control: str | None = None,
    ) -> StoredObject:
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

    def save_file(
        self,
        key: str,
        path: str | Path,
        *,
        content_type: str,
        cache_control: str | None = None,
    ) -> StoredObject:
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

    def open(self, key: str, start: int = 0, end: int | None = None) -> BinaryIO:
        validate_key(key)
        options: dict[str, Any] = {}
        if start or end is not None:
            options["Range"] = f"bytes={start}-{'' if end is None else end}"
        with self._errors("read", key):
            response = self.client.get_object(Bucket=self.bucket, Key=key, **options)
        return cast(BinaryIO, _S3Body(response["Body"], self, key))

    def _read_range(self, key: str, start: int, end: int) -> bytes:
        with self._errors("read", key):
            response = self.client.get_object(
                Bucket=self.bucket, Key=key, Range=f"bytes={start}-{end}"
            )
            data: bytes = response["Body"].read()
            return data

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

    def stat(self, key: str) -> StoredObject:
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

    def delete(self, key: str) -> None:
        validate_key(key)
        with self._errors("delete", key):
            self.client.delete_object(Bucket=self.bucket, Key=key)

    def list_objects(self, prefix: str = "") -> Iterator[StoredObject]:
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

    def public_url(self, key: str, expires: int | None = None) -> str:
        validate_key(key)
        if self.public_base:
            return f"{self.public_base}/{quote(key)}"
        return self.presigned_get(key, expires)

    def presigned_get(self, key: str, expires: int | None = None) -> str:
        with self._errors("sign a URL for", key):
            url: str = self.client.generate_presigned_url(
                "get_object",
                Params={"Bucket": self.bucket, "Key": key},
                ExpiresIn=int(expires or self.presign_expires),
            )
            return url

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
        return str(response["UploadId"])

    def stat_metadata(self, key: str) -> dict[str, str]:
        """The user metadata (x-amz-meta-*) of an object."""
        validate_key(key)
        with self._errors("read", key):
            return dict(self.client.head_object(Bucket=self.bucket, Key=key).get("Metadata", {}))

    def presigned_upload_part(
        self, key: str, upload_id: str, part_number: int, expires: int | None = None
    ) -> str:
        with self._errors("sign a URL for", key):
            url: str = self.client.generate_presigned_url(
                "upload_part",
                Params={
                    "Bucket": self.bucket,
                    "Key": key,
                    "UploadId": upload_id,
                    "PartNumber": part_number,
                },
                ExpiresIn=int(expires or self.presign_expires),
            )
            return url

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

    def copy(
        self, source: str, target: str, *, content_type: str, cache_control: str | None
    ) -> StoredObject:
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
            data: bytes = self.body.read(None if size is None or size < 0 else size)
            return data

    def close(self) -> None:
        self.body.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
