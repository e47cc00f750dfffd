"""The store: migrations, refusing newer schemas and unwritable folders, locks."""

from __future__ import annotations

import os
import sqlite3
import sys

import pytest

from helpers import schema_of, sqlite_db
from wtdc_desktop.store import Store, StoreLocked, StoreNotWritable, StoreTooNew
from wtdc_desktop.store.schema import DELEGATION_TABLES, LATEST_VERSION


def test_migrates_from_empty(data_dir):
    with Store(data_dir) as store:
        assert store.schema_version() == LATEST_VERSION
        names = set(sqlite_db(store).table_names())
        for table in ("region", "organization", "meeting", "committee", "document", "resolution", "question",
                      "proposal", "session", "contact", "priority", "deadline", *DELEGATION_TABLES):
            assert table in names
        assert store.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert store.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # opening again is a no-op
    with Store(data_dir) as store:
        assert store.schema_version() == LATEST_VERSION


def test_a_store_of_schema_8_gains_the_index_that_counts_changes_and_keeps_its_records(data_dir):
    from helpers import DEMO_BUNDLE
    from wtdc_desktop.bundles.apply import apply_bundle
    from wtdc_desktop.store.changes import change_counts
    from wtdc_desktop.store.schema import PUBLISHED_TABLES

    with Store(data_dir.parent / "fresh") as fresh:
        expected = schema_of(fresh)
    with Store(data_dir) as store:
        apply_bundle(store, DEMO_BUNDLE, source="demo")
        before = change_counts(store, 0)
        with store.transaction() as conn:  # as a store written by the previous version
            for table in PUBLISHED_TABLES:
                conn.execute(f"DROP INDEX {table}_changes")
            conn.execute("PRAGMA user_version = 8")
    with Store(data_dir) as store:
        assert store.schema_version() == LATEST_VERSION
        plan = " ".join(row[-1] for row in store.execute(
            "EXPLAIN QUERY PLAN SELECT sum(withdrawn = 0 AND first_sync > 0) FROM document"))
        assert "COVERING INDEX document_changes" in plan  # not a scan of every record's text
        assert change_counts(store, 0) == before and sum(before.values()) > 0
        assert schema_of(store) == expected  # the migrated store is built as a new one


def test_refuses_a_newer_store_and_leaves_it_unchanged(data_dir):
    Store(data_dir).close()
    path = data_dir / "store.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 5}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreTooNew) as err:
        Store(data_dir)
    assert "newer version" in str(err.value) and str(path) in str(err.value)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION + 5
    conn.close()
    assert path.read_bytes() == before


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root ignores permissions")
def test_unwritable_folder_is_named(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(StoreNotWritable) as err:
            Store(folder / "data")
        assert str(folder / "data") in str(err.value)
    finally:
        folder.chmod(0o700)


def test_unwritable_folder_even_as_root(tmp_path):
    """A data folder that is a file cannot be created, whoever we are."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreNotWritable) as err:
        Store(blocker / "data")
    assert "not writable" in str(err.value)


def test_locked_store_is_reported(data_dir, monkeypatch):
    import wtdc_desktop.store.db as db

    Store(data_dir).close()
    other = sqlite3.connect(data_dir / "store.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 50)
        store = Store(data_dir)
        store.conn.execute("PRAGMA busy_timeout = 50")
        with pytest.raises(StoreLocked) as err:
            with store.transaction():
                pass
        assert "in use" in str(err.value)
        store.close()
    finally:
        other.execute("ROLLBACK")
        other.close()
