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


# --- SQLite errors classified by result code, not by message text ----------------------------------

def _provoked_busy(tmp_path):
    """A real SQLITE_BUSY: a second connection holds an exclusive lock while the first begins."""
    path = tmp_path / "busy.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        other.execute("BEGIN EXCLUSIVE")
    except sqlite3.OperationalError as exc:
        return exc
    finally:
        other.close()
        holder.execute("ROLLBACK")
        holder.close()
    raise AssertionError("no error")


def test_a_locked_database_is_classified_by_its_code(tmp_path):
    from wtdc_desktop.store.db import LOCKED, sqlite_error_kind, translate_sqlite_error

    exc = _provoked_busy(tmp_path)
    assert exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY
    assert sqlite_error_kind(exc) == LOCKED
    assert isinstance(translate_sqlite_error(exc, tmp_path), StoreLocked)


@pytest.mark.parametrize("content", [b"this is not a database at all, only some text. " * 200,
                                     b"SQLite format 3\x00" + b"\xff" * 4080])
def test_a_damaged_file_is_classified_by_its_code(tmp_path, content):
    from wtdc_desktop.store.db import DAMAGED, StoreError, sqlite_error_kind, translate_sqlite_error

    path = tmp_path / "damaged.sqlite3"
    path.write_bytes(content)
    conn = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError) as caught:
        conn.execute("SELECT * FROM sqlite_master").fetchall()
    conn.close()
    assert caught.value.sqlite_errorcode & 0xFF in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT)
    assert sqlite_error_kind(caught.value) == DAMAGED
    known = translate_sqlite_error(caught.value, path)
    assert type(known) is StoreError and "damaged" in known.message


def test_a_damaged_store_is_refused_with_a_typed_error(data_dir):
    from wtdc_desktop.store.db import StoreError

    data_dir.mkdir(parents=True)
    (data_dir / "store.sqlite3").write_bytes(b"not a database " * 500)
    with pytest.raises(StoreError, match="damaged"):
        Store(data_dir)


def test_a_read_only_database_is_classified_by_its_code(tmp_path):
    from wtdc_desktop.store.db import NOT_WRITABLE, sqlite_error_kind, translate_sqlite_error

    path = tmp_path / "ro.sqlite3"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.commit()
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as caught:
        conn.execute("INSERT INTO t VALUES (1)")
    conn.close()
    assert caught.value.sqlite_errorcode & 0xFF == sqlite3.SQLITE_READONLY
    assert sqlite_error_kind(caught.value) == NOT_WRITABLE
    assert isinstance(translate_sqlite_error(caught.value, path), StoreNotWritable)


def test_the_message_text_is_not_what_classifies():
    """English words in a message change nothing; the code alone decides."""
    from wtdc_desktop.store.db import FULL, IO, sqlite_error_kind, translate_sqlite_error
    from wtdc_desktop.store import DiskError, DiskFull

    worded = sqlite3.OperationalError("database is locked")  # no code: not SQLite's own error
    assert sqlite_error_kind(worded) is None
    assert sqlite_error_kind(ValueError("database is locked")) is None
    full = sqlite3.OperationalError("(anything)")
    full.sqlite_errorcode = sqlite3.SQLITE_FULL
    assert sqlite_error_kind(full) == FULL
    assert isinstance(translate_sqlite_error(full, "x"), DiskFull)
    io = sqlite3.OperationalError("(anything)")
    io.sqlite_errorcode = sqlite3.SQLITE_IOERR_WRITE  # an extended code: its primary decides
    assert sqlite_error_kind(io) == IO
    assert isinstance(translate_sqlite_error(io, "x"), DiskError)
    constraint = sqlite3.IntegrityError("database disk image is malformed")
    constraint.sqlite_errorcode = sqlite3.SQLITE_CONSTRAINT_UNIQUE
    assert sqlite_error_kind(constraint) is None
