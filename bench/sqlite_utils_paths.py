"""Plain sqlite3 against sqlite-utils on the store's two hot paths (README, "sqlite-utils in WTDC Desktop").

    python -m bench.sqlite_utils_paths [--documents 5000] [--rounds 5]

1. Import: documents inserted one statement a row, as the bundle writer does (it decides per record
   whether it is new, changed or restored), in one transaction of a new store (full-text triggers
   on): ``conn.execute`` against ``Table.insert``; and ``Table.insert_all`` (several rows a
   statement) for reference. The runs are interleaved; min and median are printed.
2. List paging: one page of 200 ids in the list's order and their list columns, as the list model
   asks for them while scrolling: ``conn.execute`` (tuples) against ``Table.rows_where`` (dicts).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

import sqlite_utils

from wtdc_desktop.store import Store

WORDS = ("développement télécommunications connectivité réseau large bande pays résolution question "
         "groupe").split()
LIST_COLUMNS = ("id", "title", "source", "date", "status")


def documents(n: int) -> list[dict]:
    rng = random.Random(1)

    def text(words: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(words))

    return [{"id": f"WTDC-25/{i}", "meeting": "WTDC-25", "title": text(8), "source": "ATU", "date": "2025-01-01",
             "kind": "contribution", "status": "submitted", "summary": text(30), "text": text(300),
             "languages": json.dumps(["en"]), "related": None, "sort_key": f"WTDC-25 {i:08d}", "sym_number": i,
             "raw": "{}", "content_hash": "x", "bundle_seq": 1, "channel": "c", "first_sync": 1,
             "changed_sync": 1, "withdrawn": 0, "withdrawn_sync": None} for i in range(1, n + 1)]


def _database(conn) -> sqlite_utils.Database:
    return sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)


def _insert_sql(rows: list[dict]) -> str:
    names = list(rows[0])
    return f"INSERT INTO document ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"


def plain_execute(conn, rows: list[dict]) -> None:
    sql = _insert_sql(rows)
    for row in rows:
        conn.execute(sql, list(row.values()))


def sqlite_utils_insert(conn, rows: list[dict]) -> None:
    table = _database(conn)["document"]
    for row in rows:
        table.insert(row)


def sqlite_utils_insert_all(conn, rows: list[dict]) -> None:
    _database(conn)["document"].insert_all(rows, batch_size=100)


def timed_import(how, rows: list[dict], work: Path) -> float:
    with Store(Path(tempfile.mkdtemp(dir=work))) as store:
        started = time.perf_counter()
        with store.transaction() as conn:
            how(conn, rows)
        return time.perf_counter() - started


def page_plain(store: Store, offset: int) -> dict[str, tuple]:
    ids = [r[0] for r in store.execute(
        "SELECT id FROM document WHERE withdrawn = 0 ORDER BY sort_key LIMIT 200 OFFSET ?", [offset])]
    sql = f"SELECT {', '.join(LIST_COLUMNS)} FROM document WHERE id IN ({', '.join('?' * len(ids))})"
    return {row[0]: tuple(row) for row in store.execute(sql, ids)}


def page_sqlite_utils(store: Store, offset: int) -> dict[str, tuple]:
    table = _database(store.conn)["document"]
    ids = [r["id"] for r in table.rows_where("withdrawn = 0", select="id", order_by="sort_key",
                                             limit=200, offset=offset)]
    rows = table.rows_where(f"id IN ({', '.join('?' * len(ids))})", ids, select=", ".join(LIST_COLUMNS))
    return {row["id"]: tuple(row.values()) for row in rows}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    rows = documents(args.documents)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        ways = (plain_execute, sqlite_utils_insert, sqlite_utils_insert_all)
        times: dict[str, list[float]] = {how.__name__: [] for how in ways}
        for _ in range(args.rounds):
            for how in ways:
                times[how.__name__].append(timed_import(how, rows, work))
        print(f"import of {args.documents} documents, one transaction (min / median of {args.rounds}):")
        for name, values in times.items():
            print(f"  {name:26} {min(values):7.2f} s / {statistics.median(values):.2f} s")

        with Store(work / "filled") as store:
            with store.transaction() as conn:
                conn.executemany(_insert_sql(rows), [list(r.values()) for r in rows])
            rng = random.Random(2)
            offsets = [rng.randrange(0, max(1, args.documents - 200)) for _ in range(300)]
            assert page_plain(store, offsets[0]) == page_sqlite_utils(store, offsets[0])
            print("list paging, one page of 200 rows (mean over 300 pages, best of 3):")
            for page in (page_plain, page_sqlite_utils):
                best = min(_mean_ms(page, store, offsets) for _ in range(3))
                print(f"  {page.__name__:26} {best:7.2f} ms")


def _mean_ms(page, store: Store, offsets: list[int]) -> float:
    started = time.perf_counter()
    for offset in offsets:
        page(store, offset)
    return (time.perf_counter() - started) / len(offsets) * 1000


if __name__ == "__main__":
    main()
