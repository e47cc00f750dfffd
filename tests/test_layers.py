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


# -- the whole import graph -----------------------------------------------------------------------

#: Each part of the package and the parts it may import (besides itself). Lower layers never import
#: higher ones: domain < store < bundles < exchange < sync < workspace < the two faces (ui, cli).
#: The root modules that everything shares (errors, i18n, instants, formatting, atomic, oslock,
#: resources, network) import nothing above them.
BASE = {"wtdc_desktop", "errors", "i18n", "instants", "formatting", "atomic", "oslock", "resources", "userfiles"}
ALLOWED = {
    "errors": set(),
    "resources": set(),
    # userfiles: the translated sentence refusing a destination that is not a regular file, imported
    # inside the function that refuses (i18n itself writes its compiled catalogs through atomic)
    "atomic": {"userfiles"},
    "userfiles": {"errors", "i18n"},
    "oslock": set(),  # an exclusive lock on a file: the sync lock, the publication lock
    "i18n": {"atomic", "resources", "domain"},  # domain: the languages, defined once in domain/constants.py
    "instants": {"i18n"},
    "formatting": {"i18n"},
    "network": {"errors", "i18n"},
    "domain": {"errors", "i18n", "instants", "formatting"},
    "store": BASE | {"domain"},
    "bundles": BASE | {"domain", "store", "network"},
    "exchange": BASE | {"domain", "store", "bundles", "network"},
    "team": BASE | {"domain", "store", "bundles", "network"},  # shares delegation bundles in a folder or WebDAV
    "sync": BASE | {"domain", "store", "bundles", "exchange", "team"},
    "workspace": BASE | {"domain", "store", "bundles", "exchange", "sync", "team"},
    "ui": BASE | {"domain", "store", "bundles", "exchange", "sync", "workspace", "startup_probe"},
    "cli": BASE | {"domain", "store", "bundles", "exchange", "sync", "workspace", "network", "launch", "selftest",
                   "team"},
    "launch": {"ui"},
    "startup_probe": {"ui"},
    "selftest": BASE | {"domain", "store", "bundles", "exchange", "workspace", "cli", "ui"},
    "__main__": {"cli", "startup_probe"},
    "__init__": set(),
}
#: Parts that may import Qt; elsewhere only the PDF writers of exchange/, inside the functions that
#: print (the command line runs them with an offscreen application).
QT_PARTS = {"ui", "launch", "startup_probe", "selftest"}


def _part(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "wtdc_desktop":
        return None
    if len(parts) == 1:
        return "wtdc_desktop"
    return parts[1] if parts[1] != "__version__" and parts[1] not in ("APP_NAME", "APP_ID") else "wtdc_desktop"


def _graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG).parts
        if rel[0] == "data":
            continue
        src = rel[0] if len(rel) > 1 else rel[0][:-3]
        for name in _full_imports(path):
            target = _part(name)
            if target and target != src:
                edges.setdefault(src, set()).add(target)
    return edges


def test_every_part_of_the_package_is_placed_in_the_layers():
    parts = {p.name if p.is_dir() else p.stem for p in PKG.iterdir()
             if (p.is_dir() and (p / "__init__.py").exists()) or p.suffix == ".py"}
    assert parts - {"data"} <= set(ALLOWED), "a new module: give it a place in ALLOWED"


def test_each_part_imports_only_the_layers_below_it():
    offenders = {src: sorted(targets - ALLOWED[src] - {"wtdc_desktop"})
                 for src, targets in _graph().items() if targets - ALLOWED[src] - {"wtdc_desktop"}}
    assert offenders == {}


def test_qt_is_imported_only_by_the_window_and_inside_the_pdf_writers():
    offenders = []
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG)
        part = rel.parts[0] if len(rel.parts) > 1 else rel.stem
        if part in QT_PARTS:
            continue
        tree = ast.parse(path.read_text("utf-8"))
        for node in tree.body:  # module level: a PDF writer imports Qt only when it prints
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n.split(".")[0] in ("PySide6", "shiboken6") for n in names):
                offenders.append(str(rel))
        if part != "exchange" and any(n.split(".")[0] == "PySide6" for n in _imports(path)):
            offenders.append(str(rel))
    assert offenders == []


# -- the window writes through the facade ----------------------------------------------------------

#: SQL that writes (a table named by an f-string placeholder ends the constant: ``f"UPDATE {t} SET"``)
_WRITE_SQL = re.compile(r"\b(INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+(\w+\s+SET\b|$)|DELETE\s+FROM|REPLACE\s+INTO)\b")


def _module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    return ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)


def _names_in_scope(tree: ast.Module, module: str) -> dict[str, str]:
    """The names a module's code can call a store function by: alias -> dotted name (``store.x`` or
    ``store.x.f``), from its imports of ``wtdc_desktop.store`` (anywhere in the module) and, for a
    store module, its own top-level functions."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("wtdc_desktop.store") and a.asname:
                    names[a.asname] = a.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("wtdc_desktop.store"):
            for a in node.names:
                names[a.asname or a.name] = f"{node.module}.{a.name}"
    if module.startswith("wtdc_desktop.store"):
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names[node.name] = f"{module}.{node.name}"
    return names


def _called(func: ast.AST, names: dict[str, str]) -> set[str]:
    """The store functions ``func`` names (a call, or a callable handed on), as dotted names."""
    found = set()
    for node in ast.walk(func):
        if isinstance(node, ast.Name) and node.id in names:
            found.add(names[node.id])
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in names:
            found.add(f"{names[node.value.id]}.{node.attr}")
    return found


def _writes_itself(func: ast.AST) -> bool:
    for node in ast.walk(func):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and _WRITE_SQL.search(node.value):
            return True
        if isinstance(node, ast.Attribute) and node.attr in ("transaction", "executescript"):
            return True
    return False


def store_writers() -> set[str]:
    """Every function of store/ that writes: it runs INSERT, UPDATE, DELETE or REPLACE, opens a
    transaction, or calls a store function that does (the dotted names, ``wtdc_desktop.store.x.f``)."""
    direct, calls = set(), {}
    for path in sorted((PKG / "store").rglob("*.py")):
        module = _module_name(path)
        tree = ast.parse(path.read_text("utf-8"))
        names = _names_in_scope(tree, module)
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = f"{module}.{node.name}"
                if _writes_itself(node):
                    direct.add(name)
                calls[name] = _called(node, names) - {name}
    writers = set(direct)
    grown = True
    while grown:
        grown = False
        for name, called in calls.items():
            if name not in writers and called & writers:
                writers.add(name)
                grown = True
    return writers


def test_the_finder_of_store_writers_knows_the_delegations_writes_from_its_reads():
    writers = store_writers()
    assert {"wtdc_desktop.store.record_marks.set_star", "wtdc_desktop.store.sessions.dismiss_changes",
            "wtdc_desktop.store.contact_book.save_private_contacts"} <= writers
    assert not {"wtdc_desktop.store.record_marks.is_starred", "wtdc_desktop.store.sessions.members",
                "wtdc_desktop.store.list_rows.view_ids"} & writers


def test_the_window_writes_the_store_only_through_the_facade():
    """ui/ reads the store directly but changes it only through the Workspace (whose actions return
    what changed, for the other views): no ui module names a store function that writes, nor opens a
    transaction."""
    writers = store_writers()
    offenders = {}
    for path in sorted((PKG / "ui").rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        named = _called(tree, _names_in_scope(tree, _module_name(path))) & writers
        if any(isinstance(n, ast.Attribute) and n.attr == "transaction" for n in ast.walk(tree)):
            named.add("store.transaction")
        if named:
            offenders[str(path.relative_to(PKG))] = sorted(n.removeprefix("wtdc_desktop.store.") for n in named)
    assert offenders == {}
