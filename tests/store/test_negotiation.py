"""Positions and negotiation: matrix, agreement, diff, history, vCard, brief packs, budget, overlaps."""

from __future__ import annotations

import json

import pytest

from helpers import run_cli
from negotiation_bundle import RES37_TEXT, regional_bundle


@pytest.fixture
def regional_store(store, tmp_path):
    from wtdc_desktop.bundles.apply import apply_bundle

    apply_bundle(store, regional_bundle(tmp_path), source="test")
    return store


# --- matrix and agreement ------------------------------------------------------------------------

def test_matrix_on_regional_bundle_places_actions_by_region_and_detects_agreement(regional_store):
    from wtdc_desktop.store import proposal_matrix

    rows = {r.target_id: r.as_dict() for r in proposal_matrix.matrix(regional_store)}
    assert rows["WTDC/37"]["cells"] == {"AFR": ["MOD"], "AMS": ["MOD"], "ASP": ["NOC"], "EUR": ["SUP"]}
    assert rows["WTDC/37"]["agreement"] is False
    assert rows["WTDC/37"]["assessment"] == "needs_negotiation"
    assert rows["WTDC/19"]["cells"] == {"AFR": ["NOC"], "AMS": ["NOC"], "EUR": ["NOC"]}
    assert rows["WTDC/19"]["agreement"] is True
    assert rows["WTDC/19"]["assessment"] == "likely_quick"


def test_matrix_cli_json_filters_and_our_position(regional_store, data_dir):
    from wtdc_desktop.store import positions

    positions.save_position(regional_store, "resolution", "WTDC/37", stance="support_with_amendments")
    code, out, err = run_cli("matrix", "--json", "--data-dir", data_dir, "--meeting", "WTDC-25")
    assert code == 0, err
    rows = {r["target"]: r for r in json.loads(out)}
    assert rows["WTDC/37"]["ours"] == "support_with_amendments"
    assert rows["WTDC/37"]["target_type"] == "resolution"
    assert rows["WTDC/37"]["cells"]["EUR"] == ["SUP"]
    code, out, _ = run_cli("matrix", "--json", "--data-dir", data_dir, "--committee", "WTDC-25/NONE")
    assert code == 0 and json.loads(out) == []


def test_agreement_ignores_withdrawn_and_needs_two_regions():
    from wtdc_desktop.domain.matrix import build_matrix

    orgs = {"ATU": "AFR", "CEPT": "EUR"}
    props = [
        {"id": "a", "action": "MOD", "sources": ["ATU"], "target": {"type": "resolution", "id": "R"}},
        {"id": "b", "action": "MOD", "sources": ["CEPT"], "target": {"type": "resolution", "id": "R"}},
        {"id": "c", "action": "SUP", "sources": ["CEPT"], "target": {"type": "resolution", "id": "R"},
         "status": "withdrawn"},
        {"id": "d", "action": "NOC", "sources": ["ATU"], "target": {"type": "question", "id": "Q"}},
        {"id": "e", "action": "MOD", "sources": ["ATU"], "target": {"type": "question", "id": "Q"}},
        {"id": "f", "action": "NOC", "sources": ["CEPT"], "target": {"type": "question", "id": "Q"}},
    ]
    rows = {r.target_id: r for r in build_matrix(props, orgs)}
    assert rows["R"].agreement  # the withdrawn SUP does not count
    assert not rows["Q"].agreement  # AFR asks for NOC and MOD: not the same single action as EUR
    assert rows["Q"].actions("AFR") == ["MOD", "NOC"]
    assert len(rows["Q"].cells["AFR"]) == 2
    single = build_matrix(props[:1], orgs)[0]
    assert single.assessment == "single_region" and not single.agreement


def test_matrix_on_demo(demo_store, data_dir):
    code, out, err = run_cli("matrix", "--json", "--data-dir", demo_store.data_dir)
    assert code == 0, err
    rows = json.loads(out)
    demo_targets = {r[0] for r in demo_store.execute("SELECT DISTINCT target_id FROM proposal")}
    assert {r["target"] for r in rows} == demo_targets
    counted = sum(len(ids) for r in rows for ids in r["proposals"].values())
    assert counted == demo_store.execute("SELECT count(*) FROM proposal").fetchone()[0]


def test_target_detail_diffs_each_proposal_against_current_text(regional_store):
    from wtdc_desktop.domain.diff import word_diff
    from wtdc_desktop.store import proposal_matrix

    detail = proposal_matrix.target_detail(regional_store, "resolution", "WTDC/37")
    assert detail["current"]["text"] == RES37_TEXT
    assert {p["id"] for p in detail["proposals"]} == {"AFCP/10/1", "IAP/11/1", "ACP/12/1", "ECP/13/1"}
    afr = next(p for p in detail["proposals"] if p["id"] == "AFCP/10/1")
    ops = word_diff(detail["current"]["text"], afr["text"])
    inserted = " ".join(t for op, t in ops if op == "insert")
    assert "affordable" in inserted and "skills" in inserted
    assert not [t for op, t in ops if op == "delete" and "bridge" in t]


def test_word_diff_round_trips_and_marks_changes():
    from wtdc_desktop.domain.brief import diff_html
    from wtdc_desktop.domain.diff import word_diff

    a, b = "resolves to bridge the digital divide", "resolves to close the digital <gap>"
    ops = word_diff(a, b)
    assert "".join(t for op, t in ops if op != "insert") == a
    assert "".join(t for op, t in ops if op != "delete") == b
    assert ("delete", "bridge") in ops and ("insert", "close") in ops
    html = diff_html(a, b)
    assert "line-through" in html and "&lt;gap&gt;" in html and "<gap>" not in html


# --- positions ------------------------------------------------------------------------------------

def test_position_history_keeps_every_edit_with_who_and_when(data_dir, regional_store, tmp_path):
    brief = tmp_path / "brief.md"
    brief.write_text("Support the **ATU** text.", "utf-8")
    assert run_cli("position", "set", "resolution", "WTDC/37", "--stance", "support", "--brief-file", brief,
                   "--owner", "Awa", "--by", "Awa", "--data-dir", data_dir)[0] == 0
    assert run_cli("position", "set", "resolution", "WTDC/37", "--stance", "oppose", "--status", "approved",
                   "--by", "Head", "--data-dir", data_dir)[0] == 0
    code, out, _ = run_cli("position", "history", "resolution", "WTDC/37", "--json", "--data-dir", data_dir)
    history = json.loads(out)
    assert [(h["stance"], h["status"], h["changed_by"]) for h in history] == [
        ("support", "draft", "Awa"), ("oppose", "approved", "Head")]
    assert all(h["changed_at"].endswith("Z") for h in history)
    assert history[1]["brief"] == "Support the **ATU** text."  # kept from the first save
    code, out, _ = run_cli("list", "position", "--json", "--data-dir", data_dir)
    (listed,) = json.loads(out)
    assert set(listed) == {"id", "subject", "stance", "priority", "brief", "red_lines", "fallback", "owner",
                           "status", "updated_at"}
    assert listed["subject"] == {"type": "resolution", "id": "WTDC/37"} and listed["owner"] == "Awa"


def test_position_set_refuses_bad_values(data_dir):
    code, _, err = run_cli("position", "set", "nonsense", "X", "--stance", "support", "--data-dir", data_dir)
    assert code == 2 and "nonsense" in err and err.count("\n") == 1
    code, _, err = run_cli("position", "set", "resolution", "X", "--stance", "maybe", "--data-dir", data_dir)
    assert code == 2


def test_position_filters_and_missing_positions(regional_store, demo_store):
    from wtdc_desktop.store import positions

    positions.save_position(regional_store, "resolution", "WTDC/37", stance="oppose", owner="Awa")
    positions.save_position(regional_store, "resolution", "WTDC/50", stance="support", owner="Ben")
    assert [p["subject"]["id"] for p in positions.filtered_positions(regional_store, committee="WTDC-25/COM4")] \
        == ["WTDC/37"]
    assert [p["subject"]["id"] for p in positions.filtered_positions(regional_store, owner="Ben")] == ["WTDC/50"]
    missing = positions.missing_positions(demo_store, now="2021-01-01T00:00:00Z")
    assert missing and all(m["subject"]["type"] == "agenda_item" for m in missing)
    first = missing[0]
    positions.save_position(demo_store, "agenda_item", first["subject"]["id"], stance="neutral")
    after = positions.missing_positions(demo_store, now="2021-01-01T00:00:00Z")
    assert first["subject"] not in [m["subject"] for m in after] and len(after) == len(missing) - 1
    assert positions.missing_positions(demo_store, now="2030-01-01T00:00:00Z") == []


# --- contacts and vCard ---------------------------------------------------------------------------

def test_vcard_round_trip_is_parsed_by_vobject(regional_store, data_dir, tmp_path):
    import vobject

    out = tmp_path / "afr.vcf"
    code, _, err = run_cli("export-vcf", "--region", "AFR", "--out", out, "--data-dir", data_dir)
    assert code == 0, err
    cards = list(vobject.readComponents(out.read_text("utf-8")))
    assert [c.fn.value for c in cards] == ["Aïcha Ndiaye"]
    assert cards[0].version.value == "4.0"
    assert cards[0].email.value == "aicha@example.org" and cards[0].tel.value == "+221 33 000 00 00"
    assert [p.value for p in cards[0].contents["lang"]] == ["fr", "en"]
    code, _, err = run_cli("import-vcf", out, "--data-dir", data_dir)
    assert code == 0, err
    from wtdc_desktop.store import contact_book

    private = contact_book.all_contacts(regional_store, include_published=False)
    assert [(c["name"], c["region"], c["languages"], c["coordinates"]) for c in private] == [
        ("Aïcha Ndiaye", "AFR", ["fr", "en"], [{"type": "resolution", "id": "WTDC/37"}])]
    # Kept apart: the published contact is unchanged and still there once.
    assert regional_store.execute("SELECT count(*) FROM contact WHERE name = 'Aïcha Ndiaye'").fetchone()[0] == 1


def test_import_vcf_refuses_a_broken_file_and_changes_nothing(store, data_dir, tmp_path):
    bad = tmp_path / "bad.vcf"
    bad.write_text("BEGIN:VCARD\nVERSION:4.0\nEMAIL:x@example.org\nEND:VCARD\n", "utf-8")
    code, _, err = run_cli("import-vcf", bad, "--data-dir", data_dir)
    assert code == 2 and "bad.vcf" in err and "card 1" in err
    assert store.execute("SELECT count(*) FROM my_contact").fetchone()[0] == 0


def test_contact_search_and_coordinator_matrix(regional_store):
    from wtdc_desktop.store import contact_book

    assert [c["id"] for c in contact_book.search_contacts(regional_store, language="fr")] == ["c-afr"]
    assert [c["id"] for c in contact_book.search_contacts(regional_store, topic="least developed")] == ["c-eur"]
    assert [c["id"] for c in contact_book.search_contacts(regional_store, organization="cept")] == ["c-eur"]
    matrix = {i["id"]: i for i in contact_book.coordinator_matrix(regional_store)}
    assert {r: [c["name"] for c in cs] for r, cs in matrix["WTDC/37"]["regions"].items()} == {
        "AFR": ["Aïcha Ndiaye"], "EUR": ["Jan Novák"]}


# --- budget -----------------------------------------------------------------------------------------

def test_budget_totals_with_pledges_in_two_statuses(regional_store, data_dir):
    code, out, err = run_cli("budget", "--json", "--available", "1000", "CHF", "--data-dir", data_dir)
    assert code == 0, err
    value = json.loads(out)
    assert value["regions"]["AFR"]["CHF"] == {"estimated": 1500, "announced": 300, "confirmed": 300,
                                              "unfunded": 900}
    assert value["regions"]["ASP"]["CHF"]["unfunded"] == 0
    assert value["overall"]["CHF"] == {"estimated": 1900, "announced": 300, "confirmed": 700, "unfunded": 900}
    assert value["available"] == {"amount": 1000, "currency": "CHF"} and value["balance"] == 100
    assert [p["id"] for p in value["proposals_with_cost"]] == ["AFCP/10/1"]
    code, out, _ = run_cli("budget", "--lang", "fr", "--data-dir", data_dir)
    assert "1\u202f500,00\u00a0CHF" in out or "1 500,00 CHF" in out.replace("\u202f", " ").replace("\u00a0", " ")


def test_budget_refuses_a_bad_currency(store, data_dir):
    code, _, err = run_cli("budget", "--available", "10", "francs", "--data-dir", data_dir)
    assert code == 2 and "francs" in err


# --- overlaps -------------------------------------------------------------------------------------

def test_overlap_suggested_for_near_identical_titles_and_decisions_are_kept(regional_store, data_dir):
    code, out, _ = run_cli("overlaps", "--json", "--data-dir", data_dir)
    pairs = [{s["a"]["id"], s["b"]["id"]} for s in json.loads(out)["suggestions"]]
    assert {"WTDC/37", "PP/139"} in pairs
    assert {"WTDC/19", "WTDC/50"} not in pairs
    code, out, _ = run_cli("overlaps", "--json", "--dismiss", "PP/139", "WTDC/37", "--data-dir", data_dir)
    assert {"WTDC/37", "PP/139"} not in [{s["a"]["id"], s["b"]["id"]} for s in json.loads(out)["suggestions"]]


# --- brief packs ----------------------------------------------------------------------------------

@pytest.fixture
def briefed_store(regional_store):
    from wtdc_desktop.store import positions

    positions.save_position(regional_store, "resolution", "WTDC/37", stance="support_with_amendments",
                            brief="Back the **ATU** wording on affordability.", red_lines="No suppression.",
                            owner="Awa")
    positions.save_position(regional_store, "resolution", "WTDC/19", stance="support", owner="Ben")
    return regional_store


def _pdf_text(path) -> str:
    import pypdf

    return " ".join(" ".join(page.extract_text() for page in pypdf.PdfReader(str(path)).pages).split())


def test_brief_pack_pdf_contains_positions_and_proposal_ids(briefed_store, data_dir, tmp_path, qapp):
    out = tmp_path / "brief.pdf"
    code, _, err = run_cli("export-brief", "--meeting", "WTDC-25", "--format", "pdf", "--out", out,
                           "--data-dir", data_dir)
    assert code == 0, err
    text = _pdf_text(out)
    for expected in ("Contents", "WTDC/37", "WTDC/19", "Support with amendments", "ATU wording", "No suppression",
                     "AFCP/10/1", "ECP/13/1", "Aïcha Ndiaye"):
        assert expected in text, expected


def test_brief_pack_docx_contains_positions_and_proposal_ids(briefed_store, data_dir, tmp_path):
    import docx

    out = tmp_path / "brief.docx"
    code, _, err = run_cli("export-brief", "--committee", "WTDC-25/COM4", "--format", "docx", "--out", out,
                           "--data-dir", data_dir)
    assert code == 0, err
    document = docx.Document(str(out))
    paragraphs = [p.text for p in document.paragraphs]
    cells = [p.text for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs]
    text = "\n".join(paragraphs + cells)
    assert "Contents" in paragraphs
    for expected in ("WTDC/37", "Support with amendments", "Back the ATU wording on affordability.",
                     "AFCP/10/1", "IAP/11/1", "ACP/12/1", "ECP/13/1"):
        assert expected in text, expected
    assert any(p.style.name.startswith("Heading") and "WTDC/37" in p.text for p in document.paragraphs)


def test_brief_pack_for_unknown_meeting_is_refused_without_writing(store, data_dir, tmp_path):
    out = tmp_path / "brief.docx"
    code, _, err = run_cli("export-brief", "--meeting", "NOPE", "--format", "docx", "--out", out,
                           "--data-dir", data_dir)
    assert code == 2 and "NOPE" in err and not out.exists()


def test_a_colleagues_whole_version_can_be_kept(regional_store):
    from wtdc_desktop.store import positions

    positions.save_position(regional_store, "resolution", "WTDC/37", stance="support", owner="Awa", brief="Mine")
    pos = positions.position_for(regional_store, "resolution", "WTDC/37")
    local = {"id": pos["id"], "updated_at": pos["updated_at"], "subject": {"type": "resolution", "id": "WTDC/37"},
             **{k: pos[k] for k in positions.POSITION_FIELDS}}
    remote = dict(local, stance="oppose", brief="Theirs", updated_at="2025-02-01T08:00:00Z")
    with regional_store.transaction() as conn:
        conn.execute("INSERT INTO my_conflict (channel, type, id, local_data, remote_data, detected_at) "
                     "VALUES ('delegation-KEN', 'position', ?, ?, ?, '2025-02-01T09:00:00Z')",
                     (pos["id"], json.dumps(local), json.dumps(remote)))
    (conflict,) = positions.open_position_edit_conflicts(regional_store)
    assert sorted(conflict["fields"]) == ["brief", "stance"]
    positions.resolve_position_edit_conflict(regional_store, conflict["conflict_id"], {"stance": "remote",
                                                                                      "brief": "remote"})
    kept = positions.position_for(regional_store, "resolution", "WTDC/37")
    assert (kept["stance"], kept["brief"], kept["owner"]) == ("oppose", "Theirs", "Awa")
    assert positions.open_position_edit_conflicts(regional_store) == []
    with pytest.raises(positions.PositionError):
        positions.resolve_position_edit_conflict(regional_store, conflict["conflict_id"], {})


def test_a_field_by_field_choice_is_saved_and_settled_in_one_transaction(regional_store, monkeypatch):
    from wtdc_desktop.store import delegation_merge, positions

    positions.save_position(regional_store, "resolution", "WTDC/37", stance="support", owner="Awa", brief="Mine")
    pos = positions.position_for(regional_store, "resolution", "WTDC/37")
    local = {"id": pos["id"], "subject": {"type": "resolution", "id": "WTDC/37"},
             **{k: pos[k] for k in positions.POSITION_FIELDS}}
    remote = dict(local, stance="oppose", brief="Theirs")
    with regional_store.transaction() as conn:
        conn.execute("INSERT INTO my_conflict (channel, type, id, local_data, remote_data, detected_at) "
                     "VALUES ('delegation-KEN', 'position', ?, ?, ?, '2025-02-01T09:00:00Z')",
                     (pos["id"], json.dumps(local), json.dumps(remote)))
    (conflict,) = positions.open_position_edit_conflicts(regional_store)
    history = len(positions.history_for(regional_store, "resolution", "WTDC/37"))

    def fail(*_a, **_k):
        raise RuntimeError("disk gone")

    with monkeypatch.context() as m:
        m.setattr(delegation_merge, "settle_edit_conflict", fail)
        with pytest.raises(RuntimeError):
            positions.resolve_position_edit_conflict(regional_store, conflict["conflict_id"], {"stance": "remote"})
    assert positions.position_for(regional_store, "resolution", "WTDC/37")["stance"] == "support"
    assert len(positions.history_for(regional_store, "resolution", "WTDC/37")) == history
    assert [c["conflict_id"] for c in positions.open_position_edit_conflicts(regional_store)] == [
        conflict["conflict_id"]]
    positions.resolve_position_edit_conflict(regional_store, conflict["conflict_id"], {"stance": "remote"})
    kept = positions.position_for(regional_store, "resolution", "WTDC/37")
    assert (kept["stance"], kept["brief"]) == ("oppose", "Mine")
    assert positions.open_position_edit_conflicts(regional_store) == []
    assert positions.history_for(regional_store, "resolution", "WTDC/37")[-1]["origin"] == "delegation-KEN"


def test_brief_pack_for_a_session_keeps_its_agenda_items_only(demo_store, tmp_path):
    import docx

    from wtdc_desktop.store import positions

    positions.save_position(demo_store, "agenda_item", "WTDC-21/S02#2", stance="support",
                            brief="Keep Section 1 of Resolution 1 as it is.")
    positions.save_position(demo_store, "agenda_item", "WTDC-21/S03#1", stance="oppose", brief="Other session.")
    out = tmp_path / "s02.docx"
    code, _, err = run_cli("export-brief", "--session", "WTDC-21/S02", "--format", "docx", "--out", out,
                           "--lang", "ar", "--data-dir", demo_store.data_dir)
    assert code == 0, err
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "WTDC-21/S02#2" in text and "Keep Section 1 of Resolution 1 as it is." in text
    assert "WTDC-21/S03#1" not in text and "Other session." not in text


def test_a_position_save_is_one_transaction(regional_store, monkeypatch):
    """A failure after the position is written leaves neither the position nor a history row."""
    from wtdc_desktop.store import positions

    store = regional_store

    def fail(*_a, **_k):
        raise RuntimeError("disk gone")

    def rows():
        return (store.execute("SELECT stance, brief FROM my_position").fetchall(),
                store.execute("SELECT count(*) FROM my_position_history").fetchone()[0])

    with monkeypatch.context() as m:
        m.setattr(positions, "_add_history", fail)
        with pytest.raises(RuntimeError):
            positions.save_position(store, "resolution", "WTDC/37", stance="oppose", brief="No.")
    assert rows() == ([], 0)
    positions.save_position(store, "resolution", "WTDC/37", stance="support", brief="Yes.")
    before = [tuple(r) for r in rows()[0]], rows()[1]
    with monkeypatch.context() as m:
        m.setattr(positions, "_add_history", fail)
        with pytest.raises(RuntimeError):
            positions.save_position(store, "resolution", "WTDC/37", stance="oppose")
    assert ([tuple(r) for r in rows()[0]], rows()[1]) == before == ([("support", "Yes.")], 1)
    # the history row of a save carries its subject (no second transaction patches it in)
    row = store.execute("SELECT subject_type, subject_id FROM my_position_history").fetchone()
    assert tuple(row) == ("resolution", "WTDC/37")
