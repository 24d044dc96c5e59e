"""What every media store offers: the ``Storage`` base class, the ``MultipartStore``
capability (stores that take multipart uploads straight from clients), the stored-object
record, key validation and our storage errors. Imports neither boto3 nor Flask.
"""

from __future__ import annotations

import io
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from publisher.errors import PublisherError

CHUNK_SIZE = 1024 * 1024
CHECK_PREFIX = ".publisher-check/"
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


class MultipartStore(Storage):
    """A store that takes multipart uploads straight from clients (presigned part URLs)
    and copies objects server-side: what direct uploads (``media/direct.py``) and the
    orphan sweep need. Ask ``isinstance(storage, MultipartStore)`` for the capability."""

    @abstractmethod
    def create_multipart_upload(
        self, key: str, content_type: str, metadata: dict[str, str] | None = None
    ) -> str:
        """Start an upload to key; its upload id."""

    @abstractmethod
    def stat_metadata(self, key: str) -> dict[str, str]:
        """The user metadata of an object."""

    @abstractmethod
    def presigned_upload_part(
        self, key: str, upload_id: str, part_number: int, expires: int | None = None
    ) -> str:
        """A URL a client PUTs one part to."""

    @abstractmethod
    def list_parts(self, key: str, upload_id: str) -> list[dict[str, Any]]:
        """[{"part_number", "etag", "size"}] of an unfinished upload, ObjectNotFound if the
        upload does not exist (finished, aborted or expired)."""

    @abstractmethod
    def complete_multipart_upload(
        self, key: str, upload_id: str, parts: list[dict[str, Any]]
    ) -> None:
        """Join the parts into the object under key."""

    @abstractmethod
    def abort_multipart_upload(self, key: str, upload_id: str) -> None:
        """Cancel an unfinished upload and drop its parts."""

    @abstractmethod
    def list_multipart_uploads(self, prefix: str = "") -> Iterator[tuple[str, str, datetime]]:
        """(key, upload id, started) of every unfinished multipart upload under prefix."""

    @abstractmethod
    def copy(
        self, source: str, target: str, *, content_type: str, cache_control: str | None
    ) -> StoredObject:
        """Server-side copy: no bytes through this process."""
