"""Real audio files for tests, made with ffmpeg (installed by `make test`) and cached for
the session. Use the ``audio`` fixture: ``audio("mp3", seconds=5)`` returns a Path."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

# ffmpeg arguments per kind of file; the source is a tone with noise so VBR encoders vary.
FORMATS: dict[str, tuple[str, list[str]]] = {
    "mp3": ("mp3", ["-c:a", "libmp3lame", "-b:a", "64k"]),
    "mp3-vbr": ("mp3", ["-c:a", "libmp3lame", "-q:a", "4"]),
    "mp3-vbr-noxing": ("mp3", ["-c:a", "libmp3lame", "-q:a", "4", "-write_xing", "0"]),
    "m4a": ("m4a", ["-c:a", "aac", "-b:a", "64k"]),
    "ogg": ("ogg", ["-c:a", "libvorbis", "-q:a", "2"]),
    "opus": ("opus", ["-c:a", "libopus", "-b:a", "32k"]),
    "flac": ("flac", ["-c:a", "flac"]),
    "wav": ("wav", ["-c:a", "pcm_s16le"]),
}


def make_audio(
    directory: Path,
    kind: str = "mp3",
    seconds: float = 5.0,
    channels: int = 1,
    sample_rate: int = 44100,
    title: str | None = None,
) -> Path:
    """Encode ``seconds`` of sound as ``kind`` into ``directory`` and return the path."""
    if shutil.which("ffmpeg") is None:
        pytest.fail("ffmpeg is required for the audio fixtures: run `make test`, which installs it")
    extension, codec_args = FORMATS[kind]
    sample_rate = 48000 if kind == "opus" else sample_rate
    # Every argument that changes the bytes is part of the cached file's name.
    tagged = f"-t{hashlib.sha256(title.encode()).hexdigest()[:10]}" if title else ""
    name = f"{kind}-{seconds:g}s-{channels}ch-{sample_rate}{tagged}.{extension}"
    path = directory / name
    if path.exists():
        return path
    source = (
        f"sine=frequency=330:sample_rate={sample_rate}:duration={seconds}[a];"
        f"anoisesrc=color=pink:amplitude=0.2:sample_rate={sample_rate}:duration={seconds}"
        ":seed=20261127[b];"  # the same bytes on every run: failures reproduce
        f"[a][b]amix=inputs=2:duration=first"
    )
    command = ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-filter_complex", source,
               "-ac", str(channels), "-ar", str(sample_rate), *codec_args]  # fmt: skip
    if title:
        command += ["-metadata", f"title={title}"]
    subprocess.run([*command, str(path)], check=True)
    return path


@pytest.fixture(scope="session")
def audio(tmp_path_factory):
    """A function making real audio files: audio("m4a", seconds=3, channels=2)."""
    directory = tmp_path_factory.mktemp("audio")

    def make(kind: str = "mp3", seconds: float = 5.0, **options) -> Path:
        return make_audio(directory, kind, seconds, **options)

    return make
