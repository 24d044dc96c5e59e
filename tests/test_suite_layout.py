"""The suite's own rules: conftest.py files hold fixtures and hooks only, helpers live in
tests/support/ (or a module of their area), and nothing imports a conftest.py."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
CONFTESTS = sorted(TESTS.rglob("conftest.py"))


def _is_fixture(node: ast.FunctionDef) -> bool:
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr == "fixture":
            return True
    return False


def test_the_scan_sees_the_conftests():
    assert TESTS / "conftest.py" in CONFTESTS and len(CONFTESTS) > 3


@pytest.mark.parametrize("path", CONFTESTS, ids=lambda p: p.relative_to(TESTS).as_posix())
def test_a_conftest_defines_only_fixtures_and_hooks(path):
    helpers = [
        node.name
        for node in ast.parse(path.read_text()).body
        if isinstance(node, ast.ClassDef)
        or (
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and not _is_fixture(node)
            and not node.name.startswith("pytest_")
        )
    ]
    assert not helpers, f"move {helpers} to tests/support/ and import them from there"


def test_no_module_imports_a_conftest():
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            if any(name.split(".")[-1] == "conftest" for name in names):
                offenders.append(f"{path.relative_to(TESTS)}:{node.lineno}")
    assert not offenders, f"import helpers from tests.support instead: {offenders}"
