"""Where media bytes live. The only module that imports boto3.

``get_storage()`` returns the backend chosen by ``STORAGE`` (``filesystem`` or ``s3``).
Keys are ours (``shows/<show id>/<episode guid>/<slug>.<ext>``), never an uploader's path.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from flask import current_app

from publisher.errors import PublisherError

CHUNK_SIZE = 1024 * 1024


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
    def list_keys(self, prefix: str = "") -> Iterator[str]:
        """Every key under prefix."""

    def public_url(self, key: str, expires: int | None = None) -> str | None:
        """A URL clients can fetch the object from directly, or None (app serves it)."""
        return None

    def local_path(self, key: str) -> Path | None:
        """The file on disk for a filesystem store, else None."""
        return None


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
            fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".upload-", suffix=".part")
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
        return _BoundedReader(handle, end - start + 1)

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

    def list_keys(self, prefix=""):
        if not self.root.exists():
            return
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and not path.name.startswith(".upload-"):
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    yield key

    def local_path(self, key):
        return self._path(key)


class _BoundedReader:
    """A file object that reads at most ``remaining`` bytes, then reports end of file."""

    def __init__(self, handle: BinaryIO, remaining: int) -> None:
        self.handle = handle
        self.remaining = remaining

    def read(self, size: int = -1) -> bytes:
        if self.remaining <= 0:
            return b""
        size = self.remaining if size is None or size < 0 else min(size, self.remaining)
        data = self.handle.read(size)
        self.remaining -= len(data)
        return data

    def close(self) -> None:
        self.handle.close()

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
        raise NotImplementedError("S3Storage arrives with the media pipeline")  # media issue
    raise ValueError(f"STORAGE must be 'filesystem' or 's3', not {kind!r}")


def get_storage() -> Storage:
    """The current app's storage, created once per app."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    storage = app.extensions.get("publisher.storage")
    if storage is None:
        storage = app.extensions["publisher.storage"] = create_storage(app.config)
    return storage
