"""Search ranks in the full-text index's own order: no temporary B-tree in its query plan."""

from __future__ import annotations

import pytest

from wtdc_desktop.store import queries


def _plans(store, call) -> list[str]:
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    try:
        call()
    finally:
        store.conn.set_trace_callback(None)
    plans = []
    for sql in statements:
        if "search_index" in sql and sql.lstrip().upper().startswith("SELECT"):
            rows = store.conn.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
            plans.append(" / ".join(str(r[3]) for r in rows))
    return plans


@pytest.mark.parametrize("search", [
    lambda s: queries.search(s, "réunions régionales", types=("proposal", "document")),
    lambda s: queries.search_all(s, "rationalisation des résolutions"),
])
def test_search_query_plan_has_no_temporary_btree(demo_store, search):
    plans = _plans(demo_store, lambda: search(demo_store))
    assert plans, "the search ran no query on the full-text index"
    assert not [p for p in plans if "TEMP B-TREE" in p.upper()], plans
    assert search(demo_store), "the query found nothing"
