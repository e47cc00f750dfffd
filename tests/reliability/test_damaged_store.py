"""A damaged store (bytes overwritten in the middle of store.sqlite3, an emptied file where backups
exist, a schema version that does not match its tables): recognised by every command and by the
window, never written to, named in one sentence with the way to restore the last backup; and an
unexpected error goes to the log file, the user reading one sentence naming it."""

from __future__ import annotations

import shutil
import sqlite3
import sys

import pytest

from helpers import DEMO_BUNDLE, damage_store, dispose, file_hash, run_cli


@pytest.fixture(scope="module")
def _synced_template(tmp_path_factory):
    """A store synced twice (so it holds a backup taken before the second sync)."""
    data = tmp_path_factory.mktemp("synced") / "data"
    assert run_cli("sync", DEMO_BUNDLE, "--data-dir", data)[0] == 0
    assert run_cli("sync", DEMO_BUNDLE, "--force", "--data-dir", data)[0] == 0
    return data


@pytest.fixture
def damaged(_synced_template, tmp_path):
    """A copy of the synced store with bytes overwritten mid-file; (data folder, hash of the file)."""
    data = tmp_path / "data"
    shutil.copytree(_synced_template, data)
    damage_store(data / "store.sqlite3")
    return data, file_hash(data / "store.sqlite3")


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize("argv", [
    ["list", "proposal"], ["stats"], ["search", "spectrum"], ["matrix"], ["changes"], ["budget"],
    ["position", "set", "proposal", "WD2/1.1", "--stance", "support"], ["member", "add", "Awa"],
    ["sync", str(DEMO_BUNDLE), "--force"], ["demo"],
])
def test_every_command_refuses_a_damaged_store_in_one_sentence_and_writes_nothing(damaged, argv):
    from wtdc_desktop.store.backup import list_backups

    data, before = damaged
    code, out, err = run_cli(*argv, "--data-dir", data)
    line = _one_line(err)
    assert code == 8
    assert out == ""  # no empty table
    newest = list_backups(data)[0].name
    assert str(data / "store.sqlite3") in line and "damaged" in line
    assert f"restore {newest}" in line
    assert file_hash(data / "store.sqlite3") == before


def test_restore_brings_the_last_backup_back_and_keeps_the_damaged_file(damaged):
    from wtdc_desktop.store.backup import list_backups

    data, before = damaged
    code, out, err = run_cli("backups", "--data-dir", data)  # listed although the store is damaged
    assert code == 0, err
    newest = list_backups(data)[0].name
    assert newest in out
    code, out, err = run_cli("restore", newest, "--data-dir", data)
    assert code == 0, err
    assert "damaged store was moved" in out
    kept = [p for p in (data / "backups").iterdir() if p.name.startswith("damaged-")]
    assert len(kept) == 1 and file_hash(kept[0]) == before
    code, out, err = run_cli("stats", "--data-dir", data)
    assert code == 0, err
    assert run_cli("member", "add", "Awa", "--data-dir", data)[0] == 0  # the restored store takes writes


def test_an_emptied_store_with_backups_is_damaged_not_new(_synced_template, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(_synced_template, data)
    (data / "store.sqlite3").write_bytes(b"")
    for argv in (["stats"], ["demo"]):
        code, out, err = run_cli(*argv, "--data-dir", data)
        assert code == 8 and "damaged" in _one_line(err)
    assert (data / "store.sqlite3").stat().st_size == 0
    # without backups, an empty file is a new store, as SQLite sees it
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "store.sqlite3").write_bytes(b"")
    assert run_cli("demo", "--data-dir", fresh)[0] == 0


def test_a_store_of_a_newer_version_is_said_in_one_sentence(tmp_path):
    data = tmp_path / "data"
    assert run_cli("demo", "--data-dir", data)[0] == 0
    conn = sqlite3.connect(data / "store.sqlite3")
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = file_hash(data / "store.sqlite3")
    code, out, err = run_cli("stats", "--data-dir", data)
    line = _one_line(err)
    assert code == 4 and "newer version" in line and line.count(". ") == 0
    assert file_hash(data / "store.sqlite3") == before


def test_a_damaged_page_found_later_stops_every_write(demo_store):
    """Damage that appears after the store was opened (a disk failing under a running window)."""
    from wtdc_desktop.store.db import StoreDamaged

    demo_store.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    root = demo_store.execute("SELECT rootpage FROM sqlite_master WHERE name = 'proposal'").fetchone()[0]
    page = demo_store.execute("PRAGMA page_size").fetchone()[0]
    with open(demo_store.path, "r+b") as fp:
        fp.seek((root - 1) * page)
        fp.write(b"\x77" * page)
    demo_store.execute("PRAGMA cache_size = 0")  # re-read from the file
    demo_store.conn.execute("PRAGMA schema_version")
    with pytest.raises(StoreDamaged):
        demo_store.execute("SELECT * FROM proposal").fetchall()
    before = file_hash(demo_store.path)
    with pytest.raises(StoreDamaged):
        with demo_store.transaction() as conn:
            conn.execute("INSERT INTO setting (key, value) VALUES ('x', 'y')")
    assert file_hash(demo_store.path) == before


def test_an_unexpected_error_goes_to_the_log_file_and_one_sentence(tmp_path, monkeypatch):
    from wtdc_desktop.cli import records

    def boom(args):
        raise RuntimeError("boom in a command")

    data = tmp_path / "data"
    assert run_cli("demo", "--data-dir", data)[0] == 0
    monkeypatch.setattr(records, "cmd_stats", boom)
    code, out, err = run_cli("stats", "--data-dir", data)
    line = _one_line(err)
    log = data / "logs" / "wtdc-desktop.log"
    assert code == 1 and str(log) in line
    text = log.read_text("utf-8")
    assert "Traceback" in text and "boom in a command" in text


# -- the window ---------------------------------------------------------------------------------------

@pytest.fixture
def no_event_loop(monkeypatch, own_settings):
    """app.run() returns at once instead of entering the event loop; the excepthook is restored after."""
    import logging

    from PySide6.QtWidgets import QApplication

    from wtdc_desktop.ui import app

    monkeypatch.setattr(QApplication, "exec", lambda self: 0)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(app, "user_error_sink", [])
    monkeypatch.setattr(app, "damaged_store_sink", [])
    root = logging.getLogger()
    handlers = list(root.handlers)
    yield
    for h in root.handlers[:]:
        if h not in handlers:
            h.close()
            root.removeHandler(h)


def _top(kind: str):
    from PySide6.QtWidgets import QApplication

    return [w for w in QApplication.topLevelWidgets() if w.objectName() == kind and w.isVisible()]


def test_the_window_shows_the_damaged_banner_and_restores_the_backup_chosen(damaged, no_event_loop, qtbot):
    from PySide6.QtWidgets import QApplication

    from wtdc_desktop.store.backup import list_backups
    from wtdc_desktop.ui import app
    from wtdc_desktop.ui.language import apply_language

    data, before = damaged
    try:
        assert app.run(data, "fr") == 0
        [holder] = _top("DamagedStoreWindow")
        assert not _top("MainWindow")  # no view reads the store
        [text] = holder.banner_texts()
        assert str(data / "store.sqlite3") in text and "endommagé" in text
        entries = [a.text() for a in holder.banner.restore_menu.actions()]
        assert len(entries) == len(list_backups(data)) >= 1
        assert "déc." in entries[0]  # the date in the interface language
        assert file_hash(data / "store.sqlite3") == before
        holder.banner.restore_menu.actions()[0].trigger()
    finally:
        apply_language(QApplication.instance(), "en")
    [window] = _top("MainWindow")
    try:
        assert not holder.isVisible()
        assert window.store.execute("SELECT count(*) FROM sync_log").fetchone()[0] >= 0
        assert not window.banners.has("damaged")
    finally:
        dispose(window)
    assert any(p.name.startswith("damaged-") for p in (data / "backups").iterdir())


def test_damage_found_while_the_window_runs_shows_the_banner_not_an_unexpected_error(
        _synced_template, tmp_path, no_event_loop, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from wtdc_desktop.store.db import StoreDamaged
    from wtdc_desktop.ui import app

    data = tmp_path / "data"
    shutil.copytree(_synced_template, data)
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: warned.append(a[2]))
    assert app.run(data) == 0
    [window] = _top("MainWindow")
    try:
        # a query outside Store.execute meets a damaged page, in a slot
        try:
            raise sqlite3.DatabaseError("database disk image is malformed")
        except sqlite3.DatabaseError as exc:
            exc.sqlite_errorcode = sqlite3.SQLITE_CORRUPT
            sys.excepthook(*sys.exc_info())
        assert not warned
        assert window.banners.has("damaged") and "damaged" in window.banner_texts()[-1]
        with pytest.raises(StoreDamaged):  # nothing is written any more
            with window.store.transaction():
                pass
        new = app.restore_from(window, StoreDamaged(data / "store.sqlite3"),
                               window.banners._banners()[-1].restore_menu.actions()[0].data())
        assert new is not None and new.isVisible() and not window.isVisible()
    finally:
        if "new" in locals() and new is not None:
            dispose(new)
        else:
            dispose(window)


def test_a_sync_that_finds_the_store_damaged_shows_the_restore_banner_not_a_status_line(
        _synced_template, tmp_path, no_event_loop, qtbot):
    from wtdc_desktop.ui import app

    data = tmp_path / "data"
    shutil.copytree(_synced_template, data)
    assert app.run(data) == 0
    [window] = _top("MainWindow")
    try:
        damage_store(data / "store.sqlite3")  # under the running window: the sync's worker opens it
        window.sync.sync_path(DEMO_BUNDLE)
        qtbot.waitUntil(lambda: window.banners.has("damaged"), timeout=20000)
        assert "damaged" in window.banner_texts()[-1]
        assert "damaged" not in window.statusBar().currentMessage()
    finally:
        dispose(window)


# -- damage anywhere: a fuzz ---------------------------------------------------------------------------

@pytest.mark.slow
def test_damage_anywhere_gives_an_answer_or_the_damaged_sentence_never_a_traceback(_synced_template, tmp_path):
    """Bytes overwritten at any offset, any length, any pattern (the header included): ``list``,
    ``stats`` and ``position set`` say the store is damaged, exit 8 and leave its bytes unchanged;
    or, for damage inside a record's bytes that leaves every page sound (SQLite keeps no checksum),
    answer, or give the one sentence of an unexpected error naming the log file, which holds the
    traceback (a record's JSON cut in the middle); never a traceback on the terminal."""
    import os

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    examples = min(int(os.environ.get("WTDC_FUZZ_EXAMPLES", "300")), 300) // 3
    size = (_synced_template / "store.sqlite3").stat().st_size
    seen = {"damaged": 0, "answered": 0, "unexpected": 0}

    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck))
    @given(offset=st.integers(0, size - 1), length=st.integers(1, 3 * 4096),
           fill=st.sampled_from([b"\x00", b"\xff", b"\x0d", bytes(range(256))]))
    def damaged_somewhere(offset, length, fill):
        data = tmp_path / "fuzz"
        shutil.rmtree(data, ignore_errors=True)
        shutil.copytree(_synced_template, data)
        with open(data / "store.sqlite3", "r+b") as fp:
            fp.seek(offset)
            fp.write((fill * (length // len(fill) + 1))[:length])
        for argv in (["list", "proposal"], ["stats"],
                     ["position", "set", "proposal", "WD2/1.1", "--stance", "support"]):
            before = file_hash(data / "store.sqlite3")
            code, out, err = run_cli(*argv, "--data-dir", data)
            assert "Traceback" not in err, err
            assert len(err.strip().splitlines()) <= 1, err
            if code == 8:
                assert "damaged" in err and file_hash(data / "store.sqlite3") == before
                seen["damaged"] += 1
            elif "unexpected" in err:
                assert code == 1 and str(data / "logs" / "wtdc-desktop.log") in err
                seen["unexpected"] += 1
            else:
                seen["answered"] += 1

    damaged_somewhere()
    print(f"\ndamage fuzz: {examples} stores, {seen['damaged']} runs refused as damaged, "
          f"{seen['answered']} answered, {seen['unexpected']} unexpected errors (logged)")
