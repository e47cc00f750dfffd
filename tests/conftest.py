"""Shared fixtures: offscreen Qt, a temporary store, the demo bundle."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
# A byte-identical copy of the bundle format specification's example bundle, so that the suite
# needs nothing outside the repository.
EXAMPLE_BUNDLE = Path(__file__).resolve().parent / "data" / "example-bundle"
DEMO_SOURCE = ROOT / "resources" / "demo"
DEMO_BUNDLE = ROOT / "resources" / "demo.wtdc.zip"


@pytest.fixture(autouse=True)
def _english(monkeypatch):
    from wtdc_desktop.i18n import set_language

    monkeypatch.delenv("WTDC_DATA_DIR", raising=False)
    set_language("en")
    yield


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store(data_dir):
    from wtdc_desktop.store import Store

    s = Store(data_dir)
    yield s
    s.close()


@pytest.fixture(scope="session")
def _demo_store_template(tmp_path_factory) -> Path:
    from wtdc_desktop.bundles.apply import apply_bundle
    from wtdc_desktop.store import Store

    path = tmp_path_factory.mktemp("demo-template")
    with Store(path) as s:
        apply_bundle(s, DEMO_BUNDLE, source="demo")
        s.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def demo_store(_demo_store_template, tmp_path):
    """A store with the demo applied (built once, copied per test)."""
    from wtdc_desktop.store import Store

    dest = tmp_path / "demo-data"
    shutil.copytree(_demo_store_template, dest)
    s = Store(dest)
    yield s
    s.close()


@pytest.fixture
def example_bundle() -> Path:
    return EXAMPLE_BUNDLE


def copy_source(src: Path, dest: Path) -> Path:
    """A writable copy of a bundle source folder."""
    shutil.copytree(src, dest)
    return dest


def table_fingerprint(store, tables=None) -> dict[str, str]:
    """A hash of every row of every table (or of the given ones)."""
    from wtdc_desktop.store.schema import LOG_TABLES

    if tables is None:
        tables = [r[0] for r in store.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'search_index%' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        tables = [t for t in tables if t not in LOG_TABLES]
    out = {}
    for table in tables:
        h = hashlib.sha256()
        for row in store.execute(f"SELECT * FROM {table} ORDER BY 1, 2"):
            h.update(repr(tuple(row)).encode())
        out[table] = h.hexdigest()
    return out
