"""Team sync through a shared folder: three members, concurrent edits, and what shared storage does."""

from __future__ import annotations

import json
import os

import pytest

from helpers import run_cli, table_fingerprint
from team_helpers import delegation_rows, form_team, member_stores, proposals
from wtdc_desktop.store import positions, record_marks


@pytest.fixture
def team(_demo_store_template, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    stores = member_stores(_demo_store_template, tmp_path, ["amina", "baraka", "chege"])
    form_team(stores, shared)
    yield stores, shared
    for s in stores.values():
        s.close()


def _sync(store) -> dict:
    code, out, err = run_cli("team", "sync", "--json", "--data-dir", store.data_dir)
    assert code in (0, 3), err
    return json.loads(out)


def test_join_lists_keys_and_trust_needs_the_right_fingerprint(_demo_store_template, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    stores = member_stores(_demo_store_template, tmp_path, ["amina", "baraka"])
    a, b = stores["amina"].data_dir, stores["baraka"].data_dir
    for s in stores.values():
        s.close()
    code, out, err = run_cli("team", "join", shared, "--member", "Amina", "--delegation", "KEN", "--data-dir", a)
    assert code == 0, err
    assert "amina" in out and "fingerprint" in out
    assert (shared / "team.json").is_file() and (shared / "amina" / "key.pub").is_file()
    code, out, err = run_cli("team", "join", shared, "--member", "baraka", "--json", "--data-dir", b)
    assert code == 0, err
    joined = json.loads(out)
    assert joined["delegation"] == "ken" and joined["created_key"]
    [listed] = joined["members"]
    assert listed["name"] == "amina"
    # the same name with another key is refused
    code, out, err = run_cli("team", "join", shared, "--member", "amina", "--data-dir", tmp_path / "third")
    assert code == 2 and "another key" in err
    # nothing of amina is merged before her key is trusted
    code, out, err = run_cli("team", "members", "--json", "--data-dir", b)
    members = {m["name"]: m for m in json.loads(out)}
    assert members["amina"]["trusted"] is False and members["amina"]["fingerprint"] == listed["fingerprint"]
    code, out, err = run_cli("team", "trust", "amina", "--fingerprint", "0000 1111", "--data-dir", b)
    assert code == 2 and "not trusted" in err
    code, out, err = run_cli("team", "trust", "amina", "--fingerprint", listed["fingerprint"].lower(), "--data-dir", b)
    assert code == 0, err
    code, out, err = run_cli("team", "members", "--json", "--data-dir", b)
    assert {m["name"]: m["trusted"] for m in json.loads(out)} == {"baraka": True, "amina": True}
    code, out, err = run_cli("team", "leave", "--data-dir", b)
    assert code == 0, err
    code, out, err = run_cli("team", "sync", "--data-dir", b)
    assert code == 2 and "team join" in err


def test_three_members_with_concurrent_edits(team):
    stores, shared = team
    a, b, c = stores["amina"], stores["baraka"], stores["chege"]
    p1, p2, p3 = proposals(a)[:3]
    positions.save_position(a, "proposal", p1, stance="support", brief="Texte initial")
    _sync(a)
    for s in (b, c):
        assert _sync(s)["conflicts"] == 0
    assert positions.position_for(c, "proposal", p1)["brief"] == "Texte initial"
    # concurrently: a and b change the same field, c changes another field of the same position,
    # b writes a note, c a position of its own
    positions.save_position(a, "proposal", p1, brief="Version de la capitale")
    positions.save_position(b, "proposal", p1, brief="Version de la salle")
    positions.save_position(c, "proposal", p1, priority="high")
    record_marks.save_note(b, "proposal", p2, "Coût à vérifier")
    positions.save_position(c, "proposal", p3, stance="oppose")
    # b publishes before reading a's change, a after: the order does not matter
    _sync(b)
    _sync(a)
    _sync(c)
    _sync(b)
    _sync(a)
    for s in stores.values():
        _sync(s)
    # the same field on both sides: a listed conflict on a and on b, nothing overwritten
    for s, mine in ((a, "Version de la capitale"), (b, "Version de la salle")):
        code, out, err = run_cli("conflicts", "--json", "--data-dir", s.data_dir)
        conflicts = [x for x in json.loads(out) if x["kind"] == "delegation_edit"]
        assert [x["fields"] for x in conflicts] == [["brief"]], conflicts
        assert positions.position_for(s, "proposal", p1)["brief"] == mine
    # different fields merged everywhere, and no change lost
    for s in stores.values():
        pos = positions.position_for(s, "proposal", p1)
        assert pos["priority"] == "high"
        assert positions.position_for(s, "proposal", p3)["stance"] == "oppose"
        assert [n["body"] for n in record_marks.notes_for(s, "proposal", p2)] == ["Coût à vérifier"]
    # once settled on both sides, every member holds the same records
    for s in (a, b):
        code, out, err = run_cli("conflicts", "--json", "--data-dir", s.data_dir)
        for x in json.loads(out):
            assert run_cli("resolve-conflict", x["conflict_id"], "--keep",
                           "local" if s is a else "remote", "--data-dir", s.data_dir)[0] == 0
    for _round in range(2):
        for s in stores.values():
            _sync(s)
    rows = [delegation_rows(s) for s in stores.values()]
    assert rows[0] == rows[1] == rows[2]
    assert rows[0]["position"][("proposal", p1)][1] == "Version de la capitale"


def test_members_show_last_seen_and_a_sync_with_nothing_new(team):
    stores, shared = team
    a, b = stores["amina"], stores["baraka"]
    positions.save_position(a, "proposal", proposals(a)[0], stance="neutral")
    first = _sync(a)
    assert first["published"]["kind"] == "full"
    assert _sync(a)["published"] is None  # nothing changed since
    report = _sync(b)
    assert {m["member"]: m["outcome"] for m in report["members"]}["amina"] == "merged"
    code, out, err = run_cli("team", "members", "--json", "--data-dir", b.data_dir)
    seen = {m["name"]: m for m in json.loads(out)}
    assert seen["amina"]["last_seen"] and seen["amina"]["last_sequence"] == 1
    assert seen["chege"]["last_seen"] is None


def test_what_shared_storage_leaves_behind_is_skipped_and_reported(team):
    stores, shared = team
    a, b = stores["amina"], stores["baraka"]
    positions.save_position(a, "proposal", proposals(a)[0], stance="support", brief="Un")
    _sync(a)
    bundle = next((shared / "amina").glob("*.wtdc.zip"))
    # a sync client's copies, a lock file, a zero-length file under the next name, a duplicate
    data = bundle.read_bytes()
    (shared / "amina" / "00000001-full.sync-conflict-20211108-101010-ABCDEF.wtdc.zip").write_bytes(data)
    (shared / "amina" / "00000001-full (conflicted copy 2021-11-08).wtdc.zip").write_bytes(b"garbage")
    (shared / "amina" / "~$00000001-full.wtdc.zip").write_bytes(b"")
    report = _sync(b)
    mine = {m["member"]: m for m in report["members"]}["amina"]
    assert mine["outcome"] == "merged" and mine["sequences"] == [1]
    assert sum("file-sync client" in p for p in mine["problems"]) == 3
    assert positions.position_for(b, "proposal", proposals(b)[0])["brief"] == "Un"
    # a delta half-written by a sync client: refused, nothing applied, read again once complete
    positions.save_position(a, "proposal", proposals(a)[0], brief="Deux")
    _sync(a)
    delta = shared / "amina" / "00000002-delta.wtdc.zip"
    whole = delta.read_bytes()
    delta.write_bytes(whole[: len(whole) // 2])
    before = table_fingerprint(b, ["my_position", "my_note", "my_assignment"])
    report = _sync(b)
    mine = {m["member"]: m for m in report["members"]}["amina"]
    assert mine["outcome"] == "refused" and mine["sequences"] == []
    assert table_fingerprint(b, ["my_position", "my_note", "my_assignment"]) == before
    delta.write_bytes(b"")
    assert {m["member"]: m for m in _sync(b)["members"]}["amina"]["outcome"] == "waiting"
    delta.write_bytes(whole)
    assert {m["member"]: m for m in _sync(b)["members"]}["amina"]["sequences"] == [2]
    assert positions.position_for(b, "proposal", proposals(b)[0])["brief"] == "Deux"


def test_out_of_order_arrival_waits_for_the_missing_delta(team):
    stores, shared = team
    a, b = stores["amina"], stores["baraka"]
    pid = proposals(a)[0]
    positions.save_position(a, "proposal", pid, stance="support")
    _sync(a)
    _sync(b)
    positions.save_position(a, "proposal", pid, brief="deux")
    _sync(a)
    positions.save_position(a, "proposal", pid, brief="trois")
    _sync(a)
    held = shared / "amina" / "00000002-delta.wtdc.zip"
    os.rename(held, shared / "held.zip")  # not arrived yet; 3 has
    report = _sync(b)
    mine = {m["member"]: m for m in report["members"]}["amina"]
    assert mine["outcome"] == "waiting" and any("sequence 2" in p for p in mine["problems"])
    os.rename(shared / "held.zip", held)
    assert {m["member"]: m for m in _sync(b)["members"]}["amina"]["sequences"] == [2, 3]
    assert positions.position_for(b, "proposal", pid)["brief"] == "trois"


def test_unsigned_or_foreign_bundles_are_refused(team, tmp_path):
    from wtdc_desktop.bundles.delegation import write_delegation_bundle
    from wtdc_desktop.bundles.signing import generate_key, load_private_key

    stores, shared = team
    a, b = stores["amina"], stores["baraka"]
    pid = proposals(a)[0]
    positions.save_position(a, "proposal", pid, brief="vrai")
    _sync(a)
    _sync(b)
    # someone drops bundles into amina's folder: unsigned, and signed by a key nobody trusted
    positions.save_position(a, "proposal", pid, brief="falsifié")
    other, _pub, _fp = generate_key(tmp_path / "intruder.key")
    forged = {"publisher": "delegation-ken", "channel": "amina", "sequence": 2, "kind": "delta", "base_sequence": 1}
    write_delegation_bundle(a, shared / "amina" / "00000002-delta.wtdc.zip", **forged)
    before = table_fingerprint(b, ["my_position", "my_note", "my_assignment"])
    mine = {m["member"]: m for m in _sync(b)["members"]}["amina"]
    assert mine["outcome"] == "refused" and "signed" in " ".join(mine["problems"])
    write_delegation_bundle(a, shared / "amina" / "00000002-delta.wtdc.zip", **forged, key=load_private_key(other))
    mine = {m["member"]: m for m in _sync(b)["members"]}["amina"]
    assert mine["outcome"] == "refused"
    assert table_fingerprint(b, ["my_position", "my_note", "my_assignment"]) == before
    assert positions.position_for(b, "proposal", pid)["brief"] == "vrai"


def test_full_bundles_and_pruning_after_every_member_passed(team, monkeypatch, _demo_store_template):
    from wtdc_desktop.team import core

    monkeypatch.setattr(core, "FULL_EVERY", 3)
    stores, shared = team
    a = stores["amina"]
    pid = proposals(a)[0]
    for i in range(5):
        positions.save_position(a, "proposal", pid, brief=f"v{i}")
        _sync(a)
    names = sorted(p.name for p in (shared / "amina").glob("*.wtdc.zip"))
    assert names[0] == "00000001-full.wtdc.zip" and "00000003-full.wtdc.zip" in names  # nobody read them yet
    for s in stores.values():
        _sync(s)
    _sync(a)  # every member passed: the bundles before the latest full one go
    names = sorted(p.name for p in (shared / "amina").glob("*.wtdc.zip"))
    assert names[0] == "00000003-full.wtdc.zip"
    # a newcomer starts from the latest full bundle and the deltas after it
    [dora] = member_stores(_demo_store_template, shared.parent, ["dora"]).values()
    try:
        form_team({"dora": dora}, shared)
        report = _sync(dora)
        assert {m["member"]: m["sequences"] for m in report["members"]}["amina"] == [3, 4, 5]
        assert positions.position_for(dora, "proposal", pid)["brief"] == "v4"
    finally:
        dora.close()


def test_the_periodic_sync_does_team_sync_too(team):
    from wtdc_desktop.sync import remembered, sync_all

    stores, shared = team
    a, b = stores["amina"], stores["baraka"]
    pid = proposals(a)[0]
    positions.save_position(a, "proposal", pid, stance="oppose")
    assert str(shared) in remembered(a.data_dir)
    [result] = [r for r in sync_all(a.data_dir) if r.kind == "team"]
    assert result.ok and result.outcome == "applied"
    [result] = [r for r in sync_all(b.data_dir) if r.kind == "team"]
    assert result.ok and "1 bundle merged" in result.message
    assert positions.position_for(b, "proposal", pid)["stance"] == "oppose"


def test_a_wrong_clock_changes_nothing_and_untrusted_members_wait(team, monkeypatch, _demo_store_template):
    """Only sequences and the version each change was made from order changes, never the members' clocks."""
    from wtdc_desktop.store import positions as positions_module

    stores, shared = team
    a, b = stores["amina"], stores["baraka"]
    pid = proposals(a)[0]
    with monkeypatch.context() as m:  # amina's laptop is two years ahead
        m.setattr(positions_module, "utcnow", lambda: "2028-01-01T09:00:00Z")
        positions.save_position(a, "proposal", pid, stance="support", brief="venu du futur")
    _sync(a)
    _sync(b)
    assert positions.position_for(b, "proposal", pid)["brief"] == "venu du futur"
    positions.save_position(b, "proposal", pid, brief="corrigé aujourd'hui")  # later, with an earlier timestamp
    _sync(b)
    report = _sync(a)
    assert report["conflicts"] == 0
    assert positions.position_for(a, "proposal", pid)["brief"] == "corrigé aujourd'hui"
    # a newcomer nobody trusted yet: its bundles wait, reported, and the others still merge
    [dora] = member_stores(_demo_store_template, shared.parent, ["dora"]).values()
    try:
        from wtdc_desktop.team import join

        join(dora, str(shared), "dora")
        positions.save_position(dora, "proposal", pid, brief="inconnue")
        code, out, err = run_cli("team", "sync", "--json", "--data-dir", dora.data_dir)
        positions.save_position(b, "proposal", proposals(b)[1], stance="neutral")
        _sync(b)
        report = _sync(a)
        by_member = {m["member"]: m for m in report["members"]}
        assert by_member["dora"]["outcome"] == "untrusted" and "team trust" in by_member["dora"]["problems"][0]
        assert by_member["baraka"]["sequences"] and report["new_members"][0]["name"] == "dora"
        assert positions.position_for(a, "proposal", pid)["brief"] == "corrigé aujourd'hui"
    finally:
        dora.close()


def test_a_deletion_travels_and_a_record_changed_meanwhile_stays(team):
    stores, shared = team
    a, b, c = stores["amina"], stores["baraka"], stores["chege"]
    pid = proposals(a)[0]
    kept = record_marks.save_note(a, "proposal", pid, "À garder")
    gone = record_marks.save_note(a, "proposal", pid, "À supprimer")
    for s in (a, b, c):
        _sync(s)
    record_marks.delete_note(a, kept)
    record_marks.delete_note(a, gone)
    record_marks.save_note(c, "proposal", pid, "Modifié par chege", note_id=kept)  # changed there meanwhile
    (shared / "amina" / ".00000002-delta.wtdc.zip.0bad.part").write_bytes(b"PK")  # an interrupted sync's
    report = _sync(a)
    assert report["published"]["deletions"] == 2
    assert not list((shared / "amina").glob("*.part"))
    _sync(b)
    _sync(c)
    assert [n["body"] for n in record_marks.notes_for(b, "proposal", pid)] == []
    assert [n["body"] for n in record_marks.notes_for(c, "proposal", pid)] == ["Modifié par chege"]
    _sync(a)  # chege's change comes back to amina: nothing is lost
    assert [n["body"] for n in record_marks.notes_for(a, "proposal", pid)] == ["Modifié par chege"]


def test_a_bundle_exported_by_hand_meanwhile_leaves_no_gap(team):
    from wtdc_desktop.bundles.delegation import export_delegation

    stores, shared = team
    a, b = stores["amina"], stores["baraka"]
    pid = proposals(a)[0]
    positions.save_position(a, "proposal", pid, brief="un")
    _sync(a)
    _sync(b)
    positions.save_position(a, "proposal", pid, brief="deux")
    export_delegation(a, shared.parent / "by-hand.wtdc.zip")  # sequence 2, on amina's stream, not in the folder
    positions.save_position(a, "proposal", pid, brief="trois")
    published = _sync(a)["published"]
    assert (published["sequence"], published["kind"]) == (3, "full")
    assert {m["member"]: m["sequences"] for m in _sync(b)["members"]}["amina"] == [3]
    assert positions.position_for(b, "proposal", pid)["brief"] == "trois"


def test_a_change_arriving_before_the_one_it_was_made_on_is_no_conflict(team):
    """chege edits on top of baraka's version; amina reads chege's bundle before baraka's."""
    stores, shared = team
    a, b, c = stores["amina"], stores["baraka"], stores["chege"]
    pid = proposals(a)[0]
    positions.save_position(a, "proposal", pid, stance="support", brief="v1")
    for s in (a, b, c):
        _sync(s)
    positions.save_position(b, "proposal", pid, brief="v2 by baraka")
    _sync(b)
    _sync(c)
    positions.save_position(c, "proposal", pid, priority="high")
    _sync(c)
    held = shared / "held"
    held.mkdir()
    for p in (shared / "baraka").glob("*.wtdc.zip"):
        p.rename(held / p.name)  # baraka's bundles have not reached amina's folder yet
    assert _sync(a)["conflicts"] == 0
    for p in held.iterdir():
        p.rename(shared / "baraka" / p.name)
    assert _sync(a)["conflicts"] == 0
    pos = positions.position_for(a, "proposal", pid)
    assert (pos["brief"], pos["priority"]) == ("v2 by baraka", "high")
