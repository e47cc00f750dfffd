"""Search ranks in the full-text index's own order: no temporary B-tree in its query plan."""

from __future__ import annotations

import pytest

from wtdc_desktop.store import fulltext


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
    lambda s: fulltext.search(s, "réunions régionales", types=("proposal", "document")),
    lambda s: fulltext.search_all(s, "rationalisation des résolutions"),
])
def test_search_query_plan_has_no_temporary_btree(demo_store, search):
    plans = _plans(demo_store, lambda: search(demo_store))
    assert plans, "the search ran no query on the full-text index"
    assert not [p for p in plans if "TEMP B-TREE" in p.upper()], plans
    assert search(demo_store), "the query found nothing"


@pytest.mark.parametrize("types", [("proposal",), ("resolution",), ("document", "proposal"), ("note",)])
def test_a_type_filter_keeps_the_ranking_of_those_types(demo_store, types):
    from wtdc_desktop.store import record_marks

    record_marks.save_note(demo_store, "proposal", "WD2/2.4", "Le développement des réseaux : à suivre")
    every = fulltext.search_all(demo_store, "développement", limit=500)
    kept = fulltext.search_all(demo_store, "développement", types=types, limit=500)
    assert kept and kept == [h for h in every if h.type in types]
    assert fulltext.search_all(demo_store, "développement", types=("no-such-kind",)) == []


def test_list_badges_look_records_up_by_id(store):
    """The "new"/"changed" marks of a page of a list read those rows by key, not every current row."""
    from wtdc_desktop.store import changes

    plans = []
    store.conn.set_trace_callback(lambda sql: plans.append(sql) if "changed_sync" in sql else None)
    store.execute("INSERT INTO sync_log (started_at, source, outcome) VALUES ('2030-01-01T00:00:00Z', 't', 'applied')")
    store.execute("INSERT INTO sync_log (started_at, source, outcome) VALUES ('2030-01-02T00:00:00Z', 't', 'applied')")
    changes.badge_state(store, "document", [f"A/{n}" for n in range(200)])  # a page of a list
    store.conn.set_trace_callback(None)
    assert plans
    detail = " ".join(row[3] for row in store.execute("EXPLAIN QUERY PLAN " + plans[-1]))
    assert "sqlite_autoindex_document_1 (id=?)" in detail, detail
