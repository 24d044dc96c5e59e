"""Helpers shared by the media tests: crafted files, counting readers, cover images."""

from __future__ import annotations

import io
import struct
import subprocess
import zlib
from pathlib import Path


def png_bytes(width: int = 8, height: int = 8, extra: int = 0) -> bytes:
    """A valid PNG; ``extra`` bytes of a private ancillary chunk make it as big as wanted."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    parts = [chunk(b"IHDR", header)]
    if extra:
        parts.append(chunk(b"prVt", b"\x00" * extra))
    parts += [chunk(b"IDAT", zlib.compress(rows)), chunk(b"IEND", b"")]
    return b"\x89PNG\r\n\x1a\n" + b"".join(parts)


class CountingReader(io.RawIOBase):
    """A seekable reader over a file that counts the bytes actually read."""

    def __init__(self, path: Path) -> None:
        self.handle = open(path, "rb")  # noqa: SIM115
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.handle.read(len(buffer))
        buffer[: len(data)] = data
        self.bytes_read += len(data)
        return len(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.handle.seek(offset, whence)

    def tell(self) -> int:
        return self.handle.tell()

    def close(self) -> None:
        self.handle.close()
        super().close()


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", *args], check=True)
