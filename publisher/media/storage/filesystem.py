"""Objects as files under a folder (``STORAGE=filesystem``, the default)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, cast

from publisher.media.storage.base import (
    CHUNK_SIZE,
    ObjectNotFound,
    Storage,
    StorageError,
    StoredObject,
    validate_key,
)
from publisher.media.storage.readers import BoundedReader


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

    def save(
        self,
        key: str,
        stream: BinaryIO,
        *,
        content_type: str,
        cache_control: str | None = None,
    ) -> StoredObject:
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

    def open(self, key: str, start: int = 0, end: int | None = None) -> BinaryIO:
        path = self._path(key)
        try:
            handle = open(path, "rb")  # noqa: SIM115  (the caller closes it)
        except FileNotFoundError as exc:
            raise ObjectNotFound(f"No stored object {key!r}.") from exc
        handle.seek(start)
        if end is None:
            return handle
        return cast(BinaryIO, BoundedReader(handle, end - start + 1))

    def stat(self, key: str) -> StoredObject:
        path = self._path(key)
        try:
            st = path.stat()
        except FileNotFoundError as exc:
            raise ObjectNotFound(f"No stored object {key!r}.") from exc
        etag = f"{st.st_mtime_ns:x}-{st.st_size:x}"
        modified = datetime.fromtimestamp(st.st_mtime, UTC)
        return StoredObject(key, st.st_size, None, etag, modified)

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink(missing_ok=True)
        except OSError as exc:
            raise StorageError(f"Could not delete {key!r}: {exc.strerror}") from exc

    def list_objects(self, prefix: str = "") -> Iterator[StoredObject]:
        if not self.root.exists():
            return
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and not path.name.startswith(".upload-"):
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

    def local_path(self, key: str) -> Path:
        return self._path(key)

    def describe(self) -> str:
        return f"the folder {self.root}"
