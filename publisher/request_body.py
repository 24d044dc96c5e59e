"""The request class: where request bodies are spooled, and what a failure there means.

Werkzeug keeps a multipart body in memory up to 500 KB and then in a temporary file.
``UPLOAD_TEMP_DIR`` puts those files on a disk chosen for them (the system's temporary
folder otherwise); a full disk or any OS error while the body is written there becomes
``TemporarySpaceError`` (503, a message people can act on), not a bare 500.
"""

from __future__ import annotations

from tempfile import SpooledTemporaryFile
from typing import IO

from flask import Request, current_app

from publisher.exceptions import TemporarySpaceError

IN_MEMORY_BYTES = 500 * 1024  # Werkzeug's own threshold


class PublisherRequest(Request):
    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        directory = current_app.config.get("UPLOAD_TEMP_DIR") or None
        return SpooledTemporaryFile(max_size=IN_MEMORY_BYTES, mode="rb+", dir=directory)

    def _load_form_data(self) -> None:
        try:
            super()._load_form_data()
        except OSError as exc:
            # Parse once: later reads of form/files see an empty body, not a half one.
            empty = self.parameter_storage_class
            self.__dict__.update(form=empty(), files=empty())
            raise TemporarySpaceError.from_os_error(exc) from exc
