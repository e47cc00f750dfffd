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
