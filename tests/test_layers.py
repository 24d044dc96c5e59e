"""The layering rules that import-linter's contract (pyproject.toml) cannot express:
which package may import a third-party library directly, and that nothing outside the
API imports it but the app factory. `lint-imports` checks the layers themselves."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PUBLISHER = Path(__file__).resolve().parent.parent / "publisher"

# library -> the only package (path prefix under publisher/) that may import it
CONFINED = {
    "mutagen": "media/probe",
    "boto3": "media/storage",
    "botocore": "media/storage",
    "av": "audio",  # only publisher/audio decodes samples
    "numpy": "audio",
}


def imports_of(path: Path) -> set[str]:
    """Every module name a file imports (absolute names; relative ones are ours)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def python_files() -> list[Path]:
    return sorted(PUBLISHER.rglob("*.py"))


@pytest.mark.parametrize("library", sorted(CONFINED))
def test_a_library_is_imported_by_its_own_package_only(library):
    allowed = CONFINED[library]
    offenders = [
        str(path.relative_to(PUBLISHER))
        for path in python_files()
        if any(name.split(".")[0] == library for name in imports_of(path))
        and not str(path.relative_to(PUBLISHER)).startswith(allowed)
    ]
    assert offenders == [], f"only publisher/{allowed} may import {library}"


def test_only_the_app_factory_imports_the_api():
    importers = sorted(
        str(path.relative_to(PUBLISHER))
        for path in python_files()
        if not str(path.relative_to(PUBLISHER)).startswith("api/")
        and any(name == "publisher.api" or name.startswith("publisher.api.")
                for name in imports_of(path) | _from_publisher_imports(path))
    )  # fmt: skip
    assert importers == ["__init__.py"]


def _from_publisher_imports(path: Path) -> set[str]:
    """``from publisher import api`` counts as importing publisher.api."""
    tree = ast.parse(path.read_text())
    return {
        f"publisher.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "publisher"
        for alias in node.names
    }


def test_no_listener_on_sqlalchemy_global_classes():
    """What a commit triggers is registered on db.session in publisher/session_hooks.py;
    a listener on the global Session or Engine class would act on every session."""
    offenders = []
    for path in python_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in (
                "listen",
                "listens_for",
            ):
                target = node.args[0] if node.args else None
                if isinstance(target, ast.Name) and target.id in ("Session", "Engine"):
                    offenders.append(f"{path.relative_to(PUBLISHER)}:{node.lineno}")
    assert offenders == []


def test_the_layer_check_catches_a_wrong_import(tmp_path):
    """The contract is live: a model importing a surface breaks it (run on a copy)."""
    import shutil
    import subprocess
    import sys

    root = PUBLISHER.parent
    copy = tmp_path / "checkout"
    shutil.copytree(PUBLISHER, copy / "publisher", ignore=shutil.ignore_patterns("static", "demo"))
    (copy / "publisher" / "demo").mkdir()
    (copy / "publisher" / "demo" / "__init__.py").write_text("")
    shutil.copy(root / "pyproject.toml", copy / "pyproject.toml")
    lint = Path(sys.executable).parent / "lint-imports"
    clean = subprocess.run([lint], cwd=copy, capture_output=True, text=True)
    assert clean.returncode == 0, clean.stdout
    with open(copy / "publisher" / "models" / "tag.py", "a") as handle:
        handle.write("\nimport publisher.feeds.cache  # noqa\n")
    broken = subprocess.run([lint], cwd=copy, capture_output=True, text=True)
    assert broken.returncode != 0 and "BROKEN" in broken.stdout
