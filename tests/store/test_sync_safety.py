"""Safety of the store around syncs: the sync lock, backups, restore, and kills in the middle of an apply."""

from __future__ import annotations

import collections
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from helpers import ROOT, run_cli, table_fingerprint
from sync_helpers import make_bundle
from wtdc_desktop.bundles.apply import apply_bundle
from wtdc_desktop.store import Store, backup, lock

HOLD_LOCK = (
    "import sys, time\n"
    "from wtdc_desktop.store.lock import SyncLock\n"
    "SyncLock(sys.argv[1], wait=0).acquire()\n"
    "print('locked', flush=True)\n"
    "time.sleep(120)\n"
)
HOLD_STORE = (
    "import sys, time\n"
    "from wtdc_desktop.store import Store\n"
    "s = Store(sys.argv[1]); s.execute('SELECT count(*) FROM proposal').fetchone()\n"
    "print('open', flush=True)\n"
    "time.sleep(120)\n"
)


def _child(code: str, data_dir: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", code, str(data_dir)], stdout=subprocess.PIPE, text=True,
                            cwd=ROOT)
    assert proc.stdout.readline().strip() in ("locked", "open")
    return proc


def _stop(proc: subprocess.Popen) -> None:
    proc.kill()
    proc.wait()
    proc.stdout.close()


def one_line_error(err: str, *words: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    for word in words:
        assert word in lines[0], (word, err)


def fingerprint(data_dir: Path) -> dict:
    with Store(data_dir) as store:
        return table_fingerprint(store)


# --- the sync lock ------------------------------------------------------------------------------------

def test_a_second_sync_on_the_same_store_refuses_clearly(data_dir, tmp_path, monkeypatch):
    s1 = make_bundle(tmp_path / "w", tmp_path / "s1.wtdc.zip", sequence=1, n=10)
    s2 = make_bundle(tmp_path / "w", tmp_path / "s2.wtdc.zip", sequence=2, n=10, variant="b")
    assert run_cli("sync", s1, "--data-dir", data_dir)[0] == 0
    before = fingerprint(data_dir)
    backups = backup.list_backups(data_dir)
    monkeypatch.setattr(lock, "LOCK_WAIT_SECONDS", 0.3)
    holder = _child(HOLD_LOCK, data_dir)
    try:
        code, _, err = run_cli("sync", s2, "--data-dir", data_dir)
        code_restore, _, err_restore = run_cli("restore", backups[0].name, "--data-dir", data_dir)
    finally:
        _stop(holder)
    assert code == 3
    one_line_error(err, "Another sync is running on", str(data_dir / "store.sqlite3"))
    assert code_restore == 3  # a restore waits for no sync either
    one_line_error(err_restore, "Another sync is running on")
    assert fingerprint(data_dir) == before
    assert backup.list_backups(data_dir) == backups


def test_a_lock_left_by_a_killed_sync_does_not_block(data_dir, tmp_path, monkeypatch):
    bundle = make_bundle(tmp_path / "w", tmp_path / "s1.wtdc.zip", sequence=1, n=10)
    holder = _child(HOLD_LOCK, data_dir)
    holder.send_signal(signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)
    holder.wait()
    holder.stdout.close()
    assert (data_dir / "sync.lock").exists()  # the file stays; the lock went with the process
    monkeypatch.setattr(lock, "LOCK_WAIT_SECONDS", 0)
    code, out, err = run_cli("sync", bundle, "--data-dir", data_dir)
    assert code == 0, err
    assert "Applied test-pub/SYNC sequence 1" in out


# --- backups --------------------------------------------------------------------------------------------

def test_a_backup_precedes_each_apply_and_the_last_five_are_kept(data_dir, tmp_path):
    bundles = [make_bundle(tmp_path / "w", tmp_path / f"s{seq}.wtdc.zip", sequence=seq, n=5, variant=str(seq))
               for seq in range(1, 8)]
    for bundle in bundles:
        code, _, err = run_cli("sync", bundle, "--data-dir", data_dir)
        assert code == 0, err
    assert run_cli("sync", bundles[-1], "--data-dir", data_dir)[0] == 0  # already applied: no backup
    code, out, err = run_cli("backups", "--json", "--data-dir", data_dir)
    assert code == 0, err
    listed = json.loads(out)
    assert [b["before_sync"] for b in listed] == [7, 6, 5, 4, 3]
    assert [b["sync"]["sequence"] for b in listed] == [7, 6, 5, 4, 3]
    assert sorted(p.name for p in (data_dir / "backups").iterdir()) == sorted(b["name"] for b in listed)
    for b in listed:
        assert b["name"].startswith("store-") and b["name"].endswith(f"-s{b['before_sync']:03d}.sqlite3")
        assert b["size"] == Path(b["path"]).stat().st_size > 0
    # each backup holds the state before its sync
    with sqlite3.connect(listed[0]["path"]) as conn:
        assert conn.execute("SELECT last_sequence FROM channel_state").fetchone()[0] == 6
    code, out, _ = run_cli("backups", "--data-dir", data_dir)
    assert listed[0]["name"] in out and "test-pub/SYNC 7" in out


def test_restore_round_trip(data_dir, tmp_path):
    s1 = make_bundle(tmp_path / "w", tmp_path / "s1.wtdc.zip", sequence=1, n=20)
    s2 = make_bundle(tmp_path / "w", tmp_path / "s2.wtdc.zip", sequence=2, n=25, variant="b")
    assert run_cli("sync", s1, "--data-dir", data_dir)[0] == 0
    after_s1 = fingerprint(data_dir)
    assert run_cli("sync", s2, "--data-dir", data_dir)[0] == 0
    after_s2 = fingerprint(data_dir)
    newest = backup.list_backups(data_dir)[0]
    assert newest.before_sync == 2

    code, out, err = run_cli("restore", newest.name, "--data-dir", data_dir)
    assert code == 0, err
    assert fingerprint(data_dir) == after_s1
    with Store(data_dir) as store:
        assert store.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        store.execute("INSERT INTO search_index(search_index) VALUES('integrity-check')")
        assert store.execute("SELECT title FROM proposal WHERE id = 'T/3'").fetchone()[0] == "Proposal 3 version a"
    safety = backup.list_backups(data_dir)[0]
    assert safety.name in out

    code, _, err = run_cli("restore", safety.path, "--data-dir", data_dir)  # a path works too
    assert code == 0, err
    assert fingerprint(data_dir) == after_s2


def test_restore_refuses_while_another_process_uses_the_store(data_dir, tmp_path):
    s1 = make_bundle(tmp_path / "w", tmp_path / "s1.wtdc.zip", sequence=1, n=20)
    assert run_cli("sync", s1, "--data-dir", data_dir)[0] == 0
    name = backup.list_backups(data_dir)[0].name
    before = fingerprint(data_dir)
    count = len(backup.list_backups(data_dir))
    holder = _child(HOLD_STORE, data_dir)
    try:
        code, _, err = run_cli("restore", name, "--data-dir", data_dir)
    finally:
        _stop(holder)
    assert code == 3
    one_line_error(err, str(data_dir / "store.sqlite3"), "open in another")
    assert fingerprint(data_dir) == before
    assert len(backup.list_backups(data_dir)) == count
    code, _, err = run_cli("restore", "store-20990101T000000Z-s001.sqlite3", "--data-dir", data_dir)
    assert code != 0
    one_line_error(err, "store-20990101T000000Z-s001.sqlite3", "backups")


def test_a_damaged_backup_is_not_restored(data_dir, tmp_path):
    s1 = make_bundle(tmp_path / "w", tmp_path / "s1.wtdc.zip", sequence=1, n=20)
    assert run_cli("sync", s1, "--data-dir", data_dir)[0] == 0
    before = fingerprint(data_dir)
    bad = tmp_path / "store-bad.sqlite3"
    bad.write_bytes(b"SQLite format 3\0" + os.urandom(8000))
    code, _, err = run_cli("restore", bad, "--data-dir", data_dir)
    assert code != 0
    one_line_error(err, str(bad))
    assert fingerprint(data_dir) == before


# --- crash safety -----------------------------------------------------------------------------------------

def _reference_run(command: list[str], template: Path, tmp_path: Path) -> tuple[float, dict]:
    """Run the command to its end on a copy of the template: (its duration, the state it leaves)."""
    reference = tmp_path / "reference"
    shutil.copytree(template, reference)
    started = time.monotonic()
    subprocess.run([*command, str(reference)], check=True, capture_output=True, cwd=ROOT)
    return time.monotonic() - started, fingerprint(reference)


def _killed_copy(command: list[str], template: Path, data: Path, delay: float, label) -> tuple[int, dict, str]:
    """Run the command on a fresh copy of the template at ``data`` and SIGKILL it after ``delay``
    seconds; the copy must then pass SQLite's and FTS5's integrity checks. (return code, the state
    it was left in, its journal mode)."""
    shutil.copytree(template, data)
    proc = subprocess.Popen([*command, str(data)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    time.sleep(delay)  # the random moment of the kill is the point here
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with Store(data) as store:
        assert store.execute("PRAGMA integrity_check").fetchone()[0] == "ok", label
        store.execute("INSERT INTO search_index(search_index) VALUES('integrity-check')")
        return proc.returncode, table_fingerprint(store), store.conn.execute("PRAGMA journal_mode").fetchone()[0]


KILLS = 50


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX")
def test_a_kill_at_any_moment_of_an_apply_leaves_the_store_as_before_or_after(tmp_path):
    work = tmp_path / "w"
    first = make_bundle(work, tmp_path / "s1.wtdc.zip", sequence=1, n=1500, variant="a")
    big = make_bundle(work, tmp_path / "s2.wtdc.zip", sequence=2, n=2000, variant="b")  # changes 1650, adds 550
    template = tmp_path / "template"
    with Store(template) as store:
        apply_bundle(store, first)
        store.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = fingerprint(template)
    command = [sys.executable, "-m", "wtdc_desktop", "sync", str(big), "--data-dir"]
    duration, after = _reference_run(command, template, tmp_path)
    assert after != before

    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    seen = collections.Counter()
    for i in range(KILLS):
        data = tmp_path / f"kill-{i}"
        returncode, state, _mode = _killed_copy(command, template, data, rng.uniform(0, duration), (seed, i))
        assert state in (before, after), f"kill {i} (seed {seed}) left a state that is neither before nor after"
        # a finished backup means the kill came after it, while applying or later
        when = "after the backup" if backup.list_backups(data) else "before the backup"
        seen[("killed" if returncode == -signal.SIGKILL else "finished", when,
              "before" if state == before else "after")] += 1
        shutil.rmtree(data)
    print(f"seed {seed}, apply {duration:.2f} s, outcomes {dict(seen)}")
    assert sum(n for (how, _, _), n in seen.items() if how == "killed") >= KILLS // 2
    assert sum(n for (how, when, _), n in seen.items() if how == "killed" and when == "after the backup") >= 5


def test_a_refused_apply_keeps_the_older_backups(data_dir, tmp_path):
    bundles = [make_bundle(tmp_path / "w", tmp_path / f"s{seq}.wtdc.zip", sequence=seq, n=5, variant=str(seq))
               for seq in range(1, 6)]
    for bundle in bundles:
        assert run_cli("sync", bundle, "--data-dir", data_dir)[0] == 0
    kept = [b.name for b in backup.list_backups(data_dir)]
    assert len(kept) == 5
    damaged = tmp_path / "s6.wtdc.zip"
    make_bundle(tmp_path / "w", damaged, sequence=6, n=5, variant="6")
    with zipfile.ZipFile(damaged) as zf:  # damage the records, not the manifest: the apply starts, then fails
        info = zf.getinfo("records/proposal.jsonl")
    start = info.header_offset + 30 + len(info.orig_filename.encode()) + len(info.extra)
    data = bytearray(damaged.read_bytes())
    data[start + info.compress_size // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    for _ in range(3):  # a scheduler retrying a bad bundle must not push the good backups out
        code, _, err = run_cli("sync", damaged, "--data-dir", data_dir)
        assert code != 0 and "records/proposal.jsonl" in err
    assert [b.name for b in backup.list_backups(data_dir)] == kept


# --- a first import written through a rollback journal ---------------------------------------------------

def _journal_modes_while_applying(store: Store, bundle: Path, *, reader: Store | None = None) -> set[str]:
    """The store's journal modes seen while the bundle is applied (at each progress step), and what
    another connection could read meanwhile."""
    modes = set()

    def progress(done, total):
        if not store.conn.in_transaction:  # the last step, once committed
            return
        modes.add(store.conn.execute("PRAGMA journal_mode").fetchone()[0])
        if reader is not None:  # never blocked: it sees the store as it was before
            assert reader.execute("SELECT count(*) FROM proposal").fetchone()[0] == 0

    apply_bundle(store, bundle, progress=progress)
    return modes


def test_a_first_import_into_a_store_no_one_else_has_open_goes_through_a_rollback_journal(tmp_path):
    first = make_bundle(tmp_path / "w", tmp_path / "s1.wtdc.zip", sequence=1, n=1200)
    second = make_bundle(tmp_path / "w", tmp_path / "s2.wtdc.zip", sequence=2, n=1200, variant="b")
    with Store(tmp_path / "data") as store:
        assert _journal_modes_while_applying(store, first) == {"delete"}
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.execute("SELECT count(*) FROM proposal").fetchone()[0] == 1200
        # the log is folded into the file as before (SQLite once refused this after a change of mode)
        assert store.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
        # a store that holds records keeps its write-ahead log: readers are never kept waiting
        assert _journal_modes_while_applying(store, second) == {"wal"}
    with Store(tmp_path / "data") as store:
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert store.execute("SELECT count(*) FROM proposal WHERE title LIKE '%version b'").fetchone()[0] == 1200


def test_sync_into_a_new_data_folder_writes_through_a_rollback_journal(tmp_path, monkeypatch):
    """The command line's first sync, as a publisher or a script types it, is the case this is for."""
    import contextlib

    first = make_bundle(tmp_path / "w", tmp_path / "s1.wtdc.zip", sequence=1, n=1200)
    seen = []
    writing_alone = Store.writing_alone

    @contextlib.contextmanager
    def spy(self):
        with writing_alone(self) as switched:
            seen.append((switched, self.conn.execute("PRAGMA journal_mode").fetchone()[0]))
            yield switched

    monkeypatch.setattr(Store, "writing_alone", spy)
    assert run_cli("sync", first, "--data-dir", tmp_path / "data")[0] == 0
    assert seen == [(True, "delete")]
    with Store(tmp_path / "data") as store:
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.execute("SELECT count(*) FROM proposal").fetchone()[0] == 1200


def test_opening_the_store_during_a_first_import_is_refused_in_one_sentence_and_the_import_completes(
        tmp_path, monkeypatch):
    """Through a rollback journal the import holds the file to itself: a command opened meanwhile
    waits for the store's busy timeout (shortened here), then refuses as for any store in use."""
    from wtdc_desktop.store import db

    first = make_bundle(tmp_path / "w", tmp_path / "s1.wtdc.zip", sequence=1, n=1200)
    data = tmp_path / "data"
    refusals = []

    def progress(done, total):
        if store.conn.in_transaction and not refusals:
            monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 200)
            refusals.append(run_cli("search", "connectivity", "--data-dir", data))
            monkeypatch.undo()

    with Store(data) as store:
        apply_bundle(store, first, progress=progress)
    code, out, err = refusals[0]
    assert code == 3 and not out
    one_line_error(err, str(data / "store.sqlite3"), "in use by another WTDC Desktop process")
    with Store(data) as store:
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert store.execute("SELECT count(*) FROM proposal").fetchone()[0] == 1200
    code, out, _err = run_cli("search", "connectivity", "--data-dir", data)
    assert code == 0 and "T/" in out


def test_a_first_import_keeps_the_write_ahead_log_while_another_connection_has_the_store_open(tmp_path):
    first = make_bundle(tmp_path / "w", tmp_path / "s1.wtdc.zip", sequence=1, n=1200)
    with Store(tmp_path / "data") as store, Store(tmp_path / "data") as window:
        window.execute("SELECT count(*) FROM proposal").fetchone()
        assert _journal_modes_while_applying(store, first, reader=window) == {"wal"}
        assert window.execute("SELECT count(*) FROM proposal").fetchone()[0] == 1200


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX")
def test_a_kill_at_any_moment_of_a_first_import_leaves_the_store_empty_or_complete(tmp_path):
    big = make_bundle(tmp_path / "w", tmp_path / "s1.wtdc.zip", sequence=1, n=3000)
    template = tmp_path / "template"
    Store(template).close()
    before = fingerprint(template)
    command = [sys.executable, "-m", "wtdc_desktop", "sync", str(big), "--data-dir"]
    duration, after = _reference_run(command, template, tmp_path)
    assert after != before
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    killed = 0
    for i in range(20):
        data = tmp_path / f"kill-{i}"
        returncode, state, mode = _killed_copy(command, template, data, rng.uniform(0.2, 1.0) * duration, (seed, i))
        killed += returncode == -signal.SIGKILL
        assert mode == "wal"
        assert state in (before, after), f"kill {i} (seed {seed}) left a state that is neither empty nor complete"
        shutil.rmtree(data)
    assert killed >= 10
