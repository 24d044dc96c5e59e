"""docs/api.md's publish flow, run exactly as written (bash, curl, jq) on a live server."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import threading
from pathlib import Path
from xml.etree import ElementTree

import pytest
from werkzeug.serving import make_server

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def publish_flow_blocks() -> list[str]:
    text = DOC.read_text()
    section = text.split("<!-- publish-flow:start -->")[1].split("<!-- publish-flow:end -->")[0]
    return re.findall(r"```sh\n(.*?)```", section, flags=re.S)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


PORT = free_port()


@pytest.fixture
def app_config():
    return {"PUBLIC_URL": f"http://127.0.0.1:{PORT}"}


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", PORT, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{PORT}"
    server.shutdown()
    thread.join()


def test_doc_has_the_four_steps():
    blocks = publish_flow_blocks()
    assert len(blocks) == 4
    assert all("curl" in block for block in blocks)


def test_publish_flow_of_the_docs_works(live_server, editor_token, audio, tmp_path):
    for tool in ("bash", "curl", "jq"):
        assert shutil.which(tool), f"{tool} is needed (make test installs it)"
    shutil.copy(audio("mp3", seconds=5, channels=2), tmp_path / "episode.mp3")
    script = "set -euo pipefail\n" + "\n".join(publish_flow_blocks())
    env = {**os.environ, "API": f"{live_server}/api/v1", "TOKEN": editor_token}
    result = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr

    episode = json.loads((tmp_path / "episode.json").read_text())
    assert episode["duration"] == pytest.approx(5.0, abs=0.1)
    media = episode["media"]
    assert media["size"] == (tmp_path / "episode.mp3").stat().st_size
    assert (media["mime_type"], media["codec"], media["channels"]) == ("audio/mpeg", "mp3", 2)
    assert media["sample_rate"] == 44100
    assert media["bitrate"] == pytest.approx(64000, rel=0.02)  # encoded at 64 kb/s

    article = json.loads((tmp_path / "article.json").read_text())
    assert article["episodes"] == [episode["id"]]
    assert sorted(article["tags"]) == ["Morning Brief", "Politics"]
    assert "<strong>morning brief</strong>" in article["body_html"]

    feed = ElementTree.parse(tmp_path / "feed.xml").getroot()
    enclosure = feed.find("./channel/item/enclosure")
    assert enclosure is not None
    assert enclosure.get("url") == media["url"]
    assert enclosure.get("length") == str(media["size"])
    assert feed.findtext("./channel/item/title") == "Monday, 5 May"
    assert media["url"] in result.stdout  # what the last command prints
