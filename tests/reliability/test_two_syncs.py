"""Two processes syncing one store: the second waits for the first or refuses with one clear sentence,
and the store ends sound with everything the finished syncs applied.

A sync process killed while it holds the sync lock leaves no stuck lock (here, and after every kill
of tests/reliability/test_kills.py; also tests/store/test_sync_safety.py::test_a_lock_left_by_a_killed_sync_does_not_block).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from helpers import ROOT
from sync_helpers import make_bundle
from wtdc_desktop.store import Store


@pytest.mark.slow
def test_a_second_sync_process_waits_or_refuses_clearly(tmp_path, data_dir):
    from bench.generate import generate

    big, _ = generate(1000, tmp_path / "generated")
    small = make_bundle(tmp_path / "w", tmp_path / "small.wtdc.zip", sequence=1, n=20)
    Store(data_dir).close()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    first = subprocess.Popen([sys.executable, "-m", "wtdc_desktop", "sync", str(big), "--data-dir", str(data_dir)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    lock = data_dir / "sync.lock"
    deadline = time.monotonic() + 60
    while not (lock.exists() and lock.read_text().strip() == str(first.pid)):  # the first holds the lock
        assert first.poll() is None and time.monotonic() < deadline, first.communicate()
        time.sleep(0.02)
    second = subprocess.run([sys.executable, "-m", "wtdc_desktop", "sync", str(small), "--data-dir", str(data_dir)],
                            capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    if second.returncode == 0:  # it waited for the first, then applied
        outcome = "waited"
    else:
        outcome = "refused"
        assert second.returncode == 3, second.stderr
        lines = [line for line in second.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: Another sync is running on"), second.stderr
        assert str(data_dir / "store.sqlite3") in lines[0]
    with Store(data_dir) as store:
        assert store.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        counts = store.execute("SELECT count(*) FROM proposal WHERE id LIKE 'T/%'").fetchone()[0]
    assert counts == (20 if outcome == "waited" else 0)
    print(f"\nthe second sync {outcome}: {second.stderr.strip() or second.stdout.strip().splitlines()[0]}")


@pytest.mark.slow
def test_a_sync_killed_while_holding_the_lock_leaves_no_stuck_lock(tmp_path, data_dir):
    import signal

    from bench.generate import generate

    from wtdc_desktop.store.lock import SyncLock

    if not hasattr(signal, "SIGKILL"):
        pytest.skip("SIGKILL is POSIX")
    big, _ = generate(1000, tmp_path / "generated")
    small = make_bundle(tmp_path / "w", tmp_path / "small.wtdc.zip", sequence=1, n=20)
    Store(data_dir).close()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    first = subprocess.Popen([sys.executable, "-m", "wtdc_desktop", "sync", str(big), "--data-dir", str(data_dir)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, env=env)
    lock = data_dir / "sync.lock"
    deadline = time.monotonic() + 60
    while not (lock.exists() and lock.read_text().strip() == str(first.pid)):
        assert first.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    first.send_signal(signal.SIGKILL)  # killed while it holds the lock, in the middle of its sync
    first.wait()
    with SyncLock(data_dir, wait=0):  # taken at once: the lock went with the process
        pass
    second = subprocess.run([sys.executable, "-m", "wtdc_desktop", "sync", str(small), "--data-dir", str(data_dir)],
                            capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert second.returncode == 0, second.stderr
    with Store(data_dir) as store:
        assert store.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert store.execute("SELECT count(*) FROM proposal WHERE id LIKE 'T/%'").fetchone()[0] == 20
