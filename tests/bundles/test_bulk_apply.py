"""The bulk path of apply (batches, full-text indexes filled once) leaves the store exactly as the
row-by-row path does: same rows, same history, same search results, a sound full-text index."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import read_records, set_header, table_fingerprint, write_records

QUERIES = ["connectivity", "spectrum rural", "cyber*", "connectivité", "ciberseguridad", "кибербезопасность",
           "الاتصالات", "宽带", "数字", "WTDC", "Resolution 37", "Revised"]


def _stores(tmp_path: Path):
    from wtdc_desktop.store import Store

    return Store(tmp_path / "rows"), Store(tmp_path / "bulk")


def _search_results(store) -> dict[str, list]:
    from wtdc_desktop.store import fulltext

    return {q: [(h.kind, h.key) if hasattr(h, "kind") else repr(h) for h in fulltext.search_all(store, q, limit=50)]
            for q in QUERIES}


def _index(store, table: str) -> list[tuple]:
    return [tuple(r) for r in store.execute(f"SELECT rowid, * FROM {table} ORDER BY rowid")]


def _tables(store) -> dict[str, str]:
    """Every table's rows, but for the full-text tables' own storage (its segments depend on the
    order of the writes, and the bulk path merges them after a first import); their contents are
    compared row by row (``_index``) and checked by FTS5's integrity check."""
    return {t: h for t, h in table_fingerprint(store).items()
            if not t.startswith(("search_trigram_", "search_index_"))}


def _triggers(store) -> list[tuple]:
    return [tuple(r) for r in store.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")]


def _assert_same(rows, bulk) -> None:
    for store in (rows, bulk):
        for table in ("search_index", "search_trigram"):
            store.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
    assert _tables(bulk) == _tables(rows)
    for table in ("search_index", "search_trigram"):
        assert _index(bulk, table) == _index(rows, table)
    found = _search_results(rows)
    assert sum(1 for hits in found.values() if hits) >= 8  # the queries find something
    assert _search_results(bulk) == found
    history = "SELECT type, id, raw, content_hash, bundle_seq, channel, applied_sync, superseded_sync FROM record_version ORDER BY vid"
    assert [tuple(r) for r in bulk.execute(history)] == [tuple(r) for r in rows.execute(history)]
    assert _triggers(bulk) == _triggers(rows)


def _apply_next(src: Path, docs: list[dict], sequence: int, rows, bulk) -> dict:
    """Write ``docs`` as the source's documents, build the bundle of that sequence and apply it by
    both paths; the counts (the same for both)."""
    from wtdc_desktop.bundles.apply import apply_bundle
    from wtdc_desktop.bundles.writer import Header, build_bundle

    write_records(src, "document", docs)
    set_header(src, sequence=sequence)
    bundle = src.parent / f"seq-{sequence}.wtdc.zip"
    build_bundle(src, bundle, Header())
    a = apply_bundle(rows, bundle, source="test", bulk=False)
    b = apply_bundle(bulk, bundle, source="test", bulk=True)
    assert a.counts == b.counts
    return a.counts


@pytest.mark.slow
def test_bulk_and_row_paths_leave_the_same_store(tmp_path):
    from bench.generate import generate
    from wtdc_desktop.bundles.apply import apply_bundle
    from wtdc_desktop.store import fulltext

    first, _records = generate(300, tmp_path / "gen")
    rows, bulk = _stores(tmp_path)
    a = apply_bundle(rows, first, source="test", bulk=False)
    b = apply_bundle(bulk, first, source="test", bulk=True)
    assert a.counts == b.counts and a.counts["document"]["new"] == 300
    _assert_same(rows, bulk)

    # The next full bundle: changed texts (some now in Chinese), documents gone and new ones.
    src = tmp_path / "gen" / "source"
    docs = read_records(src, "document")
    for n, doc in enumerate(docs[:60]):
        doc["title"] = "Revised " + doc["title"]
        doc["summary"] = (doc.get("summary") or "") + (" 宽带数字包容" if n % 2 else " revised text")
    gone = docs[60:80]
    added = [dict(d, id=d["id"] + "-bis", title="New " + d["title"]) for d in docs[80:90]]
    counts = _apply_next(src, docs[:60] + docs[80:] + added, 2, rows, bulk)
    assert counts["document"] == {"new": 10, "changed": 60, "unchanged": 220, "withdrawn": len(gone), "restored": 0}
    _assert_same(rows, bulk)

    # The gone documents come back (restored), with the row path's history.
    assert _apply_next(src, docs, 3, rows, bulk)["document"]["restored"] == len(gone)
    _assert_same(rows, bulk)

    # Documents whose only Chinese text is in an attached file (their records hold none): the
    # trigram index, fed only with rows holding such text, still gets them.
    (src / "files").mkdir(exist_ok=True)
    for n, doc in enumerate(docs[:5]):
        (src / "files" / f"note-{n}.txt").write_text(f"附件 宽带接入 {n} rural broadband", encoding="utf-8")
        doc.pop("text", None)
        doc["languages"] = {"en": {"file": f"files/note-{n}.txt"}}
    assert _apply_next(src, docs, 4, rows, bulk)["document"]["changed"] == 5
    _assert_same(rows, bulk)
    hits = {h.id for h in fulltext.search_all(bulk, "宽带接入", limit=50) if h.type == "document"}
    assert {d["id"] for d in docs[:5]} <= hits
    rows.close()
    bulk.close()


def test_a_bulk_apply_failing_midway_leaves_the_store_and_its_triggers_as_they_were(tmp_path, monkeypatch):
    from bench.generate import generate
    from wtdc_desktop.bundles.apply import apply_bundle
    from wtdc_desktop.bundles.writer import Header, build_bundle
    from wtdc_desktop.store.published import BulkUpsert

    first, _records = generate(40, tmp_path / "gen")
    rows, bulk = _stores(tmp_path)
    apply_bundle(bulk, first, source="test", bulk=True)
    before = _tables(bulk)
    triggers_before = _triggers(bulk)
    src = tmp_path / "gen" / "source"
    docs = read_records(src, "document")
    for doc in docs:
        doc["title"] = "Changed " + doc["title"]
    write_records(src, "document", docs)
    set_header(src, sequence=2)
    second = tmp_path / "second.wtdc.zip"
    build_bundle(src, second, Header())

    def failing_finish(self):  # the rows are written, the triggers dropped: then the disk fails
        self.flush()
        raise OSError("disk I/O error")

    monkeypatch.setattr(BulkUpsert, "finish", failing_finish)
    with pytest.raises(OSError):
        apply_bundle(bulk, second, source="test", bulk=True)
    assert _tables(bulk) == before
    assert _triggers(bulk) == triggers_before
    assert not bulk.execute("SELECT 1 FROM document WHERE title LIKE 'Changed %'").fetchall()
    monkeypatch.undo()
    assert apply_bundle(bulk, second, source="test", bulk=True).counts["document"]["changed"] == 40
    assert len(bulk.execute("SELECT 1 FROM search_index WHERE title MATCH 'Changed'").fetchall()) == 40
    rows.close()
    bulk.close()


@pytest.mark.parametrize("batch", [2000, 5], ids=["same-batch", "earlier-batch"])
def test_an_id_twice_in_a_file_is_refused_by_the_bulk_path_as_by_the_reader(tmp_path, monkeypatch, batch):
    from bench.generate import generate
    from wtdc_desktop.bundles.apply import apply_bundle
    from wtdc_desktop.bundles.errors import BundleError
    from wtdc_desktop.store.published import BulkUpsert

    import json

    from small_bundles import read_members, relist, write_zip

    first, _records = generate(40, tmp_path / "gen")
    members = read_members(first)
    lines = members["records/document.jsonl"].decode().splitlines(keepends=True)
    lines[30] = json.dumps(dict(json.loads(lines[20]), title="Again"), ensure_ascii=False) + "\n"
    members["records/document.jsonl"] = "".join(lines).encode()  # line 31 repeats the id of line 21
    bad = write_zip(tmp_path / "bad.wtdc.zip", list(relist(members).items()))
    monkeypatch.setattr(BulkUpsert, "full", property(lambda self: len(self._writes) >= batch))
    messages = []
    for bulk in (False, True):
        from wtdc_desktop.store import Store

        with Store(tmp_path / f"store-{bulk}") as store:
            with pytest.raises(BundleError) as refused:
                apply_bundle(store, bad, source="test", bulk=bulk)
            assert store.execute("SELECT count(*) FROM document").fetchone()[0] == 0
            messages.append(refused.value.message)
    assert "line 31" in messages[0] and "appears twice" in messages[0]
    assert messages[1] == messages[0]


def _segments(store, table: str = "search_index") -> int:
    return store.execute(f"SELECT count(DISTINCT segid) FROM {table}_idx").fetchone()[0]


def test_a_first_import_leaves_one_full_text_segment_and_a_small_bundle_does_not_rewrite_the_index(tmp_path):
    """FTS5 writes what a statement gives it in segments of a bounded size: a large import left 18 of
    them at 10,000 documents, read by every search and merged bit by bit by the next syncs. The bulk
    path merges them once when it wrote most of the index, and leaves the index alone otherwise."""
    from bench.generate import generate
    from wtdc_desktop.bundles.apply import apply_bundle
    from wtdc_desktop.store import Store, fulltext

    first, _records = generate(120, tmp_path / "gen")
    store = Store(tmp_path / "store")
    # A small in-memory limit, so that these 120 documents are written out in several segments.
    store.execute("INSERT INTO search_index(search_index, rank) VALUES ('hashsize', 4096)")
    apply_bundle(store, first, source="test", bulk=True)
    assert _segments(store) == 1
    store.execute("INSERT INTO search_index(search_index) VALUES ('integrity-check')")
    assert fulltext.search_all(store, "connectivity", limit=5)

    src = tmp_path / "gen" / "source"
    docs = read_records(src, "document")
    docs[0]["title"] = "Revised after the coordination meeting"
    write_records(src, "document", docs)
    set_header(src, sequence=2)
    from wtdc_desktop.bundles.writer import Header, build_bundle

    build_bundle(src, tmp_path / "seq-2.wtdc.zip", Header())
    apply_bundle(store, tmp_path / "seq-2.wtdc.zip", source="test", bulk=True)
    assert _segments(store) >= 2  # one document changed: not the whole index written again
    store.execute("INSERT INTO search_index(search_index) VALUES ('integrity-check')")
    assert [h.id for h in fulltext.search_all(store, "coordination meeting", types=("document",))] == [docs[0]["id"]]
    store.close()


def test_a_first_import_in_several_batches_is_indexed_while_the_next_batch_is_read(tmp_path, monkeypatch):
    """Into a fresh table each batch's full-text entries are written on a helper thread while the
    next batch is read: the store ends exactly as the row-by-row path leaves it."""
    import threading

    from bench.generate import generate
    from wtdc_desktop.bundles.apply import apply_bundle
    from wtdc_desktop.store.published import BulkUpsert

    first, _records = generate(60, tmp_path / "gen")
    rows, bulk = _stores(tmp_path)
    apply_bundle(rows, first, source="test", bulk=False)
    helpers = []
    fill_on_helper = BulkUpsert._fill_on_helper

    def spy(self, statements):
        helpers.append((self.type_name, threading.current_thread().name))
        fill_on_helper(self, statements)

    monkeypatch.setattr(BulkUpsert, "_fill_on_helper", spy)
    monkeypatch.setattr(BulkUpsert, "full", property(lambda self: len(self._writes) >= 7))
    result = apply_bundle(bulk, first, source="test", bulk=True)
    assert result.counts["document"]["new"] == 60
    assert sum(1 for t, _name in helpers if t == "document") >= 8  # 60 documents, batches of 7
    assert {name for _t, name in helpers} == {"fulltext-fill"}
    _assert_same(rows, bulk)
    rows.close()
    bulk.close()


def test_a_failure_on_the_indexing_thread_fails_the_import_and_leaves_the_store_as_it_was(tmp_path, monkeypatch):
    import threading

    from bench.generate import generate
    from wtdc_desktop.bundles.apply import apply_bundle
    from wtdc_desktop.store.published import BulkUpsert

    first, _records = generate(40, tmp_path / "gen")
    rows, bulk = _stores(tmp_path)
    empty = _tables(bulk)
    triggers_before = _triggers(bulk)
    fill = BulkUpsert._fill

    def failing_fill(self, statements):  # the disk fails while the helper thread writes the index
        if threading.current_thread().name == "fulltext-fill":
            raise OSError("disk I/O error")
        fill(self, statements)

    monkeypatch.setattr(BulkUpsert, "_fill", failing_fill)
    monkeypatch.setattr(BulkUpsert, "full", property(lambda self: len(self._writes) >= 7))
    with pytest.raises(OSError, match="disk I/O error"):
        apply_bundle(bulk, first, source="test", bulk=True)
    assert _tables(bulk) == empty
    assert _triggers(bulk) == triggers_before
    assert not bulk.execute("SELECT 1 FROM search_index LIMIT 1").fetchall()
    monkeypatch.undo()
    assert apply_bundle(bulk, first, source="test", bulk=True).counts["document"]["new"] == 40
    apply_bundle(rows, first, source="test", bulk=False)
    _assert_same(rows, bulk)
    rows.close()
    bulk.close()
