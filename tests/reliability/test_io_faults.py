"""I/O faults: a write that fails (disk error, disk full) during an apply or a note save.

Two injections: SQLite's own SQLITE_FULL (a page-count cap on the connection),
and real failing system calls (an LD_PRELOAD shim making the N-th write to the
store fail with EIO or ENOSPC) in a subprocess running the command line.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import DEMO_BUNDLE, table_fingerprint
from wtdc_desktop.bundles.apply import apply_bundle
from wtdc_desktop.store import DiskFull, Store, record_marks



def _cap_pages(store: Store, extra: int = 0) -> None:
    pages = store.execute("PRAGMA page_count").fetchone()[0]
    store.execute(f"PRAGMA max_page_count = {pages + extra}")


def test_disk_full_during_apply_leaves_the_store_as_before(store):
    before = table_fingerprint(store)
    _cap_pages(store)
    with pytest.raises(DiskFull) as err:
        apply_bundle(store, DEMO_BUNDLE)
    assert str(store.path) in str(err.value) and "full" in str(err.value)
    assert table_fingerprint(store) == before
    assert store.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_disk_full_during_a_note_save_keeps_the_old_note(demo_store):
    note_id = record_marks.save_note(demo_store, "proposal", "WD2/1.1", "Première version.")
    _cap_pages(demo_store)
    with pytest.raises(DiskFull):
        record_marks.save_note(demo_store, "proposal", "WD2/1.1", "Longue version. " * 20000, note_id=note_id)
    assert record_marks.notes_for(demo_store, "proposal", "WD2/1.1")[0]["body"] == "Première version."


def _run(shim: Path, data_dir: Path, at: int, errno_value: int, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, LD_PRELOAD=str(shim), WTDC_FAULT_AT=str(at), WTDC_FAULT_ERRNO=str(errno_value))
    return subprocess.run([sys.executable, "-m", "wtdc_desktop", *args, "--data-dir", str(data_dir)],
                          env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.slow
@pytest.mark.parametrize("errno_value, words", [(5, ("disk error",)), (28, ("full", "disk error"))])
def test_failing_writes_during_a_sync_never_half_apply(shim, tmp_path, errno_value, words):
    """The N-th write fails, for N from the first write on: each run ends with one clear
    line and the store is either exactly as before or fully applied."""
    base = tmp_path / "base"
    Store(base).close()
    with Store(base) as s:
        empty = table_fingerprint(s)
    with Store(tmp_path / "full") as s:
        apply_bundle(s, DEMO_BUNDLE)
        applied = table_fingerprint(s)
    failures = 0
    for at in [1, 2, 3, 5, 8, 13, 21, 34, 55]:
        data_dir = tmp_path / f"run-{at}"
        shutil.copytree(base, data_dir)
        proc = _run(shim, data_dir, at, errno_value, "sync", str(DEMO_BUNDLE))
        with Store(data_dir) as s:
            assert s.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            state = table_fingerprint(s)
        if proc.returncode == 0:
            assert state == applied
            continue
        failures += 1
        assert "Traceback" not in proc.stderr, proc.stderr
        lines = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
        assert len(lines) == 1 and any(w in lines[0] for w in words) and "store.sqlite3" in lines[0], proc.stderr
        assert state == empty
    assert failures >= 3  # the early injections did hit the apply


def _delegation_bundle(tmp_path: Path, n: int = 300) -> Path:
    from wtdc_desktop.bundles.writer import Header, build_bundle

    src = tmp_path / "delegation-src"
    (src / "records").mkdir(parents=True)
    notes = [{"id": f"note-{i:04d}", "subject": {"type": "proposal", "id": f"WD2/{1 + i % 5}.1"},
              "body": f"Note {i} de la capitale. " * 5, "updated_at": "2026-11-20T08:00:00Z"} for i in range(n)]
    (src / "records" / "note.jsonl").write_text("".join(json.dumps(r) + "\n" for r in notes), "utf-8")
    out = tmp_path / "KEN-3.wtdc.zip"
    build_bundle(src, out, Header(publisher_id="delegation-KEN", channel="delegation", sequence=3, kind="full",
                                  created_at="2026-11-20T08:00:00Z"))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("errno_value, words", [(5, ("disk error",)), (28, ("full", "disk error"))])
def test_failing_writes_during_a_delegation_import_never_half_import(shim, tmp_path, errno_value, words):
    """As for a sync: the N-th write to the store fails during import-delegation; each run ends with one
    clear line and the delegation's tables are exactly as before, or fully imported."""
    bundle = _delegation_bundle(tmp_path)
    base = tmp_path / "base"
    with Store(base) as s:
        apply_bundle(s, DEMO_BUNDLE)
        record_marks.save_note(s, "proposal", "WD2/1.1", "Note locale, écrite ici.")
        s.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        before = table_fingerprint(s)
    reference = tmp_path / "reference"
    shutil.copytree(base, reference)
    assert _run(shim, reference, 10**9, errno_value, "import-delegation", str(bundle)).returncode == 0
    with Store(reference) as s:
        imported = table_fingerprint(s)
    assert imported != before
    failures = 0
    for at in [1, 2, 3, 5, 8, 13, 21, 34, 55, 89]:
        data_dir = tmp_path / f"run-{at}"
        shutil.copytree(base, data_dir)
        proc = _run(shim, data_dir, at, errno_value, "import-delegation", str(bundle))
        with Store(data_dir) as s:
            assert s.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            s.execute("INSERT INTO search_index(search_index) VALUES('integrity-check')")
            state = table_fingerprint(s)
        if proc.returncode == 0:
            assert state == imported
            continue
        failures += 1
        assert "Traceback" not in proc.stderr, proc.stderr
        lines = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
        assert len(lines) == 1 and any(w in lines[0] for w in words) and "store.sqlite3" in lines[0], proc.stderr
        assert state == before
    assert failures >= 3
