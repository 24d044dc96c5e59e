"""Opening audio with PyAV, from a path or any readable file object (a stored object read
as a stream: PyAV pulls bytes as it decodes, the file is never read whole)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

import av

from publisher.exceptions import PublisherError

logger = logging.getLogger(__name__)

# PyAV reads a Python file object through a buffer of this size.
IO_BUFFER_SIZE = 256 * 1024


class AudioDecodeError(PublisherError):
    """The stored audio could not be decoded (damaged, or not audio at all)."""

    status_code = 422
    code = "audio_not_decodable"


@contextmanager
def open_audio(source: str | Path | BinaryIO) -> Iterator[tuple[Any, Any]]:
    """(container, first audio stream) of ``source``; AudioDecodeError when PyAV cannot
    read it or it holds no audio."""
    try:
        if isinstance(source, str | Path):
            container = av.open(str(source), mode="r")
        else:
            container = av.open(source, mode="r", buffer_size=IO_BUFFER_SIZE)
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise AudioDecodeError(f"This file is not audio we can decode ({_reason(exc)}).") from exc
    try:
        if not container.streams.audio:
            raise AudioDecodeError("This file has no audio stream.")
        yield container, container.streams.audio[0]
    finally:
        container.close()


def decoded_frames(container: Any, stream: Any) -> Iterator[Any]:
    """The stream's audio frames; a damaged packet is skipped (as players do), a failure
    of the container itself is an AudioDecodeError."""
    try:
        for packet in container.demux(stream):
            try:
                frames = packet.decode()
            except av.InvalidDataError:
                logger.info("Skipped an undecodable packet at %s", packet.pts)
                continue
            yield from frames
    except av.FFmpegError as exc:
        raise AudioDecodeError(
            f"The audio could not be decoded to its end ({_reason(exc)})."
        ) from exc


def _reason(exc: BaseException) -> str:
    text = str(getattr(exc, "strerror", None) or exc).strip()
    return text[:200] or exc.__class__.__name__
