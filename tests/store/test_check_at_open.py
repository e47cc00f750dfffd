"""The quick check at opening: skipped only for the very file that passed it at the window's clean
close, unchanged since; any change, copy, leftover log, damage found later or old check runs it."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time

import pytest

from helpers import damage_store
from wtdc_desktop.store import Store, db
from wtdc_desktop.store.db import CHECKED_FILENAME, StoreDamaged


@pytest.fixture
def checks(monkeypatch):
    """The quick checks run by openings from now on (a fresh process: nothing checked yet)."""
    monkeypatch.setattr(db, "_CHECKED", set())
    seen = []
    real = db.check_store_file

    def counted(conn, path):
        seen.append(path)
        return real(conn, path)

    monkeypatch.setattr(db, "check_store_file", counted)
    return seen


def _checks_at_next_opening(data, checks) -> int:
    """How many quick checks an opening of the store runs, in a fresh process (nothing checked yet)."""
    db._CHECKED.clear()
    checks.clear()
    Store(data).close()
    return len(checks)


def test_an_unchanged_store_closed_by_the_window_is_not_checked_again(demo_store, checks):
    data = demo_store.data_dir
    demo_store.close(check=True)
    assert (data / CHECKED_FILENAME).is_file()
    assert _checks_at_next_opening(data, checks) == 0  # the same file, unchanged: no check before the first paint
    Store(data).close()
    assert checks == []


def test_a_write_after_the_clean_close_makes_the_next_opening_check(demo_store, checks):
    data = demo_store.data_dir
    demo_store.close(check=True)
    with Store(data) as store, store.transaction() as conn:  # a command-line sync, a note…
        conn.execute("INSERT INTO setting (key, value) VALUES ('x', 'y')")
    assert _checks_at_next_opening(data, checks) == 1


def test_damage_after_a_clean_close_is_still_found(demo_store, checks):
    data = demo_store.data_dir
    demo_store.close(check=True)
    marker = json.loads((data / CHECKED_FILENAME).read_text())
    damage_store(data / "store.sqlite3")
    # even with the file's size kept and its modification time set back
    os.utime(data / "store.sqlite3", ns=(marker["mtime_ns"], marker["mtime_ns"]))
    db._CHECKED.clear()
    with pytest.raises(StoreDamaged):
        Store(data)


def test_a_copied_store_with_its_note_is_checked(demo_store, checks, tmp_path):
    data = demo_store.data_dir
    demo_store.close(check=True)
    copy = tmp_path / "copy"
    shutil.copytree(data, copy)  # times kept, another file
    damage_store(copy / "store.sqlite3")
    os.utime(copy / "store.sqlite3", ns=(os.stat(data / "store.sqlite3").st_atime_ns,
                                         os.stat(data / "store.sqlite3").st_mtime_ns))
    db._CHECKED.clear()
    with pytest.raises(StoreDamaged):
        Store(copy)


def test_pages_left_in_the_log_make_the_opening_check(demo_store, checks):
    data = demo_store.data_dir
    demo_store.close(check=True)
    other = sqlite3.connect(data / "store.sqlite3", isolation_level=None)  # a process killed before its checkpoint
    other.execute("PRAGMA wal_autocheckpoint = 0")
    other.execute("INSERT INTO setting (key, value) VALUES ('x', 'y')")
    db._CHECKED.clear()
    checks.clear()
    try:
        Store(data).close()
    finally:
        other.close()
    assert len(checks) == 1


def test_damage_found_while_open_makes_the_next_opening_check(demo_store, checks):
    data = demo_store.data_dir
    demo_store.close(check=True)
    store = Store(data)
    store.damaged = True  # SQLite reported a damaged page (the file's times did not move)
    store.close(check=True)
    assert not (data / CHECKED_FILENAME).exists()
    assert _checks_at_next_opening(data, checks) == 1


def test_a_check_older_than_a_week_runs_again(demo_store, checks):
    data = demo_store.data_dir
    demo_store.close(check=True)
    note = data / CHECKED_FILENAME
    marker = json.loads(note.read_text())
    note.write_text(json.dumps({**marker, "checked_at": time.time() - db.CHECK_MAX_AGE - 60}))
    assert _checks_at_next_opening(data, checks) == 1


def test_no_note_while_another_connection_holds_pages_in_the_log(demo_store, checks):
    data = demo_store.data_dir
    other = sqlite3.connect(data / "store.sqlite3", isolation_level=None)  # a sync's worker, a command line
    other.execute("PRAGMA wal_autocheckpoint = 0")
    other.execute("INSERT INTO setting (key, value) VALUES ('x', 'y')")
    other.execute("BEGIN")
    other.execute("SELECT count(*) FROM setting").fetchone()  # reading: the log cannot be emptied
    try:
        demo_store.close(check=True)
    finally:
        other.execute("COMMIT")
        other.close()
    assert not (data / CHECKED_FILENAME).exists()


def test_a_connection_opened_after_this_process_wrote_is_not_checked_again(tmp_path, checks):
    """A worker's connection after the window's own sync: the file changed only by this process's
    transactions (checkpointed into the file) is not quick-checked again; a file another process
    changed is."""
    with Store(tmp_path) as store:
        assert len(checks) == 1  # a new store, checked once
        sizes = []
        for n in range(3):  # 5 MB each: SQLite folds the log into the file as the transaction commits
            with store.transaction() as conn:
                conn.executemany("INSERT INTO setting (key, value) VALUES (?, ?)",
                                 [(f"k{n}-{i}", "v" * 2000) for i in range(2500)])
            sizes.append((tmp_path / "store.sqlite3").stat().st_size)
            with Store(tmp_path):
                pass
        assert sizes[0] < sizes[1] < sizes[2]  # the file itself changed at each commit
        assert len(checks) == 1
        other = sqlite3.connect(tmp_path / "store.sqlite3")  # another process (a command-line sync)
        with other:
            other.execute("INSERT INTO setting (key, value) VALUES ('cli', 'x')")
        other.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        other.close()
        with Store(tmp_path):
            pass
        assert len(checks) == 2
