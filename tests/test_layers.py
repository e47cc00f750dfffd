"""The layers stay visible: store, bundles and domain know no Qt; the UI writes no SQL."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "wtdc_desktop"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", ["store", "bundles", "domain"])
def test_layer_does_not_import_qt(layer):
    offenders = [
        str(p.relative_to(PKG))
        for p in (PKG / layer).rglob("*.py")
        if any(n.split(".")[0] in ("PySide6", "shiboken6") for n in _imports(p))
    ]
    assert offenders == []


def test_domain_does_no_io():
    forbidden = {"sqlite3", "os", "shutil", "pathlib", "urllib", "http", "socket", "subprocess", "zipfile"}
    offenders = {
        str(p.relative_to(PKG)): sorted(n for n in _imports(p) if n.split(".")[0] in forbidden)
        for p in (PKG / "domain").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_ui_writes_no_sql():
    sql = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE)\b[^\n]*\b(FROM|INTO|SET)\b")
    offenders = [str(p.relative_to(PKG)) for p in (PKG / "ui").rglob("*.py") if sql.search(p.read_text("utf-8"))]
    assert offenders == []


def _full_imports(path: Path) -> set[str]:
    """Like _imports, with ``from package import module`` counted as ``package.module``."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def _importers(folder: Path, prefixes: tuple[str, ...]) -> dict[str, list[str]]:
    """Modules under ``folder`` (or the file ``folder``) importing a module under one of ``prefixes``."""
    files = [folder] if folder.is_file() else sorted(folder.rglob("*.py"))
    found = {str(p.relative_to(PKG)): sorted(n for n in _full_imports(p) if n.startswith(prefixes)) for p in files}
    return {k: v for k, v in found.items() if v}


def test_the_window_and_the_command_line_do_not_import_each_other():
    assert _importers(PKG / "ui", ("wtdc_desktop.cli",)) == {}
    assert _importers(PKG / "cli", ("wtdc_desktop.ui", "PySide6")) == {}


def test_the_facade_and_the_exchange_formats_do_not_import_the_faces():
    faces = ("wtdc_desktop.ui", "wtdc_desktop.cli")
    assert _importers(PKG / "workspace.py", (*faces, "PySide6")) == {}
    assert _importers(PKG / "exchange", faces) == {}
