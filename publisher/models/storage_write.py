"""The storage ledger: a key is written here, committed, before any byte goes to the store."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from publisher.extensions import db
from publisher.models.base import UTCDateTime, utcnow


class StorageWrite(db.Model):
    """A write to the media store that has not been settled yet.

    Recorded in its own short transaction before the write starts; deleted in the same
    transaction as the row that references the key. An entry still here after
    ``expires_at`` belongs to a write whose request crashed or failed: the janitor
    (``publisher.media.janitor``) removes the object and any unfinished upload to it.
    """

    __tablename__ = "storage_writes"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    def __repr__(self) -> str:
        return f"<StorageWrite {self.id} {self.key}>"
