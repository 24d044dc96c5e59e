"""A live Publisher on 127.0.0.1 for the browser: a real WSGI server in a thread, real
audio in the filesystem store, and Chromium (Debian's, at /usr/bin/chromium) driven by
Playwright. Shared by the browser tests and the screenshot script."""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from werkzeug.serving import make_server

from publisher import create_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Let the tests start playback without a real user's gesture; keep the speakers quiet.
    "--autoplay-policy=no-user-gesture-required",
    "--mute-audio",
]


def launch_chromium(playwright):
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: run `make test`, which installs chromium")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def silent_mp3_with_chapters(
    directory: Path, seconds: int, chapters: list[tuple[int, str]]
) -> Path:
    """A quiet MP3 of ``seconds`` whose ID3 tag carries CHAP frames (ffmpeg writes them
    from an ffmetadata file), so the probe reads real chapters from real audio."""
    if shutil.which("ffmpeg") is None:
        raise RuntimeError("ffmpeg is required: run `make test`, which installs it")
    path = directory / f"silent-{seconds}s-{len(chapters)}ch.mp3"
    if path.exists():
        return path
    lines = [";FFMETADATA1", "title=Quiet test recording"]
    bounds = [start for start, _ in chapters[1:]] + [seconds]
    for (start, title), end in zip(chapters, bounds, strict=True):
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={start * 1000}", f"END={end * 1000}",
                  f"title={title}"]  # fmt: skip
    metadata = directory / f"{path.stem}.ffmeta"
    metadata.write_text("\n".join(lines) + "\n")
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", f"anullsrc=r=22050:cl=mono:d={seconds}",
         "-i", str(metadata), "-map_metadata", "1", "-map_chapters", "1",
         "-c:a", "libmp3lame", "-b:a", "32k", "-id3v2_version", "3", str(path)],
        check=True,
    )  # fmt: skip
    return path


class LiveServer:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        # Absolute URLs (enclosures, canonical links) must point at this server.
        app.config["PUBLIC_URL"] = self.url
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)
        self.server.server_close()


@contextmanager
def live_site(config: dict) -> Iterator[LiveServer]:
    """A migrated-database app served on a free port until the block ends."""
    app = create_app(config)
    server = LiveServer(app).start()
    try:
        yield server
    finally:
        server.stop()


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


class PageProblems(list):
    """Console errors and failed requests seen by a page (CSP violations land here)."""
