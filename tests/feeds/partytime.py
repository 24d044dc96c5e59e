"""Read a feed with the Podcast Index's parser, podcast-partytime (npm, Node), from Python.

``make test`` installs the pinned version into the git-ignored ``tests/.node/``
(``make test-node-deps``). Any test may call :func:`partytime_parse`; a missing install is
a failure that says how to fix it, never a skip.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "tests" / ".node" / "node_modules"
RUNNER = Path(__file__).with_name("partytime.js")
PARTYTIME_VERSION = "5.0.0"  # keep in step with PARTYTIME_VERSION in the Makefile


def _check_install() -> str:
    node = shutil.which("node")
    package = NODE_MODULES / "podcast-partytime" / "package.json"
    if node is None or not package.exists():
        pytest.fail(
            "podcast-partytime is not installed: run `make test-node-deps` (needs node and npm)."
        )
    version = json.loads(package.read_text())["version"]
    if version != PARTYTIME_VERSION:
        pytest.fail(f"podcast-partytime {version} installed, {PARTYTIME_VERSION} expected.")
    return node


def partytime_parse(xml: bytes) -> dict[str, Any]:
    """The feed as partytime's ``parseFeed`` returns it (dates as ISO 8601 strings)."""
    node = _check_install()
    env = {**os.environ, "NODE_PATH": str(NODE_MODULES), "LOG": "silent"}
    done = subprocess.run(
        [node, str(RUNNER)], input=xml, capture_output=True, env=env, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return json.loads(done.stdout)
