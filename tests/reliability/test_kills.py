"""Kill tests: SIGKILL at random moments of an apply, a delegation import, a backup, a restore and a migration.

After each kill the store opens, ``PRAGMA integrity_check`` and the full-text
indexes' own integrity checks pass, the sync lock is free at once, and every table's content is exactly the
state before the operation or the state after it (for a migration: the state
after one of the migration steps, each of which is one transaction). A
published-bundle apply never changes the delegation's own tables, even when
killed. The number of kills per operation is set by WTDC_KILLS (default 200 in
all); a summary is written as ``kills.json`` into the test's temporary folder
and printed.

The operations run in children forked from one process that has imported the
application already (tests/reliability/forkserver.py), so a kill costs no
Python start-up.
"""

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
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from helpers import DEMO_BUNDLE, ROOT, run_cli, table_fingerprint
from wtdc_desktop.bundles.apply import apply_bundle
from wtdc_desktop.bundles.writer import Header, build_bundle
from wtdc_desktop.store import Store, backup, positions, record_marks
from wtdc_desktop.store import schema
from wtdc_desktop.store.db import STORE_FILENAME, _split_sql
from wtdc_desktop.store.lock import SyncLock

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not hasattr(signal, "SIGKILL") or not hasattr(os, "fork"),
                                 reason="SIGKILL and fork are POSIX")]

HERE = Path(__file__).resolve().parent
TOTAL = int(os.environ.get("WTDC_KILLS", "200"))
SPLIT = {"apply": 0.35, "delegation import": 0.20, "backup": 0.175, "restore": 0.175, "migration": 0.10}
KILLS = {op: max(1, round(TOTAL * share)) for op, share in SPLIT.items()}
LANES = 2
SUMMARY: dict[str, dict] = {}


class ForkServer:
    def __init__(self) -> None:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
        self.proc = subprocess.Popen([sys.executable, str(HERE / "forkserver.py")], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env)
        assert json.loads(self.proc.stdout.readline())["ready"]

    def _ask(self, request: dict) -> dict:
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def run(self, request: dict) -> dict:
        """Run to the end; the exit status and duration."""
        return self._ask({**request, "op": "run", "wait": True})

    def run_and_kill(self, request: dict, after: float) -> bool:
        """Start, SIGKILL the child after ``after`` seconds; True when the kill came before it finished."""
        pid = self._ask({**request, "op": "run", "wait": False})["pid"]
        time.sleep(after)  # the random moment of the kill is the point of the test
        os.kill(pid, signal.SIGKILL)  # not reaped yet, so this pid is still our child's
        status = self._ask({"op": "reap"})["status"]
        return os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
        self.proc.stdout.close()


@pytest.fixture(scope="module")
def server():
    """Two fork servers: kills run in two lanes at once (most of a kill's time is waiting for its moment)."""
    lanes = [ForkServer() for _ in range(LANES)]
    yield lanes
    for lane in lanes:
        lane.close()


@pytest.fixture(scope="module", autouse=True)
def summary(tmp_path_factory):
    yield SUMMARY
    out = tmp_path_factory.getbasetemp() / "kills.json"
    out.write_text(json.dumps(SUMMARY, indent=1), "utf-8")
    print(f"\nkill summary ({out}):\n{json.dumps(SUMMARY, indent=1)}")


def check_store(data_dir: Path) -> tuple[int, dict[str, str]]:
    """Open without migrating; integrity and FTS checks; (schema version, fingerprint)."""
    with Store(data_dir, migrate=False) as store:
        assert store.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for index in ("search_index", "search_trigram"):
            if store.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (index,)).fetchone():
                store.execute(f"INSERT INTO {index}({index}) VALUES('integrity-check')")
        return store.schema_version(), table_fingerprint(store)


def delegation_hash(data_dir: Path) -> dict[str, str]:
    with Store(data_dir, migrate=False) as store:
        return table_fingerprint(store, schema.DELEGATION_TABLES)


def backups_intact(data_dir: Path) -> None:
    """Every backup the application lists is a complete, sound store (an unfinished one is never listed)."""
    for info in backup.list_backups(data_dir):
        backup._check_backup(info.path)


def with_delegation_layer(store: Store) -> None:
    """Stars, read marks, notes and a position: the delegation's own work, which no sync may touch."""
    record_marks.set_star(store, "proposal", "WD2/1.1")
    record_marks.mark_read(store, "proposal", "WD2/1.2")
    record_marks.save_note(store, "proposal", "WD2/1.1", "Soutenir, avec la région ATU.")
    record_marks.save_note(store, "document", "TDAG-WD2-20/1", "À lire avant la séance.")
    positions.save_position(store, "proposal", "WD2/2.1", stance="support", brief="Appui.")


def build_template(path: Path) -> Path:
    with Store(path) as store:
        apply_bundle(store, DEMO_BUNDLE, source="demo")
        with_delegation_layer(store)
        store.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def run_kills(tmp_path: Path, servers: list[ForkServer], name: str, template: Path, request_for, make_allowed,
              extra_check=None) -> collections.Counter:
    """Run the operation once to the end (its duration, and the after state for ``make_allowed``), then
    kill it KILLS[name] times at random moments, each on a fresh copy of the template, and check each copy."""
    # the reference runs to the end in every lane at once, as the kills will: its duration under that load
    references = [tmp_path / f"{name}-reference-{k}" for k in range(len(servers))]
    for reference in references:
        shutil.copytree(template, reference)
    with ThreadPoolExecutor(len(servers)) as pool:
        runs = list(pool.map(lambda k: servers[k].run(request_for(references[k])), range(len(servers))))
    for done in runs:
        assert os.WIFEXITED(done["status"]) and os.WEXITSTATUS(done["status"]) == 0, done
    duration = max(done["seconds"] for done in runs)
    allowed = make_allowed(references[0])
    seed = random.randrange(1 << 30)
    moments = [random.Random(seed + i).uniform(0, duration * 1.1) for i in range(KILLS[name])]
    outcomes = collections.Counter()
    counting = threading.Lock()
    started = time.monotonic()

    def one(i: int, server: ForkServer) -> None:
        data = tmp_path / f"{name}-{i}"
        shutil.copytree(template, data)
        killed = server.run_and_kill(request_for(data), moments[i])
        try:
            version, state = check_store(data)
            with SyncLock(data, wait=0):  # a killed sync or restore never leaves the store locked
                pass
            if extra_check:
                extra_check(data)
        except Exception as exc:  # noqa: BLE001 - say which kill, with the seed to replay it
            raise AssertionError(f"{name}: kill {i} (seed {seed}): {exc!r}") from exc
        label = allowed(version, state)
        assert label is not None, (f"{name}: kill {i} (seed {seed}, killed: {killed}) left a state that is neither "
                                   f"before nor after: {describe(state, allowed)}")
        with counting:
            outcomes[("killed" if killed else "finished", label)] += 1
        shutil.rmtree(data)

    def lane(k: int) -> None:
        for i in range(k, KILLS[name], len(servers)):
            one(i, servers[k])

    with ThreadPoolExecutor(len(servers)) as pool:
        for future in [pool.submit(lane, k) for k in range(len(servers))]:
            future.result()
    killed = sum(n for (how, _), n in outcomes.items() if how == "killed")
    SUMMARY[name] = {"kills": KILLS[name], "killed_mid_operation": killed, "survived": KILLS[name],
                     "operation_seconds": round(duration, 2), "seconds": round(time.monotonic() - started, 1),
                     "seed": seed, "outcomes": {f"{a} -> {b}": n for (a, b), n in sorted(outcomes.items())}}
    assert killed >= KILLS[name] // 5, SUMMARY[name]  # many kills did land during the operation
    return outcomes


def describe(state: dict, allowed) -> str:
    """Which tables differ from each allowed state."""
    return "; ".join(f"{label}: {sorted(t for t in state if state[t] != other.get(t))}"
                     for label, other in getattr(allowed, "states", {}).items())


def before_or_after(before: dict, after: dict):
    def allowed(version, state):
        if version != schema.LATEST_VERSION:
            return None
        return "before" if state == before else "after" if state == after else None
    allowed.states = {"before": before, "after": after}
    return allowed


# --- a large published bundle ---------------------------------------------------------------------

def test_killing_an_apply_of_a_large_bundle(tmp_path, server):
    from bench.generate import generate

    bundle, records = generate(1000, tmp_path / "generated")
    assert sum(len(v) for v in records.values()) > 2000
    template = build_template(tmp_path / "template")
    _, before = check_store(template)
    mine = delegation_hash(template)

    def make_allowed(reference: Path):
        _, after = check_store(reference)
        assert after != before and delegation_hash(reference) == mine
        return before_or_after(before, after)

    def extra(data: Path) -> None:
        assert delegation_hash(data) == mine  # the delegation's work, untouched by a killed apply
        backups_intact(data)

    outcomes = run_kills(tmp_path, server, "apply", template,
                         lambda data: {"argv": ["sync", str(bundle), "--data-dir", str(data)]}, make_allowed, extra)
    assert "before" in {label for (_, label) in outcomes}


# --- a delegation bundle -----------------------------------------------------------------------

def delegation_bundle(tmp_path: Path, n: int = 1000) -> Path:
    src = tmp_path / "delegation-src"
    (src / "records").mkdir(parents=True)
    subjects = [("proposal", f"WD2/{i}.{j}") for i in range(1, 8) for j in range(1, 4)]
    with open(src / "records" / "note.jsonl", "w", encoding="utf-8") as fp:
        for i in range(n):
            st, sid = subjects[i % len(subjects)]
            fp.write(json.dumps({"id": f"note-{i:05d}", "subject": {"type": st, "id": sid},
                                 "body": f"Note {i} de la capitale : inclusion numérique, connectivité. " * 4,
                                 "author": "Capitale", "updated_at": "2026-11-20T08:00:00Z"},
                                ensure_ascii=False) + "\n")
    with open(src / "records" / "position.jsonl", "w", encoding="utf-8") as fp:
        for i, (st, sid) in enumerate(subjects):
            fp.write(json.dumps({"id": f"pos-{i:03d}", "subject": {"type": st, "id": sid}, "stance": "support",
                                 "brief": f"Appuyer la proposition {sid}.", "updated_at": "2026-11-20T08:00:00Z"},
                                ensure_ascii=False) + "\n")
    out = tmp_path / "KEN-7.wtdc.zip"
    build_bundle(src, out, Header(publisher_id="delegation-KEN", publisher_name="KEN", channel="delegation",
                                  sequence=7, kind="full", created_at="2026-11-20T08:00:00Z"))
    return out


def test_killing_a_delegation_import(tmp_path, server):
    bundle = delegation_bundle(tmp_path)
    template = build_template(tmp_path / "template")
    _, before = check_store(template)

    def make_allowed(reference: Path):
        _, after = check_store(reference)
        assert after["my_note"] != before["my_note"]
        return before_or_after(before, after)

    outcomes = run_kills(tmp_path, server, "delegation import", template,
                         lambda data: {"argv": ["import-delegation", str(bundle), "--data-dir", str(data)]},
                         make_allowed)
    assert "before" in {label for (_, label) in outcomes}


# --- backup and restore -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def restorable(tmp_path_factory) -> tuple[Path, str]:
    """A store after two syncs, with the backup taken before the second."""
    from bench.generate import generate

    from sync_helpers import make_bundle

    tmp = tmp_path_factory.mktemp("restorable")
    template = build_template(tmp / "template")
    first, _ = generate(400, tmp / "generated")  # the backup to restore holds this one: a large copy
    second = make_bundle(tmp / "w", tmp / "second.wtdc.zip", sequence=1, n=50)
    for bundle in (first, second):
        code, _, err = run_cli("sync", bundle, "--data-dir", template)
        assert code == 0, err
    with Store(template) as store:
        store.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return template, backup.list_backups(template)[0].name


def test_killing_a_backup(tmp_path, server, restorable):
    template, _ = restorable
    _, before = check_store(template)
    count = len(backup.list_backups(template))

    def extra(data: Path) -> None:
        backups_intact(data)
        assert len(backup.list_backups(data)) in (count, count + 1)
        leftovers = {p.name for p in (data / "backups").iterdir()} - {b.name for b in backup.list_backups(data)}
        # an unfinished copy (and its journal) under a hidden name, removed by the next backup's rotation
        assert all(n.startswith(".store-") and ".sqlite3." in n and ".part" in n for n in leftovers), leftovers

    run_kills(tmp_path, server, "backup", template, lambda d: {"what": "backup", "data_dir": str(d)},
              lambda _ref: before_or_after(before, before), extra)


def test_killing_a_restore(tmp_path, server, restorable):
    template, name = restorable
    _, before = check_store(template)
    (tmp_path / "backup-content").mkdir()
    shutil.copyfile(backup.backups_dir(template) / name, tmp_path / "backup-content" / STORE_FILENAME)
    _, restored = check_store(tmp_path / "backup-content")
    assert restored != before

    def request(data: Path) -> dict:
        return {"argv": ["restore", name, "--data-dir", str(data)]}

    outcomes = run_kills(tmp_path, server, "restore", template, request,
                         lambda _ref: before_or_after(before, restored), backups_intact)
    assert any(label == "before" for (_, label) in outcomes)


# --- a migration from schema 1 -----------------------------------------------------------------------------

def store_at_version_1(path: Path, n: int = 3000) -> Path:
    """A store created by MIGRATION_1 alone, holding ``n`` proposals and a few notes."""
    path.mkdir(parents=True)
    conn = sqlite3.connect(path / STORE_FILENAME, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("BEGIN")
    for statement in _split_sql(schema.MIGRATION_1):
        conn.execute(statement)
    rows = []
    for i in range(n):
        raw = json.dumps({"id": f"P/{i}", "title": f"Proposal {i}"})
        rows.append((f"P/{i}", f"Proposal {i} on digital inclusion", f"Proposed text {i}: connectivity. " * 8,
                     raw, f"{i:064d}"))
    conn.executemany("INSERT INTO proposal (id, title, text, raw, content_hash, bundle_seq, changed_sync, "
                     "first_sync, channel) VALUES (?, ?, ?, ?, ?, 1, 1, 1, 'old/CH')", rows)
    conn.executemany("INSERT INTO my_note (id, subject_type, subject_id, body, created_at, updated_at) "
                     "VALUES (?, 'proposal', ?, ?, '2021-01-01T00:00:00Z', '2021-01-01T00:00:00Z')",
                     [(f"n{i}", f"P/{i}", f"Note {i}") for i in range(50)])
    conn.execute("PRAGMA user_version = 1")
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


def migrate_to(path: Path, version: int) -> None:
    conn = sqlite3.connect(path / STORE_FILENAME, isolation_level=None)
    conn.create_function("sha256_hex", 1, schema.sha256_hex, deterministic=True)
    conn.execute("BEGIN")
    for v in range(2, version + 1):
        for statement in _split_sql(schema.MIGRATIONS[v - 1]):
            conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.execute("COMMIT")
    conn.close()


def test_killing_a_migration(tmp_path, server):
    template = store_at_version_1(tmp_path / "v1")
    states = {}
    for version in range(1, schema.LATEST_VERSION + 1):
        step = tmp_path / f"step-{version}"
        shutil.copytree(template, step)
        migrate_to(step, version)
        v, states[version] = check_store(step)
        assert v == version
    assert states[1] != states[schema.LATEST_VERSION]

    def allowed(version, state):
        if states.get(version) != state:
            return None
        return "before" if version == 1 else "after" if version == schema.LATEST_VERSION else f"step {version}"

    def reopens(data: Path) -> None:  # the next start finishes the migration
        with Store(data) as store:
            assert store.schema_version() == schema.LATEST_VERSION
        version, state = check_store(data)
        assert state == states[schema.LATEST_VERSION]

    run_kills(tmp_path, server, "migration", template, lambda d: {"argv": ["stats", "--data-dir", str(d)]},
              lambda _ref: allowed, reopens)
