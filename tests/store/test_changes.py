"""What changed since a sync: new, changed, withdrawn, restored; the delegation's records first."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from helpers import DEMO_SOURCE, read_records, run_cli, set_header, write_records
from wtdc_desktop.bundles.apply import apply_bundle
from wtdc_desktop.bundles.writer import build_bundle
from wtdc_desktop.store import changes, positions, record_marks


@pytest.fixture
def src(tmp_path) -> Path:
    dest = tmp_path / "src"
    shutil.copytree(DEMO_SOURCE, dest)
    return dest


def _apply(store, src: Path, out: Path, sequence: int):
    set_header(src, sequence=sequence)
    build_bundle(src, out)
    return apply_bundle(store, out)


@pytest.fixture
def three_syncs(store, src, tmp_path):
    """Sync 1: the demo. Sync 2: one proposal changed, one new, one dropped. Sync 3: the dropped one is back."""
    first = _apply(store, src, tmp_path / "s1.wtdc.zip", 1)
    proposals = read_records(src, "proposal")
    changed, dropped, untouched = proposals[0], proposals[1], proposals[2]
    record_marks.set_star(store, "proposal", changed["id"])
    record_marks.save_note(store, "proposal", dropped["id"], "à suivre")
    positions.save_position(store, "proposal", changed["id"], stance="support")

    changed_v2 = {**changed, "status": "agreed", "title": "Titre révisé"}
    new = {**untouched, "id": "WD2/9.9", "title": "Nouvelle proposition"}
    write_records(src, "proposal", [changed_v2, new, *proposals[2:]])
    second = _apply(store, src, tmp_path / "s2.wtdc.zip", 2)

    write_records(src, "proposal", [changed_v2, new, dropped, *proposals[2:]])
    third = _apply(store, src, tmp_path / "s3.wtdc.zip", 3)
    return {"syncs": (first.sync_id, second.sync_id, third.sync_id), "changed": changed["id"],
            "dropped": dropped["id"], "new": new["id"], "untouched": untouched["id"]}


def test_changes_since_first_sync(store, three_syncs):
    s1, s2, s3 = three_syncs["syncs"]
    items = changes.changes_since(store, s1)
    by_id = {(i["type"], i["id"]): i for i in items}
    changed = by_id[("proposal", three_syncs["changed"])]
    assert changed["change"] == "changed"
    assert changed["fields"] == ["status", "title"]
    assert changed["sync_id"] == s2
    assert changed["mine"] and changed["why_mine"] == ["starred", "position"]
    assert by_id[("proposal", three_syncs["new"])]["change"] == "new"
    assert by_id[("proposal", three_syncs["new"])]["title"] == "Nouvelle proposition"
    # dropped in sync 2, back in sync 3 with the same content
    dropped = by_id[("proposal", three_syncs["dropped"])]
    assert dropped["change"] == "restored" and dropped["why_mine"] == ["noted"]
    assert ("proposal", three_syncs["untouched"]) not in by_id
    # the delegation's records come first
    assert [i["mine"] for i in items] == sorted((i["mine"] for i in items), reverse=True)
    assert items[0]["mine"] and not items[-1]["mine"]
    assert len(items) == 3


def test_changes_of_the_last_sync(store, three_syncs):
    s1, s2, s3 = three_syncs["syncs"]
    assert changes.last_sync_id(store) == s3
    # sync 3 only restored the dropped proposal
    last = changes.changes_since(store, s2)
    assert [(i["id"], i["change"], i["sync_id"]) for i in last] == [(three_syncs["dropped"], "restored", s3)]
    assert changes.changes_since(store) == last
    assert changes.changes_since(store, s1, types=["document"]) == []
    assert len(changes.changes_since(store, s1, limit=1)) == 1


def test_counts_agree_with_the_list_and_mine_only_keeps_the_delegations(store, three_syncs):
    from collections import Counter

    for since in (*three_syncs["syncs"], 0, None):
        listed = changes.changes_since(store, since)
        assert changes.change_counts(store, since) == Counter((i["type"], i["change"]) for i in listed), since
        assert changes.changes_since(store, since, mine_only=True) == [i for i in listed if i["mine"]]


def test_withdrawn_since(store, src, tmp_path):
    first = _apply(store, src, tmp_path / "s1.wtdc.zip", 1)
    proposals = read_records(src, "proposal")
    write_records(src, "proposal", proposals[1:])
    _apply(store, src, tmp_path / "s2.wtdc.zip", 2)
    items = changes.changes_since(store, first.sync_id)
    assert [(i["type"], i["id"], i["change"], i["mine"]) for i in items] == [
        ("proposal", proposals[0]["id"], "withdrawn", False)]
    # the default is what the last sync changed
    assert changes.changes_since(store) == items
    assert changes.change_counts(store) == {("proposal", "withdrawn"): 1}


def test_badges_relative_to_last_sync(store, src, tmp_path):
    _apply(store, src, tmp_path / "s1.wtdc.zip", 1)
    proposals = read_records(src, "proposal")
    ids = [p["id"] for p in proposals[:3]] + ["WD2/9.9"]
    write_records(src, "proposal", [{**proposals[0], "status": "agreed"}, *proposals[1:],
                                    {**proposals[1], "id": "WD2/9.9"}])
    _apply(store, src, tmp_path / "s2.wtdc.zip", 2)
    badges = changes.badge_state(store, "proposal", ids)
    assert badges == {ids[0]: "changed", ids[1]: None, ids[2]: None, "WD2/9.9": "new"}


def test_nothing_applied_means_no_changes(store):
    assert changes.last_sync_id(store) is None
    assert changes.changes_since(store) == []
    assert changes.badge_state(store, "proposal", ["x"]) == {"x": None}


def test_changes_and_sync_log_on_the_command_line(data_dir, src, tmp_path):
    from wtdc_desktop.store import Store

    with Store(data_dir) as store:
        first = _apply(store, src, tmp_path / "s1.wtdc.zip", 1)
        proposals = read_records(src, "proposal")
        record_marks.set_star(store, "proposal", proposals[3]["id"])
        write_records(src, "proposal", [{**p, "status": "noted"} if i in (3, 4) else p
                                        for i, p in enumerate(proposals)])
        _apply(store, src, tmp_path / "s2.wtdc.zip", 2)
    code, out, err = run_cli("changes", "--since", first.sync_id, "--json", "--data-dir", data_dir)
    assert code == 0, err
    items = json.loads(out)
    assert [(i["id"], i["change"], i["mine"], i["fields"]) for i in items] == [
        (proposals[3]["id"], "changed", True, ["status"]),
        (proposals[4]["id"], "changed", False, ["status"]),
    ]
    code, out, err = run_cli("changes", "--since", first.sync_id, "--data-dir", data_dir)
    assert code == 0 and proposals[4]["id"] in out
    code, out, err = run_cli("sync-log", "--json", "--data-dir", data_dir)
    assert code == 0, err
    log = json.loads(out)
    assert [(e["sequence"], e["outcome"]) for e in log] == [(2, "applied"), (1, "applied")]
    code, out, err = run_cli("changes", "--since", "-4", "--data-dir", data_dir)
    assert code != 0 and err.startswith("error:")


def _kept(store) -> tuple[int, int, dict] | None:
    """(sync, since, counts) the last apply kept for What changed, or None."""
    row = store.execute("SELECT sync_id, since_sync, counts FROM sync_change_counts").fetchone()
    return None if row is None else (row[0], row[1], {(t, c): n for t, c, n in json.loads(row[2])})


def _assert_counts_kept(store, sync_id: int, since: int) -> dict:
    """What the apply of ``sync_id`` kept == a fresh count == what changes_since lists, grouped."""
    from collections import Counter

    kept = _kept(store)
    assert kept is not None and kept[:2] == (sync_id, since)  # only the last applied sync's row
    listed = Counter((i["type"], i["change"]) for i in changes.changes_since(store))
    assert kept[2] == listed == changes.change_counts(store) == changes.change_counts(store, since)
    assert changes.count_changes(store, since) == listed
    with store.transaction() as conn:  # a store without the row counts the same
        conn.execute("DELETE FROM sync_change_counts")
    assert changes.change_counts(store) == listed
    return dict(listed)


@pytest.mark.parametrize("bulk", [False, True], ids=["row-path", "bulk-path"])
def test_the_counts_of_the_last_sync_kept_at_apply_are_what_a_count_finds(store, src, tmp_path, bulk):
    from wtdc_desktop.bundles.errors import BundleRefused

    def sync(sequence: int) -> int:
        set_header(src, sequence=sequence)
        out = tmp_path / f"s{sequence}.wtdc.zip"
        build_bundle(src, out)
        return apply_bundle(store, out, bulk=bulk).sync_id

    proposals, documents = read_records(src, "proposal"), read_records(src, "document")
    s1 = sync(1)
    assert _assert_counts_kept(store, s1, 0)[("proposal", "new")] == len(proposals)

    # new, changed (a proposal, a document) and withdrawn (two proposals)
    a, b, c, rest = proposals[0], proposals[1], proposals[2], proposals[3:]
    c2 = {**c, "status": "agreed"}
    write_records(src, "proposal", [c2, {**rest[0], "id": "WD2/9.9", "title": "Nouvelle"}, *rest])
    write_records(src, "document", [{**documents[0], "summary": "Révisé."}, *documents[1:]])
    s2 = sync(2)
    assert _assert_counts_kept(store, s2, s1) == {("proposal", "new"): 1, ("proposal", "changed"): 1,
                                                  ("proposal", "withdrawn"): 2, ("document", "changed"): 1}

    # a withdrawn record back unchanged (restored), another back changed
    write_records(src, "proposal", [a, {**b, "title": "Titre révisé"}, c2,
                                    {**rest[0], "id": "WD2/9.9", "title": "Nouvelle"}, *rest])
    s3 = sync(3)
    assert _assert_counts_kept(store, s3, s2) == {("proposal", "restored"): 1, ("proposal", "changed"): 1}

    # a refused bundle between two applied ones: the next one is still counted from sync 3
    set_header(src, sequence=2)
    build_bundle(src, tmp_path / "old.wtdc.zip")
    with pytest.raises(BundleRefused):
        apply_bundle(store, tmp_path / "old.wtdc.zip")
    write_records(src, "proposal", [a, {**b, "title": "Titre révisé"}, {**c2, "status": "noted"},
                                    {**rest[0], "id": "WD2/9.9", "title": "Nouvelle"}, *rest[1:]])
    s4 = sync(4)
    assert _assert_counts_kept(store, s4, s3) == {("proposal", "changed"): 1, ("proposal", "withdrawn"): 1}

    # a sync that changes nothing: nothing to tell, and still kept
    s5 = sync(5)
    assert _assert_counts_kept(store, s5, s4) == {}


def test_the_kept_counts_are_read_only_for_the_last_sync_since_the_one_before(store, three_syncs):
    s1, s2, s3 = three_syncs["syncs"]
    with store.transaction() as conn:  # marked, to tell them from a count
        conn.execute("UPDATE sync_change_counts SET counts = ? WHERE sync_id = ?",
                     (json.dumps([["proposal", "new", 99]]), s3))
    assert changes.change_counts(store) == changes.change_counts(store, s2) == {("proposal", "new"): 99}
    assert changes.change_counts(store, s1) == {("proposal", "changed"): 1, ("proposal", "new"): 1,
                                                ("proposal", "restored"): 1}


def test_a_store_synced_before_the_counts_were_kept_counts_what_changed(data_dir, src, tmp_path, monkeypatch):
    from collections import Counter

    from wtdc_desktop.store import Store, schema

    with monkeypatch.context() as m:  # a version before the counts were kept, one schema behind
        m.setattr(schema, "LATEST_VERSION", schema.LATEST_VERSION - 1)
        m.setattr(changes, "keep_change_counts", lambda store, sync_id: None)
        with Store(data_dir) as store:
            _apply(store, src, tmp_path / "s1.wtdc.zip", 1)
            proposals = read_records(src, "proposal")
            write_records(src, "proposal", [{**proposals[0], "status": "agreed"}, *proposals[2:]])
            _apply(store, src, tmp_path / "s2.wtdc.zip", 2)
    with Store(data_dir) as store:
        assert store.schema_version() == schema.LATEST_VERSION
        assert _kept(store) is None
        assert changes.change_counts(store) == {("proposal", "changed"): 1, ("proposal", "withdrawn"): 1}
        assert changes.change_counts(store) == Counter((i["type"], i["change"]) for i in changes.changes_since(store))
