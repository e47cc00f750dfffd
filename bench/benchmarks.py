"""Benchmarks of WTDC Desktop against a floor measured in the same run: ratios, never absolute times.

Each group returns figures ``{name, ours, baseline, ratio, goal, pass, unit, note}``; ratio is
ours / baseline, and pass is ``ratio <= goal`` (None when the issue sets no goal). Goals are
stated for 100k documents; at smaller sizes they are reported but fixed overheads weigh more.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from bench.generate import SIZES, WORDS, Generator, generate, write_source

ROOT = Path(__file__).resolve().parent.parent


class Skipped(Exception):
    """A benchmark that cannot run here (a tool missing); reported, not failed."""


def figure(name, ours, baseline, goal=None, unit="s", note=None) -> dict:
    ratio = None if (ours is None or not baseline) else ours / baseline
    ok = None if (goal is None or ratio is None) else ratio <= goal
    return {"name": name, "ours": ours, "baseline": baseline, "ratio": ratio, "goal": goal, "pass": ok,
            "unit": unit, "note": note}


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    t0 = time.perf_counter()
    value = fn(*args, **kwargs)
    return time.perf_counter() - t0, value


def fingerprint(*paths: Path) -> str:
    """A hash of the Python sources under some paths: what generated material depends on."""
    h = hashlib.sha256()
    for root in paths:
        for path in sorted([root] if root.is_file() else root.rglob("*.py")):
            h.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _stamp_matches(stamp: Path, key: str) -> bool:
    try:
        return json.loads(stamp.read_text("utf-8"))["key"] == key
    except (OSError, ValueError, KeyError):
        return False


#: Small records in the scale group's largest bundle (``--scale-records`` changes it).
SCALE_RECORDS = 1_000_000


@dataclass
class Context:
    work: Path
    size: str
    _bundles: dict = field(default_factory=dict)
    _stores: dict = field(default_factory=dict)
    import_seconds: float | None = None
    scale_records: int = SCALE_RECORDS

    @property
    def documents(self) -> int:
        return SIZES[self.size]

    @property
    def repeats(self) -> int:
        return {"1k": 5, "10k": 2, "100k": 1}[self.size]

    def bundle(self, size: str | None = None) -> tuple[Path, Path]:
        """(full bundle, its source folder) of a size, generated once (and kept in a --work folder)."""
        size = size or self.size
        if size not in self._bundles:
            out = self.work / f"gen-{size}"
            stamp = out / "generated.json"
            key = fingerprint(ROOT / "bench" / "generate.py", ROOT / "wtdc_desktop" / "bundles")
            if _stamp_matches(stamp, key):
                print(f"   reusing the {size} bundle generated earlier in {out}", flush=True)
            else:
                shutil.rmtree(out, ignore_errors=True)
                t, (bundle, _records) = timed(generate, SIZES[size], out)
                print(f"   generated {bundle.name} ({size}): {bundle.stat().st_size / 1e6:.1f} MB in {t:.0f} s",
                      flush=True)
                stamp.write_text(json.dumps({"key": key}), "utf-8")
            self._bundles[size] = (out / "full.wtdc.zip", out / "source")
        return self._bundles[size]

    def store_dir(self, size: str | None = None) -> Path:
        """A data folder with the full bundle of a size applied (made once; copy it before writing).

        In a --work folder it is kept for the next run while the code that fills it is unchanged.
        """
        size = size or self.size
        if size not in self._stores:
            from wtdc_desktop.bundles.apply import apply_bundle
            from wtdc_desktop.store import Store

            bundle, _src = self.bundle(size)
            path = self.work / f"store-{size}"
            stamp, key = self._store_stamp(size)
            if _stamp_matches(stamp, key):
                t = json.loads(stamp.read_text("utf-8"))["import_seconds"]
                print(f"   reusing the {size} store made earlier in {path} (import took {t:.1f} s)", flush=True)
            else:
                shutil.rmtree(path, ignore_errors=True)
                stamp.unlink(missing_ok=True)
                with Store(path) as store:
                    t, _ = timed(apply_bundle, store, bundle, source="bench")
                    store.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                stamp.write_text(json.dumps({"key": key, "import_seconds": t}), "utf-8")
            if size == self.size and self.import_seconds is None:
                self.import_seconds = t
            self._stores[size] = path
        return self._stores[size]

    def _store_stamp(self, size: str) -> tuple[Path, str]:
        app = ROOT / "wtdc_desktop"
        key = fingerprint(ROOT / "bench" / "generate.py", app / "bundles", app / "store" / "schema.py",
                          app / "store" / "db.py", app / "store" / "published.py", app / "domain" / "records.py",
                          app / "domain" / "symbols.py")
        return self.work / f"store-{size}.json", key

    def adopt_store(self, path: Path, import_seconds: float) -> None:
        """Keep a store the import benchmark made as this run's (and a later run's) full store."""
        dest = self.work / f"store-{self.size}"
        stamp, key = self._store_stamp(self.size)
        shutil.rmtree(dest, ignore_errors=True)
        path.rename(dest)
        stamp.write_text(json.dumps({"key": key, "import_seconds": import_seconds}), "utf-8")
        self._stores[self.size] = dest

    def copy_store(self, name: str, size: str | None = None) -> Path:
        dest = self.work / name
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(self.store_dir(size), dest)
        return dest


# --- import -----------------------------------------------------------------------------------

def _fts_trigger_inserts(conn) -> list[tuple[str, str, str]]:
    """(trigger, table, INSERT … SELECT) for each AFTER INSERT trigger that feeds a full-text table."""
    out = []
    rows = conn.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%AFTER INSERT%'")
    for name, table, sql in rows:
        m = re.search(r"INSERT INTO (\w+)\s*(\([^)]*\))\s*VALUES\s*\((.*)\);\s*END", sql, re.S | re.I)
        if not m or "search" not in m.group(1):
            continue
        exprs = re.sub(r"\bnew\.", "", m.group(3))
        out.append((name, table, f"INSERT INTO {m.group(1)} {m.group(2)} SELECT {exprs} FROM {table}"))
    return out


def bare_loader(bundle: Path, db_path: Path) -> float:
    """The floor of ``import``: the bare job of loading the bundle's records and making them searchable.

    json.loads of each line of every records file, executemany of (id, title, summary, text) into
    a plain table (no other index) in one transaction, then an FTS5 index over the three text
    columns (the application's tokenizer) built with FTS5's 'rebuild'. No validation, no history,
    no channels, no other column.
    """
    import sqlite3

    db_path.unlink(missing_ok=True)
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    t0 = time.perf_counter()
    conn.execute("BEGIN")
    conn.execute("CREATE TABLE record (rowid INTEGER PRIMARY KEY, id TEXT, title TEXT, summary TEXT, text TEXT)")
    insert = "INSERT INTO record (id, title, summary, text) VALUES (?, ?, ?, ?)"
    with zipfile.ZipFile(bundle) as zf:
        for name in sorted(zf.namelist()):
            if not (name.startswith("records/") and name.endswith(".jsonl")):
                continue
            with zf.open(name) as fp:
                rows = []
                for line in fp:
                    if not line.strip():
                        continue
                    r = json.loads(line)
                    rows.append((r["id"], r.get("title"), r.get("summary"), r.get("text")))
                    if len(rows) == 5000:
                        conn.executemany(insert, rows)
                        rows = []
                conn.executemany(insert, rows)
    conn.execute("CREATE VIRTUAL TABLE record_fts USING fts5(title, summary, text, content='record', "
                 "content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')")
    conn.execute("INSERT INTO record_fts(record_fts) VALUES ('rebuild')")
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    conn.close()
    return elapsed


def minimal_loader(bundle: Path, data_dir: Path) -> float:
    """The second floor: json.loads + executemany into the same schema in one transaction, then the FTS build.

    search_index is a regular FTS5 table (it stores its own text), so after the bulk inserts it is
    filled with one INSERT … SELECT per indexed type, using the same expressions as the schema's
    triggers (which are dropped first), then merged with FTS5's 'optimize'.
    """
    from wtdc_desktop.store import Store

    store = Store(data_dir)
    conn = store.conn
    fts = _fts_trigger_inserts(conn)
    for trigger, _table, _sql in fts:
        conn.execute(f"DROP TRIGGER {trigger}")
    columns = {}
    t0 = time.perf_counter()
    with zipfile.ZipFile(bundle) as zf:
        conn.execute("BEGIN")
        for name in sorted(zf.namelist()):
            if not (name.startswith("records/") and name.endswith(".jsonl")):
                continue
            table = name[len("records/"):-len(".jsonl")]
            if table not in columns:
                columns[table] = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] != "rid"]
            cols = columns[table]
            rows = []
            for line in zf.read(name).splitlines():
                if not line.strip():
                    continue
                record = json.loads(line)
                meta = {"raw": line.decode("utf-8"), "content_hash": hashlib.sha256(line).hexdigest(),
                        "bundle_seq": 1, "changed_sync": 1, "first_sync": 1, "channel": "bench/BENCH",
                        "withdrawn": 0, "sort_key": record["id"]}
                row = []
                for c in cols:
                    v = meta[c] if c in meta else record.get(c)
                    row.append(json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v)
                rows.append(row)
            conn.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows)
        for _trigger, _table, sql in fts:
            conn.execute(sql)
        for fts_table in sorted({re.search(r"INSERT INTO (\w+)", s).group(1) for _t, _tb, s in fts}):
            conn.execute(f"INSERT INTO {fts_table}({fts_table}) VALUES ('optimize')")
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    store.close()
    return elapsed


def bench_import(ctx: Context) -> list[dict]:
    from wtdc_desktop.bundles.apply import apply_bundle
    from wtdc_desktop.store import Store

    bundle, src = ctx.bundle()
    ours, bare, schema = [], [], []
    for i in range(ctx.repeats):
        path = ctx.work / f"import-ours-{i}"
        shutil.rmtree(path, ignore_errors=True)
        with Store(path) as store:
            t, _ = timed(apply_bundle, store, bundle, source="bench")
            store.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        ours.append(t)
        if ctx.size not in ctx._stores:  # the other benchmarks reuse this store
            ctx.adopt_store(path, t)
        else:
            shutil.rmtree(path, ignore_errors=True)
        db = ctx.work / f"import-bare-{i}.db"
        bare.append(bare_loader(bundle, db))
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        path = ctx.work / f"import-base-{i}"
        shutil.rmtree(path, ignore_errors=True)
        schema.append(minimal_loader(bundle, path))
        shutil.rmtree(path, ignore_errors=True)
    ctx.import_seconds = min(ours)
    out = [figure("import", min(ours), min(bare), 2.0,
                  note="full apply (verify, validate, history, channels, FTS) vs the bare loader: json.loads + "
                       "executemany (id, title, summary, text) into a plain table + FTS5 'rebuild'"),
           figure("import-vs-schema-floor", min(ours), min(schema),
                  note="the same vs json.loads + executemany into the application's schema, indexes and all, "
                       "+ FTS build (the floor before 2026-12)")]

    tool = shutil.which("sqlite-utils") or str(Path(sys.executable).parent / "sqlite-utils")
    if not Path(tool).exists():
        out.append(figure("import-vs-sqlite-utils", min(ours), None, note="skipped: sqlite-utils not found"))
        return out
    db = ctx.work / "sqlite-utils.db"
    db.unlink(missing_ok=True)
    t0 = time.perf_counter()
    for path in sorted((src / "records").glob("*.jsonl")):
        subprocess.run([tool, "insert", str(db), path.stem, str(path), "--nl"], check=True)
    peer = time.perf_counter() - t0
    db.unlink(missing_ok=True)
    out.append(figure("import-vs-sqlite-utils", min(ours), peer,
                      note="sqlite-utils insert --nl, one process per record type, no validation, no FTS"))
    return out


# --- re-sync and delta ------------------------------------------------------------------------------

def bench_resync(ctx: Context) -> list[dict]:
    from wtdc_desktop.bundles.apply import apply_bundle
    from wtdc_desktop.bundles.writer import Header, build_bundle, build_delta
    from wtdc_desktop.store import Store

    bundle, src = ctx.bundle()
    if ctx.import_seconds is None:
        ctx.store_dir()
    full = ctx.import_seconds
    # The same content published again under the next sequence number.
    again = ctx.work / "resync-seq2.wtdc.zip"
    build_bundle(src, again, Header(sequence=2))
    times = []
    for i in range(ctx.repeats):
        with Store(ctx.copy_store(f"resync-{i}")) as store:
            t, result = timed(apply_bundle, store, again, source="bench")
        times.append(t)
        assert not result.changed, result.counts
    out = [figure("resync-unchanged", min(times), full, 0.05,
                  note="same records, next sequence, vs the full import")]

    # A delta touching 1 % of the documents (a new title and summary each).
    changed_src = ctx.work / "delta-source"
    shutil.rmtree(changed_src, ignore_errors=True)
    shutil.copytree(src, changed_src)
    docs_path = changed_src / "records" / "document.jsonl"
    lines = docs_path.read_text("utf-8").splitlines()
    rng = random.Random(7)
    touched = rng.sample(range(len(lines)), max(1, len(lines) // 100))
    for n in touched:
        record = json.loads(lines[n])
        record["title"] = "(Rev.) " + record["title"]
        record["summary"] = (record.get("summary") or "") + "\n\nRevised after the coordination meeting.\n"
        lines[n] = json.dumps(record, ensure_ascii=False, sort_keys=True)
    docs_path.write_text("\n".join(lines) + "\n", "utf-8")
    delta = ctx.work / "delta-seq2.wtdc.zip"
    try:
        build_delta(changed_src, delta, bundle, Header(sequence=2))
        how = "bundle build --delta-from"
    except Exception as exc:  # noqa: BLE001 - fall back to a delta made here, and say so
        how = f"delta manifest written by the benchmark (build_delta failed: {type(exc).__name__}: {exc})"
        delta_src = ctx.work / "delta-only-source"
        shutil.rmtree(delta_src, ignore_errors=True)
        write_source({"document": [json.loads(lines[n]) for n in sorted(touched)]}, delta_src,
                     {"publisher": json.loads((src / "manifest.json").read_text("utf-8"))["publisher"],
                      "channel": "BENCH", "sequence": 2, "kind": "delta", "base_sequence": 1,
                      "created_at": "2025-11-02T08:00:00Z"})
        build_bundle(delta_src, delta, Header())
    times = []
    for i in range(ctx.repeats):
        with Store(ctx.copy_store(f"delta-{i}")) as store:
            t, result = timed(apply_bundle, store, delta, source="bench")
        times.append(t)
        assert result.counts["document"]["changed"] == len(touched), result.counts
    out.append(figure("delta-1pct", min(times), full, 0.05,
                      note=f"{len(touched)} documents changed ({how}), vs the full import"))
    return out


# --- verify --------------------------------------------------------------------------------------------

def bench_verify(ctx: Context) -> list[dict]:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from wtdc_desktop.bundles.reader import Bundle
    from wtdc_desktop.bundles.signing import check_bundle_signature, raw_public_key
    from wtdc_desktop.bundles.writer import Header, build_bundle

    mib = {"1k": 32, "10k": 128, "100k": 1024}[ctx.size]
    src = ctx.work / "big-source"
    shutil.rmtree(src, ignore_errors=True)
    write_source({"region": [{"id": "AFR", "name": "Africa"}]}, src)
    (src / "files").mkdir()
    rng = random.Random(11)
    with open(src / "files" / "recording.bin", "wb") as fp:  # incompressible, like PDF or video
        for _ in range(mib):
            fp.write(rng.randbytes(1 << 20))
    bundle = ctx.work / "big.wtdc.zip"
    key = Ed25519PrivateKey.generate()
    t_build, _ = timed(build_bundle, src, bundle, Header(), sign_key=key)
    shutil.rmtree(src)
    print(f"   built a {bundle.stat().st_size / (1 << 20):.0f} MiB signed bundle in {t_build:.0f} s", flush=True)
    pinned = raw_public_key(key.public_key())

    def ours():
        with Bundle(bundle) as b:
            b.verify()
            signer = check_bundle_signature(b, pinned)
            assert signer is not None and signer.verified

    def floor():
        h = hashlib.sha256()
        with open(bundle, "rb") as fp:
            while chunk := fp.read(1 << 20):
                h.update(chunk)
        return h.hexdigest()

    floor()  # warm the page cache for both
    a = [timed(ours)[0] for _ in range(max(2, ctx.repeats))]
    b = [timed(floor)[0] for _ in range(max(2, ctx.repeats))]
    bundle.unlink()
    return [figure("verify", min(a), min(b), 1.3,
                   note=f"{mib} MiB signed bundle: member hashes + Ed25519 vs hashlib.sha256 over the file")]


# --- search ---------------------------------------------------------------------------------------------

def search_queries() -> list[tuple[str, tuple[str, ...] | None]]:
    """50 realistic queries: domain words in the six languages, prefixes, symbols; every 4th filtered."""
    rng = random.Random(5)
    words = []
    for lang, phrases in WORDS.items():
        picks = rng.sample(phrases, 8 if lang in ("en", "fr", "es") else 7)
        for p in picks:
            parts = p.split()
            words.append(" ".join(parts[:2]) if lang != "zh" else p)
    words += ["WTDC-25/1", "spectr", "cyber", "Resolution 37", "connectivité rur", "ciberseg"]
    words = words[:50]
    types = [("document",), ("proposal",), ("resolution",), ("document", "proposal")]
    return [(q, types[i // 4 % 4] if i % 4 == 3 else None) for i, q in enumerate(words)]


def bench_search(ctx: Context) -> list[dict]:
    from wtdc_desktop.store import Store, fulltext

    store = Store(ctx.store_dir())
    conn = store.conn
    qs = search_queries()
    # The search view's query (search_all: Chinese goes through the trigram index) when there is one.
    search = fulltext.search_all
    bare_sql = "SELECT rowid FROM search_index WHERE search_index MATCH ? ORDER BY rank LIMIT 20"
    for q, types in qs:  # warm-up
        search(store, q, types=types, limit=20)
    ours, bare, empty = [], [], 0
    for q, types in qs:
        fq = fulltext.fts_query(q)
        best_o = best_b = float("inf")
        for _ in range(5):  # best of five, interleaved: a busy moment of a shared machine hits both alike
            t, hits = timed(search, store, q, types=types, limit=20)
            best_o = min(best_o, t)
            t, _ = timed(lambda fq=fq: conn.execute(bare_sql, (fq,)).fetchall())
            best_b = min(best_b, t)
        empty += not hits
        ours.append(best_o)
        bare.append(best_b)
    statements = []
    conn.set_trace_callback(statements.append)
    search(store, "connectivity rural", types=("document",), limit=20)
    conn.set_trace_callback(None)
    plans = []
    for sql in statements:
        if sql.lstrip().upper().startswith("SELECT"):
            plans += [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql)]
    temp = [p for p in plans if "TEMP B-TREE" in p.upper()]
    store.close()

    def pct(values, p):
        return statistics.quantiles(values, n=100, method="inclusive")[p - 1]

    note = (f"{search.__name__}: 50 queries ({empty} without hits), snippet + ranking "
            "(+ type filter on every 4th)")
    return [
        figure("search-p50", pct(ours, 50), pct(bare, 50), None, note=note),
        figure("search-p95", pct(ours, 95), pct(bare, 95), 1.5),
        {"name": "search-no-temp-btree", "ours": len(temp), "baseline": 0, "ratio": None, "goal": None,
         "pass": not temp, "unit": "", "note": "; ".join(plans)[:300]},
    ]


# --- list view ---------------------------------------------------------------------------------------------

def _list_view_class():
    from wtdc_desktop.ui.lists import RecordListView

    return RecordListView


def _qapp():
    from PySide6.QtWidgets import QApplication

    from wtdc_desktop.ui.app import make_app

    return make_app(), QApplication


def bench_listview(ctx: Context) -> list[dict]:
    from wtdc_desktop.store import Store

    app, QApplication = _qapp()
    View = _list_view_class()

    def open_view(store) -> tuple[float, object]:
        t0 = time.perf_counter()
        view = View(store, "document")
        view.resize(1200, 760)
        view.show()
        for _ in range(3):
            QApplication.processEvents()
        return time.perf_counter() - t0, view

    results = {}
    for size in ("1k", ctx.size):
        if size in results:
            continue
        store = Store(ctx.store_dir(size))
        open_view(store)[1].close()  # warm-up: imports, fonts, page cache
        times = []
        for _ in range(max(3, ctx.repeats)):
            t, view = open_view(store)
            times.append(t)
            view.close()
            view.deleteLater()
            QApplication.processEvents()
        results[size] = (min(times), store)
    out = [figure("list-open", results[ctx.size][0], results["1k"][0], 1.5,
                  note=f"Documents view with {ctx.size} vs 1k documents")]

    store = results[ctx.size][1]
    _t, view = open_view(store)
    words = ["connectivity", "spectrum", "rural", "cyber", "inclusion"]
    ours, bare = [], []
    for word in words:
        statements = []
        store.conn.set_trace_callback(statements.append)
        view.filter.setText(word)
        t0 = time.perf_counter()
        view.apply_filter() if hasattr(view, "apply_filter") else view.model.set_filter(word)
        for _ in range(2):
            QApplication.processEvents()
        ours.append(time.perf_counter() - t0)
        store.conn.set_trace_callback(None)
        selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
        t0 = time.perf_counter()
        for sql in selects:
            store.conn.execute(sql).fetchall()
        bare.append(time.perf_counter() - t0)
    view.close()
    store.close()
    results["1k"][1].close()
    out.append(figure("list-filter", statistics.median(ours), statistics.median(bare), 2.0,
                      note="typing a word in the Documents filter vs the same SQL statements run bare"))
    return out


# --- start-up and memory -----------------------------------------------------------------------------------

_PROBE_RE = re.compile(r"wtdc-probe first_paint=([0-9.]+) peak_rss_kb=(\d+|None)")


def probe(cmd: list[str], env_extra: dict | None = None) -> tuple[float, int | None]:
    """Start a program with the probe on; (seconds to first paint, peak RSS in kB).

    Each start gets empty settings (XDG_CONFIG_HOME, which Qt reads on Linux): the window
    opens as on a first start, on Today, whatever view the developer's own window was
    closed on (a start then builds that view instead).
    """
    with tempfile.TemporaryDirectory(prefix="wtdc-bench-settings-") as config:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=config, **(env_extra or {}))
        result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    m = _PROBE_RE.search(result.stdout)
    if not m:
        raise RuntimeError(f"{' '.join(cmd)} printed no probe line:\n{result.stdout}\n{result.stderr[-2000:]}")
    return float(m.group(1)), None if m.group(2) == "None" else int(m.group(2))


#: Starts of each program per start-up figure (medians; one more start of each first warms the page cache).
#: Start-ups on a shared 2-core machine vary by a factor of 1.5 from one run to the next.
STARTS = 9


def bench_startup(ctx: Context) -> list[dict]:
    data = ctx.store_dir()
    # Byte-compile the package as installing a wheel does (PYTHONDONTWRITEBYTECODE, set on some
    # machines, would otherwise make every start compile every module again).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "wtdc_desktop")], check=True)
    # And compile the message catalogs as the wheel and the frozen build do (a checkout without them
    # compiles its .po with Babel at every start: about 0.2 s, twice, which no installed copy pays).
    from wtdc_desktop.i18n import compile_catalogs

    compile_catalogs(ROOT / "i18n", ROOT / "i18n")
    hello = [sys.executable, str(ROOT / "bench" / "hello_world.py"), "--report"]
    ours_cmd = [sys.executable, "-m", "wtdc_desktop", "--data-dir", str(data)]
    probe(ours_cmd, {"WTDC_STARTUP_PROBE": "paint"})
    probe(hello)
    ours, base = [], []
    for _ in range(STARTS):  # interleaved, so that a busy moment of a shared machine hits both alike
        ours.append(probe(ours_cmd, {"WTDC_STARTUP_PROBE": "paint"})[0])
        base.append(probe(hello)[0])
    rss_ours = probe(ours_cmd, {"WTDC_STARTUP_PROBE": "views"})[1]
    rss_base = probe(hello)[1]
    return [
        figure("startup", statistics.median(ours), statistics.median(base), 2.5,
               note=f"process start to first paint of the main window, {ctx.size} store, vs an empty QMainWindow"),
        figure("memory", rss_ours / 1024 if rss_ours else None, rss_base / 1024 if rss_base else None, 2.0,
               unit="MB", note="peak RSS after opening every view vs the empty-window script"),
    ]


# --- frozen build --------------------------------------------------------------------------------------------

def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def bench_frozen(ctx: Context) -> list[dict]:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        raise Skipped("PyInstaller is not installed (pip install pyinstaller)") from None
    from wtdc_desktop import APP_ID

    dist, build = ctx.work / "frozen-dist", ctx.work / "frozen-build"
    py = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN", "--distpath", str(dist),
          "--workpath", str(build)]
    t0 = time.perf_counter()
    subprocess.run([*py, str(ROOT / "build_spec.spec")], check=True, cwd=ROOT)
    subprocess.run([*py, "--onedir", "--name", "hello", "--specpath", str(build), str(ROOT / "bench" / "hello_world.py")],
                   check=True, cwd=ROOT)
    print(f"   built both in {time.perf_counter() - t0:.0f} s", flush=True)
    ours_dir, hello_dir = dist / APP_ID, dist / "hello"
    exe_suffix = ".exe" if sys.platform == "win32" else ""
    data = ctx.copy_store("frozen-data", "1k")
    ours_cmd = [str(ours_dir / (APP_ID + exe_suffix)), "--data-dir", str(data)]
    hello_cmd = [str(hello_dir / ("hello" + exe_suffix)), "--report"]
    probe(ours_cmd, {"WTDC_STARTUP_PROBE": "paint"})
    probe(hello_cmd)
    ours, base = [], []
    for _ in range(STARTS):  # interleaved medians, as for the start-up from the source tree
        ours.append(probe(ours_cmd, {"WTDC_STARTUP_PROBE": "paint"})[0])
        base.append(probe(hello_cmd)[0])
    out = [
        figure("frozen-size", folder_size(ours_dir) / 1e6, folder_size(hello_dir) / 1e6, 0.8, unit="MB",
               note="one-folder build vs a PySide6 hello-world frozen by the same PyInstaller"),
        figure("frozen-startup", statistics.median(ours), statistics.median(base), 2.0,
               note="frozen, 1k store: process start to first paint vs the frozen hello world"),
    ]
    shutil.rmtree(dist, ignore_errors=True)
    shutil.rmtree(build, ignore_errors=True)
    return out


# --- team sync ---------------------------------------------------------------------------------------

def bench_team(ctx: Context) -> list[dict]:
    """One member's ``team sync`` reading 49 colleagues' bundles of 100 changes each (a shared folder),
    against importing the same 4,900 records from one local delegation bundle."""
    from wtdc_desktop.bundles.delegation import export_delegation, import_delegation
    from wtdc_desktop.store import Store, record_marks, team_state
    from wtdc_desktop.team import join, members, refresh, sync, trust

    others, changes = 49, 100
    root = ctx.work / "team"
    shutil.rmtree(root, ignore_errors=True)
    shared = root / "shared"
    shared.mkdir(parents=True)
    names = ["reader"] + [f"m{i:02d}" for i in range(others)]
    stores = {name: Store(root / name) for name in names}
    try:
        for name, store in stores.items():
            join(store, str(shared), name, delegation="bench")
        for name in names[1:]:
            store = stores[name]
            for k in range(changes):
                record_marks.save_note(store, "proposal", f"P/{k % 20}", f"{name}: note {k} " + ", ".join(WORDS["en"][:6]))
            sync(store)
        reader = stores["reader"]
        refresh(reader)
        for other in members(reader):
            if not other["trusted"]:
                trust(reader, other["name"], other["fingerprint"])
        ours, result = timed(sync, reader)
        merged = sum(len(m.sequences) for m in result.members)
        assert merged == others, result.as_dict()
        bundle = root / "all.wtdc.zip"
        export_delegation(reader, bundle, member="bench-all")
        team_state.save_config(reader, None)
        with Store(root / "local") as fresh:
            base, _ = timed(import_delegation, fresh, bundle)
        stored = sum(p.stat().st_size for p in shared.rglob("*") if p.is_file())
    finally:
        for store in stores.values():
            store.close()
    return [figure("team-sync-49x100", ours, base,
                   note=f"{others} members' bundles ({stored:,} bytes in the shared folder) vs one local bundle "
                        f"of the same {others * changes:,} records")]


# --- views: first open of each view, and the longest stall of the GUI thread -------------------------

_VIEWS_CHILD = """
import json, sys, time
from pathlib import Path
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication
from wtdc_desktop.ui import main_window
from wtdc_desktop.ui.app import make_app, open_window

main_window.FREEZE_WHAT_IS_BUILT = True  # as the application's run() does (gc.freeze of what is built)
app = make_app()
win = open_window(Path(sys.argv[1]), load_demo_if_empty=False)
win.resize(1280, 800)
win.show()
for _ in range(5):
    app.processEvents()
ticks = []
beat = QTimer()
beat.setInterval(10)
beat.timeout.connect(lambda: ticks.append(time.perf_counter()))


def measure(action, done_when=lambda: True, settle_ms=400):
    # Run action from the event loop, then let the loop turn until done_when() (a view filled off
    # the GUI thread or in slices, a sync's worker and the views' reload after it).
    # Returns (seconds until done, longest gap between 10 ms ticks minus 10 ms).
    done = []
    loop = QEventLoop()
    t0 = [0.0]

    def check():
        if done_when():
            for _ in range(3):
                app.processEvents()
            done.append(time.perf_counter() - t0[0])
            QTimer.singleShot(settle_ms, loop.quit)
        else:
            QTimer.singleShot(5, check)

    def run():
        t0[0] = time.perf_counter()
        action()
        QTimer.singleShot(0, check)  # the paint that follows is a turn of the loop of its own

    ticks.clear()
    beat.start()
    QTimer.singleShot(30, run)
    loop.exec()
    beat.stop()
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    return done[0], max(gaps, default=0.0) - 0.010


def filled(key):
    return lambda: not getattr(win.views.get(key), "loading", False)


out = {}
for key in win.views.declared():
    out["view-" + key] = measure(lambda key=key: win.show_view(key), filled(key))
out["search-dialog"] = measure(win.open_search)


def search():  # typed: the dialog searches on a worker once the typing pauses; counted until shown
    win.search.query.setText("connectivity rural")
    getattr(win.search, "start_search", win.search.run_search)()  # (a dialog without one searches at once)


out["search-query"] = measure(search, lambda: not getattr(win.search, "loading", False))
synced = []
win.sync.finished.connect(synced.append)
win.sync.failed.connect(synced.append)
if len(sys.argv) > 2:
    out["sync-delta"] = measure(lambda: win.sync.sync_path(sys.argv[2], source="bench-delta"),
                                lambda: bool(synced) and all(getattr(v, "loading", False) is False
                                                             for v in map(win.views.get, win.views.declared()) if v))
    outcome = getattr(synced[0], "outcome", synced[0])
    if outcome != "applied":
        raise SystemExit(f"the delta was not applied: {outcome}")
print(json.dumps(out))
"""


def views_delta(ctx: Context, size: str) -> Path:
    """A delta bundle of a size's channel changing 1 % of its documents (a new title and summary each),
    sequence 2, for the views group's sync."""
    from wtdc_desktop.bundles.writer import Header, build_delta

    bundle, src = ctx.bundle(size)
    out = ctx.work / f"views-delta-{size}.wtdc.zip"
    changed_src = ctx.work / f"views-delta-source-{size}"
    shutil.rmtree(changed_src, ignore_errors=True)
    shutil.copytree(src, changed_src)
    docs_path = changed_src / "records" / "document.jsonl"
    lines = docs_path.read_text("utf-8").splitlines()
    rng = random.Random(11)
    for n in rng.sample(range(len(lines)), max(1, len(lines) // 100)):
        record = json.loads(lines[n])
        record["title"] = "(Rev.) " + record["title"]
        record["summary"] = (record.get("summary") or "") + "\n\nRevised after the coordination meeting.\n"
        lines[n] = json.dumps(record, ensure_ascii=False, sort_keys=True)
    docs_path.write_text("\n".join(lines) + "\n", "utf-8")
    build_delta(changed_src, out, bundle, Header(sequence=2))
    shutil.rmtree(changed_src, ignore_errors=True)
    return out


def open_views_in_child(data_dir: Path, delta: Path | None = None) -> dict[str, tuple[float, float]]:
    """name -> (seconds to open, longest GUI stall in seconds), in a fresh process with empty settings;
    last, with a ``delta``, ``sync-delta``: that bundle synced through the window's own sync (a
    worker), until the views have reloaded."""
    with tempfile.TemporaryDirectory(prefix="wtdc-bench-settings-") as config:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=config, PYTHONPATH=str(ROOT))
        result = subprocess.run([sys.executable, "-c", _VIEWS_CHILD, str(data_dir), *([str(delta)] if delta else [])],
                                capture_output=True, text=True, timeout=1800, env=env)
    if result.returncode != 0:
        raise RuntimeError(f"opening the views failed:\n{result.stderr[-2000:]}")
    return {k: tuple(v) for k, v in json.loads(result.stdout.strip().splitlines()[-1]).items()}


#: Runs of each store's child (medians of their times and of their stalls).
VIEWS_ROUNDS = 3


def bench_views(ctx: Context) -> list[dict]:
    """Each view's first open (and the search dialog's, and a delta's sync) on the store of this size
    vs a 1k store, and the longest stall of the GUI thread (a 10 ms timer's lateness) in each.

    A view filled off the GUI thread or in slices counts until it says it is filled (``loading``
    false). The package is byte-compiled first, as installing a wheel does (the startup group too).
    Each figure is the median of ``VIEWS_ROUNDS`` runs of each store, interleaved."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "wtdc_desktop")], check=True)
    deltas = {size: views_delta(ctx, size) for size in ("1k", ctx.size)}
    runs: dict[str, list[dict]] = {"1k": [], ctx.size: []}
    for _ in range(VIEWS_ROUNDS):  # interleaved, so that a busy moment of a shared machine hits both alike
        for size in runs:
            runs[size].append(open_views_in_child(ctx.copy_store(f"views-{size}", size), deltas[size]))

    def medians(results: list[dict]) -> dict[str, tuple[float, float]]:
        return {name: (statistics.median(r[name][0] for r in results), statistics.median(r[name][1] for r in results))
                for name in results[0]}

    small, large = medians(runs["1k"]), medians(runs[ctx.size])
    out = []
    for name, (seconds, stall) in large.items():
        if name == "sync-delta":
            continue  # its time is the apply's (the resync group measures it); its stall is below
        out.append(figure(name, seconds, small.get(name, (None,))[0], 1.5,
                          note=f"first open on the {ctx.size} store vs the 1k store; longest GUI stall "
                               f"{stall * 1000:.0f} ms ({small.get(name, (0, 0))[1] * 1000:.0f} ms on 1k)"))
    opening = {n: v for n, v in large.items() if n != "sync-delta"}
    worst = max(opening, key=lambda n: opening[n][1])
    out.append(figure("gui-stall-max", opening[worst][1], 0.100, 1.0,
                      note=f"longest lateness of a 10 ms timer while opening the views and searching ({worst}, "
                           f"{ctx.size} store) vs 100 ms; each action's own is in its note"))
    sync_seconds, sync_stall = large["sync-delta"]
    out.append(figure("gui-stall-sync", sync_stall, 0.100, 1.0,
                      note=f"longest lateness of a 10 ms timer while the window syncs a delta changing 1 % of "
                           f"the documents and its views reload ({sync_seconds:.1f} s; 1k store: "
                           f"{small['sync-delta'][1] * 1000:.0f} ms) vs 100 ms"))
    return out


# --- scale (opt-in: --group scale) -------------------------------------------------------------------

# The peak is the process image's high-water mark (VmHWM on Linux): ru_maxrss alone would also
# count the parent's resident size at fork, kept across exec (a parent that just built a bundle of
# a million records holds 120 MB).
_CHILD = """
import json, sys, time
from pathlib import Path
from wtdc_desktop.bundles.apply import apply_bundle
from wtdc_desktop.startup_probe import peak_rss_kb
from wtdc_desktop.store import Store
with Store(Path(sys.argv[2])) as store:
    t0 = time.perf_counter()
    apply_bundle(store, Path(sys.argv[1]), source="bench")
    seconds = time.perf_counter() - t0
    store.execute("PRAGMA wal_checkpoint(TRUNCATE)")
print(json.dumps({"seconds": seconds, "peak_rss_kb": peak_rss_kb()}))
"""


def import_in_child(bundle: Path, data_dir: Path) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of applying a bundle to an empty store in a fresh process."""
    shutil.rmtree(data_dir, ignore_errors=True)
    result = subprocess.run([sys.executable, "-c", _CHILD, str(bundle), str(data_dir)], capture_output=True,
                            text=True, timeout=7200, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    if result.returncode != 0:
        raise RuntimeError(f"the import failed:\n{result.stderr[-2000:]}")
    out = json.loads(result.stdout.strip().splitlines()[-1])
    return out["seconds"], out["peak_rss_kb"] / 1024


def small_records_bundle(n: int, out: Path) -> Path:
    """A bundle of ``n`` small contact records, written line by line (never all in memory)."""
    from bench.generate import HEADER
    from wtdc_desktop.bundles.writer import Header, build_bundle

    bundle = out / "small.wtdc.zip"
    stamp = out / "small.json"
    if bundle.exists() and _stamp_matches(stamp, str(n)):
        return bundle
    shutil.rmtree(out, ignore_errors=True)
    (out / "source" / "records").mkdir(parents=True)
    regions = ["AFR", "AMS", "ARB", "ASP", "CIS", "EUR"]
    with open(out / "source" / "records" / "contact.jsonl", "w", encoding="utf-8") as fp:
        for i in range(n):
            fp.write(json.dumps({"email": f"delegate{i}@example.org", "id": f"contact-{i:07d}",
                                 "name": f"Delegate {i}", "region": regions[i % 6]}, sort_keys=True) + "\n")
    (out / "source" / "manifest.json").write_text(json.dumps(HEADER, indent=1) + "\n", "utf-8")
    build_bundle(out / "source", bundle, Header())
    stamp.write_text(json.dumps({"key": str(n)}), "utf-8")
    return bundle


def _records_bytes(bundle: Path) -> int:
    with zipfile.ZipFile(bundle) as zf:
        return sum(i.file_size for i in zf.infolist() if i.filename.startswith("records/"))


def _store_bytes(data_dir: Path) -> int:
    return sum(p.stat().st_size for p in data_dir.glob("*.sqlite3*") if p.is_file())


def bench_scale(ctx: Context) -> list[dict]:
    """Time and peak RSS of large imports, each in a fresh process; the store's size on disk."""
    out = []
    peaks = {}
    for size in ("10k", "100k"):
        bundle, _src = ctx.bundle(size)
        data = ctx.work / f"scale-{size}"
        seconds, peaks[size] = import_in_child(bundle, data)
        print(f"   {size} documents: {seconds:.1f} s, peak RSS {peaks[size]:.0f} MB", flush=True)
        if size == "100k":
            out.append(figure("store-size-100k", _store_bytes(data) / 1e6, _records_bytes(bundle) / 1e6, unit="MB",
                              note="store on disk (with its indexes) vs the sum of the bundle's JSON lines"))
        shutil.rmtree(data, ignore_errors=True)
    out.insert(0, figure("rss-100k-vs-10k", peaks["100k"], peaks["10k"], 1.5, unit="MB",
                         note="peak RSS of importing 100k documents vs 10k documents (fresh processes)"))
    n = ctx.scale_records
    bundle = small_records_bundle(n, ctx.work / f"small-{n}")
    seconds, peak = import_in_child(bundle, ctx.work / "scale-small")
    floor = bare_loader(bundle, ctx.work / "scale-small-bare.db")
    for suffix in ("", "-wal", "-shm"):
        Path(str(ctx.work / "scale-small-bare.db") + suffix).unlink(missing_ok=True)
    label = f"{n / 1e6:g}M" if n >= 1_000_000 else f"{n // 1000}k"
    out.append(figure(f"small-{label}-time", seconds, floor,
                      note=f"{n:,} small records (contacts) vs the bare loader on the same bundle"))
    out.append(figure(f"small-{label}-rss", peak, peaks["10k"], 1.5, unit="MB",
                      note=f"peak RSS of importing {n:,} small records vs 10k documents"))
    out.append(figure(f"store-size-small-{label}", _store_bytes(ctx.work / "scale-small") / 1e6,
                      _records_bytes(bundle) / 1e6, unit="MB", note="store on disk vs the sum of the JSON lines"))
    shutil.rmtree(ctx.work / "scale-small", ignore_errors=True)
    return out


GROUPS = {
    "import": bench_import,
    "resync": bench_resync,
    "verify": bench_verify,
    "search": bench_search,
    "listview": bench_listview,
    "startup": bench_startup,
    "frozen": bench_frozen,
    "team": bench_team,


    "views": bench_views,
    "scale": bench_scale,
}

#: Groups that run only when asked for (--group NAME): they take long and much disk.
OPT_IN = ("scale",)

__all__ = ["GROUPS", "OPT_IN", "Context", "Skipped", "Generator"]
