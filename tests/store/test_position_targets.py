"""A position is on a record the store holds, found the way the store matches ids."""

from __future__ import annotations

import json

from helpers import run_cli


def test_position_set_on_a_record_the_store_lacks_is_refused_in_one_sentence(demo_store):
    code, out, err = run_cli("position", "set", "proposal", "WTDC/999", "--stance", "support",
                             "--data-dir", demo_store.data_dir)
    assert code != 0 and err.count("\n") == 1, err
    assert "WTDC/999" in err and "Traceback" not in err
    code, out, _err = run_cli("list", "position", "--json", "--data-dir", demo_store.data_dir)
    assert json.loads(out) == []  # no orphan position was made


def test_position_set_matches_ids_as_the_store_does(demo_store):
    for given in ("WD2/2.1", "wd2/2.1", " Wd2/2.1 "):
        code, out, err = run_cli("position", "set", "proposal", given, "--stance", "oppose",
                                 "--data-dir", demo_store.data_dir)
        assert code == 0, err
        assert "WD2/2.1" in out
    code, out, _err = run_cli("list", "position", "--json", "--data-dir", demo_store.data_dir)
    assert [p["subject"] for p in json.loads(out)] == [{"type": "proposal", "id": "WD2/2.1"}]
    code, out, err = run_cli("position", "history", "proposal", "wd2/2.1", "--json", "--data-dir",
                             demo_store.data_dir)
    assert code == 0 and len(json.loads(out)) == 3, err
    code, out, err = run_cli("position", "set", "document", "tdag-wd2-20/1", "--stance", "support",
                             "--data-dir", demo_store.data_dir)
    assert code == 0 and "TDAG-WD2-20/1" in out, err


def test_the_targets_proposals_name_and_agenda_items_can_carry_a_position(demo_store):
    from wtdc_desktop.errors import WtdcError
    from wtdc_desktop.store import positions
    from wtdc_desktop.workspace import Workspace

    ws = Workspace(demo_store)
    # a target of the proposals matrix, named as the proposals name it
    assert positions.position_for(demo_store, "other", "CMDT-reforme/contenu") is None
    ws.set_position("other", "CMDT-reforme/contenu", stance="support")
    assert positions.position_for(demo_store, "other", "CMDT-reforme/contenu")["stance"] == "support"
    item = positions.missing_positions(demo_store, now="2021-01-01T00:00:00Z")[0]["subject"]["id"]
    ws.set_position("agenda_item", item, stance="neutral")
    for bad in (("other", "nothing/here"), ("agenda_item", item.rsplit("#", 1)[0] + "#999"),
                ("resolution", "WTDC/999"), ("question", "9/9")):
        try:
            ws.set_position(*bad, stance="support")
        except WtdcError as exc:
            assert bad[1] in exc.message
        else:
            raise AssertionError(f"{bad} was accepted")


def test_a_saved_position_stays_editable_when_its_record_is_gone(demo_store):
    from wtdc_desktop.store import positions

    positions.save_position(demo_store, "proposal", "WD2/2.1", stance="support")
    demo_store.execute("DELETE FROM proposal WHERE id = 'WD2/2.1'")
    positions.save_position(demo_store, "proposal", "WD2/2.1", stance="oppose")
    assert positions.position_for(demo_store, "proposal", "WD2/2.1")["stance"] == "oppose"


def test_targets_complete_on_symbol_and_title_words_whatever_the_case(demo_store):
    from wtdc_desktop.store import positions

    by_symbol = positions.find_targets(demo_store, "proposal", "wd2/2.")
    assert by_symbol and all(t["id"].startswith("WD2/2.") for t in by_symbol)
    by_title = positions.find_targets(demo_store, "proposal", "haut niveau")
    assert [t["id"] for t in by_title][:1] == ["WD2/2.3"] and "WD2/1.1" not in [t["id"] for t in by_title]
    assert by_title[0]["title"].startswith("Proposition 2.3")
    assert [t["id"] for t in positions.find_targets(demo_store, "proposal", "HAUT segment")] == ["WD2/2.3"]
    assert positions.find_targets(demo_store, "resolution", "WTDC/1")[0]["id"] == "WTDC/1"
    assert positions.find_targets(demo_store, "other", "contenu")[0]["id"] == "CMDT-reforme/contenu"
    assert positions.find_targets(demo_store, "proposal", "zzz-nothing") == []
