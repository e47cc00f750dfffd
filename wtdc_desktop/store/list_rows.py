"""The list views' queries: one page of ids filtered and sorted in SQL, a record's row in that order,
the listed columns of some rows, and the delegation's marks on them.

The columns and default order of each type are the registry's (domain/records.py); the list
models read ids first and rows only for what is shown.
"""

from __future__ import annotations

from wtdc_desktop.domain.records import PUBLISHED_TYPES
from wtdc_desktop.store.db import Store
from wtdc_desktop.store.published import check_type, current_count_sql
from wtdc_desktop.store.schema import FTS_CODES
from wtdc_desktop.store.fulltext import fts_query, has_cjk, trigram_match

#: The published types the full-text index holds.
_FTS_TYPES = tuple(t for t in FTS_CODES if t in PUBLISHED_TYPES)


def _view_where(type_name: str, filter_text: str | None) -> tuple[str, list]:
    clauses, params = ["withdrawn = 0"], []
    if filter_text and filter_text.strip():
        query = fts_query(filter_text)
        trigram = trigram_match(filter_text.strip()) if has_cjk(filter_text) else None
        # Index rowids are the table's rid * 16 + a code per type: joining on integers is several
        # times faster than on text keys when a short prefix matches most of a large store.
        code = FTS_CODES.get(type_name)
        if type_name in _FTS_TYPES and trigram:
            clauses.append(f"rid IN (SELECT rowid >> 4 FROM search_trigram WHERE {trigram[0]} AND (rowid & 15) = ?)")
            params += [*trigram[1], code]
        elif type_name in _FTS_TYPES and query:
            clauses.append("rid IN (SELECT rowid >> 4 FROM search_index WHERE search_index MATCH ? AND (rowid & 15) = ?)")
            params += [query, code]
        else:
            like = "%" + filter_text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            cols = PUBLISHED_TYPES[type_name].list_columns
            clauses.append("(" + " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in cols) + ")")
            params += [like] * len(cols)
    return " WHERE " + " AND ".join(clauses), params


def view_count(store: Store, type_name: str, filter_text: str | None = None) -> int:
    check_type(type_name)
    if not (filter_text and filter_text.strip()):
        return store.execute(current_count_sql(type_name)).fetchone()[0]
    where, params = _view_where(type_name, filter_text)
    return store.execute(f"SELECT count(*) FROM {type_name}{where}", params).fetchone()[0]


def view_ids(store: Store, type_name: str, filter_text: str | None = None, *, sort_column: str | None = None,
             descending: bool = False, limit: int = 200, offset: int = 0) -> list[str]:
    """One page of record ids for a list view, filtered and sorted in SQL."""
    check_type(type_name)
    where, params = _view_where(type_name, filter_text)
    order = _view_order(type_name, sort_column, descending)
    sql = f"SELECT id FROM {type_name}{where} ORDER BY {order} LIMIT ? OFFSET ?"
    return [row[0] for row in store.execute(sql, [*params, limit, offset])]


def view_position(store: Store, type_name: str, record_id: str, filter_text: str | None = None, *,
                  sort_column: str | None = None, descending: bool = False) -> int | None:
    """The 0-based row of a record in a list view's order, or None when the filter hides it."""
    check_type(type_name)
    where, params = _view_where(type_name, filter_text)
    order = _view_order(type_name, sort_column, descending)
    sql = (f"SELECT n FROM (SELECT id, row_number() OVER (ORDER BY {order}) - 1 AS n FROM {type_name}{where}) "
           "WHERE id = ?")
    row = store.execute(sql, [*params, record_id]).fetchone()
    return row[0] if row else None


def _view_order(type_name: str, sort_column: str | None, descending: bool) -> str:
    if sort_column is None or sort_column == "id":
        order = PUBLISHED_TYPES[type_name].order_by
    elif sort_column in PUBLISHED_TYPES[type_name].list_columns:
        order = f"{sort_column}, id"
    else:
        raise ValueError(f"cannot sort {type_name} by {sort_column!r}")
    direction = " DESC" if descending else ""
    return ", ".join(part + direction for part in order.split(","))


def view_rows(store: Store, type_name: str, ids: list[str]) -> dict[str, tuple]:
    """The list-view columns of these records, by id."""
    check_type(type_name)
    if not ids:
        return {}
    cols = ", ".join(PUBLISHED_TYPES[type_name].list_columns)
    out = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        sql = f"SELECT {cols} FROM {type_name} WHERE id IN ({', '.join('?' * len(chunk))})"
        for row in store.execute(sql, chunk):
            out[row[0]] = tuple(row)
    return out


def layer_marks(store: Store, type_name: str, ids: list[str]) -> dict[str, dict]:
    """For each id: ``{"star": bool, "read": bool, "note": bool, "stale_read": bool}`` (read an older version)."""
    check_type(type_name)
    out = {i: {"star": False, "read": False, "note": False, "stale_read": False} for i in ids}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        for row in store.execute(f"SELECT id FROM my_star WHERE type = ? AND id IN ({marks})", (type_name, *chunk)):
            out[row[0]]["star"] = True
        for row in store.execute(
                f"SELECT r.id, r.read_hash IS NOT t.content_hash FROM my_read r LEFT JOIN {type_name} t ON t.id = r.id "
                f"WHERE r.type = ? AND r.id IN ({marks})", (type_name, *chunk)):
            out[row[0]]["read"] = True
            out[row[0]]["stale_read"] = bool(row[1])
        for row in store.execute(f"SELECT DISTINCT subject_id FROM my_note WHERE subject_type = ? AND subject_id IN ({marks})",
                                 (type_name, *chunk)):
            out[row[0]]["note"] = True
    return out
