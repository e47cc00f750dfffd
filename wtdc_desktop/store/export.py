"""A list of published records written to a CSV or JSON file, for a spreadsheet or another tool.

The rows are read through sqlite-utils (``Table.rows_where``): an export reads each row once, by
column name, and is not on a path the window waits for, so the convenience costs nothing that
matters. The list views and the bundle import keep plain sqlite3 (README, "sqlite-utils in WTDC
Desktop").
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path

import sqlite_utils

from wtdc_desktop.atomic import atomic_write
from wtdc_desktop.domain.records import PUBLISHED_TYPES
from wtdc_desktop.store.db import Store

FORMATS = ("csv", "json")


def database(store: Store) -> sqlite_utils.Database:
    """The store's own connection seen through sqlite-utils, changing none of its settings (no
    recursive triggers, no plugin functions)."""
    return sqlite_utils.Database(store.conn, recursive_triggers=False, execute_plugins=False)


def export_list(store: Store, type_name: str, out: Path | str, *, fmt: str | None = None,
                columns: Sequence[str] | None = None, include_withdrawn: bool = False,
                meeting: str | None = None) -> int:
    """Write the list of one published record type to ``out``; returns the number of records.

    The columns are those of the type's list view unless ``columns`` names others (any column of
    its table), in the list's order; withdrawn records only if asked; ``meeting`` keeps the records
    of one meeting (types that have one). ``fmt`` is "csv" (UTF-8 with a byte order mark, so that
    spreadsheets read it as UTF-8) or "json" (a list of objects); by default the file's suffix
    decides. The file appears whole or not at all.
    """
    if type_name not in PUBLISHED_TYPES:
        raise ValueError(f"unknown record type {type_name!r}")
    out = Path(out)
    fmt = fmt or out.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (csv or json)")
    table = database(store)[type_name]
    known = table.columns_dict
    columns = list(columns or PUBLISHED_TYPES[type_name].list_columns)
    unknown = [c for c in columns if c not in known]
    if unknown:
        raise ValueError(f"not columns of {type_name}: {', '.join(unknown)}")
    clauses, params = [], []
    if not include_withdrawn:
        clauses.append("withdrawn = 0")
    if meeting is not None and "meeting" in known:
        clauses.append("meeting = ?")
        params.append(meeting)
    rows = table.rows_where(" AND ".join(clauses) or None, params,
                            select=", ".join(f'"{c}"' for c in columns), order_by=PUBLISHED_TYPES[type_name].order_by)
    count = 0
    if fmt == "csv":
        with atomic_write(out, "w", encoding="utf-8-sig", newline="") as fp:
            writer = csv.writer(fp, lineterminator="\r\n")
            writer.writerow(columns)
            for row in rows:
                writer.writerow(["" if row[c] is None else row[c] for c in columns])
                count += 1
        return count
    records = list(rows)
    with atomic_write(out, "w", encoding="utf-8") as fp:
        json.dump(records, fp, ensure_ascii=False, indent=2)
        fp.write("\n")
    return len(records)
