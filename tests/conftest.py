"""Shared fixtures: offscreen Qt, a temporary store, the demo bundle."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# The paths and functions tests share live in helpers.py; they are named here too for tests that
# still import them from conftest (new tests import them from helpers).
from helpers import (  # noqa: F401
    DEMO_BUNDLE, DEMO_SOURCE, EXAMPLE_BUNDLE, ROOT, copy_source, table_fingerprint)

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session")
def _user_folders(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("user-folders")


@pytest.fixture(autouse=True)
def _english(monkeypatch, _user_folders):
    from wtdc_desktop.i18n import set_language

    monkeypatch.delenv("WTDC_DATA_DIR", raising=False)
    # A command run without --data-dir uses the default data folder: a temporary one, never the
    # real one of whoever runs the suite.
    monkeypatch.setenv("XDG_DATA_HOME", str(_user_folders / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(_user_folders / "state"))
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


@pytest.fixture
def own_settings(tmp_path, qapp):
    """Settings (window state, language) go to a temporary file, never the user's."""
    from PySide6.QtCore import QSettings

    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path / "settings"))
    QSettings().clear()
    yield


@pytest.fixture
def window(qtbot, data_dir):
    """The main window on a new data folder (the demo loads on a first launch), closed after."""
    from helpers import dispose
    from wtdc_desktop.ui.app import open_window

    win = open_window(data_dir)
    win.show()
    yield win
    dispose(win)
