"""Where media bytes live.

``get_storage()`` returns the backend chosen by ``STORAGE`` (``filesystem`` or ``s3``).
Keys are ours (``shows/<show id>/<episode guid>/<slug>.<ext>``), never an uploader's path.

- ``base``: the ``Storage`` interface, the ``MultipartStore`` capability, errors;
- ``filesystem``: files under ``MEDIA_ROOT``;
- ``s3``: an S3-compatible bucket (the only module that imports boto3);
- ``readers``: bounded and ranged file objects over stored bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app

from publisher.config import DefaultConfig
from publisher.media.storage.base import (
    CHECK_PREFIX,
    CHUNK_SIZE,
    PROBE_PREFETCH,
    MultipartStore,
    ObjectNotFound,
    Storage,
    StorageError,
    StoredObject,
    validate_key,
)
from publisher.media.storage.filesystem import FilesystemStorage
from publisher.media.storage.readers import BoundedReader, RangedReader
from publisher.media.storage.s3 import S3Storage

__all__ = [
    "CHECK_PREFIX",
    "CHUNK_SIZE",
    "PROBE_PREFETCH",
    "BoundedReader",
    "FilesystemStorage",
    "MultipartStore",
    "ObjectNotFound",
    "RangedReader",
    "S3Storage",
    "Storage",
    "StorageError",
    "StoredObject",
    "create_storage",
    "get_storage",
    "validate_key",
]


def create_storage(config: Mapping[str, Any]) -> Storage:
    """The backend the configuration asks for."""
    kind = config.get("STORAGE", DefaultConfig.STORAGE)
    if kind == "filesystem":
        return FilesystemStorage(config["MEDIA_ROOT"])
    if kind == "s3":
        return S3Storage.from_config(config)
    raise ValueError(f"STORAGE must be 'filesystem' or 's3', not {kind!r}")


def get_storage() -> Storage:
    """The current app's storage, created once per app."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    storage: Storage | None = app.extensions.get("publisher.storage")
    if storage is None:
        storage = app.extensions["publisher.storage"] = create_storage(app.config)
    return storage
