"""File objects over stored bytes: a bounded reader (a byte range of an open file) and a
seekable reader over a remote object that fetches ranges on demand."""

from __future__ import annotations

import io
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, BinaryIO, Self

from publisher.media.storage.base import StorageError


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

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class RangedReader(io.RawIOBase, BinaryIO):
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
