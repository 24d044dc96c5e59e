"""Every setting the code reads has its default in DefaultConfig and a line in the docs.

The keys are found in the source, not listed by hand: every ``config["KEY"]``,
``config.get("KEY")`` (also ``app.config``, ``current_app.config``, ``state.app.config``)
under ``publisher/``. A read with a computed key would escape this test, so there is none.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from flask import Flask

from publisher.config import DefaultConfig

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "publisher"
KEY = re.compile(r"[A-Z][A-Z0-9_]*")
READ_METHODS = {"get", "setdefault", "pop"}


def _is_config(node: ast.AST) -> bool:
    """``config``, ``something.config`` or ``(config or {})``."""
    if isinstance(node, ast.Name):
        return node.id == "config" or node.id.endswith("_config")
    if isinstance(node, ast.Attribute):
        return node.attr == "config"
    if isinstance(node, ast.BoolOp):
        return any(_is_config(value) for value in node.values)
    return False


def _reads(tree: ast.AST) -> list[tuple[ast.AST, ast.expr]]:
    """(node, key expression) of every read of a config mapping."""
    found: list[tuple[ast.AST, ast.expr]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and _is_config(node.value):
            found.append((node, node.slice))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in READ_METHODS
            and _is_config(node.func.value)
            and node.args
        ):
            found.append((node, node.args[0]))
    return found


def config_reads() -> dict[str, list[str]]:
    """{key: ["publisher/x.py:12", ...]} for every literal key, and computed keys under ""."""
    keys: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(ROOT).as_posix()
        for node, key in _reads(ast.parse(path.read_text(), filename=where)):
            place = f"{where}:{node.lineno}"
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                if KEY.fullmatch(key.value):
                    keys.setdefault(key.value, []).append(place)
            else:
                keys.setdefault("", []).append(place)
    return keys


def documented_text() -> str:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return "\n".join(page.read_text() for page in pages)


READS = config_reads()
# Flask's own settings have their defaults in Flask (and are documented there);
# DefaultConfig only holds ours. INSTANCE_PATH is read from create_app's argument
# before any setting is loaded, so a default in DefaultConfig would never be used.
NO_DEFAULT = set(Flask.default_config) | {"INSTANCE_PATH"}


def test_the_scan_finds_the_reads_we_know_of():
    """Guard against a scanner that silently finds nothing."""
    for key in ("PUBLIC_URL", "S3_PRESIGN_EXPIRES", "UPLOAD_TEMP_DIR", "S3_MAX_ATTEMPTS"):
        assert key in READS, key


def test_every_read_uses_a_literal_key():
    assert "" not in READS, f"config read with a computed key at {READS.get('')}"


@pytest.mark.parametrize("key", sorted(k for k in READS if k and k not in NO_DEFAULT))
def test_every_key_read_has_a_default(key):
    assert hasattr(DefaultConfig, key), (
        f"{key} is read at {', '.join(READS[key])} but has no default in DefaultConfig"
    )


@pytest.mark.parametrize("key", sorted(k for k in READS if k))
def test_every_key_read_is_documented(key):
    assert re.search(rf"`{key}`", documented_text()), (
        f"{key} (read at {', '.join(READS[key])}) is not described in README.md or docs/*.md"
    )


def test_every_default_is_documented():
    """The other direction: a default nobody can find in the docs is a hidden setting."""
    text = documented_text()
    missing = [
        key
        for key in vars(DefaultConfig)
        if KEY.fullmatch(key) and not re.search(rf"`{key}`", text)
    ]
    assert not missing, f"settings without a line in the docs: {missing}"
