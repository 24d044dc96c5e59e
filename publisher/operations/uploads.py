"""Direct-to-bucket multipart uploads driven part by part by the studio's uploader
(Uppy): sign one part, list the parts S3 holds (to resume), abort (to cancel).

Starting and completing go through ``operations.episodes`` (start_direct_upload,
complete_direct_upload); these helpers only check that the key is one of this show's
staging keys, so a producer cannot sign or cancel someone else's upload.
"""

from __future__ import annotations

from typing import Any

from publisher.exceptions import NotFound, ValidationError
from publisher.media.direct import (
    abort_direct_upload,
    sign_upload_part,
    staging_prefix,
    uploaded_parts,
)
from publisher.media.storage import ObjectNotFound
from publisher.models import Show


def _checked(show: Show, key: Any, upload_id: Any) -> tuple[str, str]:
    if not isinstance(key, str) or not key.startswith(staging_prefix(show)) or ".." in key:
        raise ValidationError("This upload key does not belong to this show's uploads.")
    if not isinstance(upload_id, str) or not upload_id or len(upload_id) > 1024:
        raise ValidationError("The upload id is missing.")
    return key, upload_id


def sign_part(show: Show, key: Any, upload_id: Any, part_number: Any) -> str:
    key, upload_id = _checked(show, key, upload_id)
    if isinstance(part_number, bool) or not isinstance(part_number, int):
        raise ValidationError("The part number must be a whole number.")
    if not 1 <= part_number <= 10_000:
        raise ValidationError("Part numbers go from 1 to 10,000.")
    return sign_upload_part(key, upload_id, part_number)


def list_parts(show: Show, key: Any, upload_id: Any) -> list[dict[str, Any]]:
    key, upload_id = _checked(show, key, upload_id)
    try:
        return uploaded_parts(key, upload_id)
    except ObjectNotFound:
        raise NotFound(
            "This upload can no longer be resumed (it was completed, cancelled or has "
            "expired). Start it again."
        ) from None


def abort_upload(show: Show, key: Any, upload_id: Any) -> None:
    """Cancel: S3 drops the parts it holds; nothing is left behind."""
    key, upload_id = _checked(show, key, upload_id)
    abort_direct_upload(key, upload_id)
