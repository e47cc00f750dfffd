"""Positions and negotiation: matrix, agreement, diff, history, vCard, brief packs, budget, overlaps."""

from __future__ import annotations

import json

import pytest

from helpers import run_cli, write_records

RES37_TEXT = ("The World Telecommunication Development Conference resolves to bridge the digital divide "
              "by supporting national broadband plans in developing countries.")


def _regional_bundle(tmp_path):
    """A bundle where four regions propose on WTDC/37 (disagreeing) and on WTDC/19 (all NOC)."""
    from wtdc_desktop.bundles.writer import Header, build_bundle

    src = tmp_path / "src"
    (src / "records").mkdir(parents=True)
    write_records(src, "region", [{"id": r, "name": r} for r in ("AFR", "AMS", "ARB", "ASP", "CIS", "EUR")])
    write_records(src, "organization", [
        {"id": "ATU", "name": "African Telecommunications Union", "kind": "rto", "region": "AFR"},
        {"id": "CITEL", "name": "CITEL", "kind": "rto", "region": "AMS"},
        {"id": "APT", "name": "Asia-Pacific Telecommunity", "kind": "rto", "region": "ASP"},
        {"id": "CEPT", "name": "CEPT", "kind": "rto", "region": "EUR"},
    ])
    write_records(src, "meeting", [{"id": "WTDC-25", "kind": "conference", "title": "WTDC-25",
                                    "timezone": "Asia/Baku"}])
    write_records(src, "committee", [{"id": "WTDC-25/COM4", "meeting": "WTDC-25", "name": "Committee 4"}])
    write_records(src, "document", [
        {"id": f"WTDC-25/{n}", "meeting": "WTDC-25", "title": f"Common proposals {org}", "source": org}
        for n, org in ((10, "ATU"), (11, "CITEL"), (12, "APT"), (13, "CEPT"))])
    write_records(src, "resolution", [
        {"id": "WTDC/37", "body": "WTDC", "number": 37, "title": "Bridging the digital divide", "text": RES37_TEXT},
        {"id": "WTDC/19", "body": "WTDC", "number": 19, "title": "Special measures for least developed countries"},
        {"id": "WTDC/50", "body": "WTDC", "number": 50, "title": "Optimal integration of telecommunications and ICTs"},
        {"id": "PP/139", "body": "PP", "number": 139, "title": "Bridging the digital divides"},
    ])

    def prop(pid, doc, org, action, target, text=None, status="submitted", cost=None):
        r = {"id": pid, "document": doc, "sources": [org], "action": action,
             "target": {"type": "resolution", "id": target}, "status": status, "committee": "WTDC-25/COM4",
             "title": f"{action} Resolution {target}"}
        if text:
            r["text"] = text
        if cost:
            r["cost"] = cost
        return r

    write_records(src, "proposal", [
        prop("AFCP/10/1", "WTDC-25/10", "ATU", "MOD", "WTDC/37",
             RES37_TEXT.replace("national broadband plans", "affordable national broadband plans and digital skills"),
             cost={"amount": 150000, "currency": "CHF"}),
        prop("IAP/11/1", "WTDC-25/11", "CITEL", "MOD", "WTDC/37", RES37_TEXT.replace("developing", "all")),
        prop("ACP/12/1", "WTDC-25/12", "APT", "NOC", "WTDC/37"),
        prop("ECP/13/1", "WTDC-25/13", "CEPT", "SUP", "WTDC/37"),
        prop("AFCP/10/2", "WTDC-25/10", "ATU", "NOC", "WTDC/19"),
        prop("IAP/11/2", "WTDC-25/11", "CITEL", "NOC", "WTDC/19"),
        prop("ECP/13/2", "WTDC-25/13", "CEPT", "NOC", "WTDC/19"),
    ])
    write_records(src, "contact", [
        {"id": "c-afr", "name": "Aïcha Ndiaye", "organization": "ATU", "region": "AFR", "email": "aicha@example.org",
         "phone": "+221 33 000 00 00", "languages": ["fr", "en"],
         "coordinates": [{"type": "resolution", "id": "WTDC/37"}]},
        {"id": "c-eur", "name": "Jan Novák", "organization": "CEPT", "region": "EUR", "email": "jan@example.org",
         "languages": ["en"], "coordinates": [{"type": "resolution", "id": "WTDC/37"},
                                              {"type": "resolution", "id": "WTDC/19"}]},
    ])
    write_records(src, "priority", [
        {"id": "P-AFR", "region": "AFR", "title": "Connectivity", "estimated_cost": {"amount": 1000, "currency": "CHF"},
         "pledges": [{"from": "ATU", "amount": 300, "currency": "CHF", "status": "confirmed"},
                     {"from": "CEPT", "amount": 200, "currency": "CHF", "status": "announced"}]},
        {"id": "P-AFR-2", "region": "AFR", "title": "Skills", "estimated_cost": {"amount": 500, "currency": "CHF"},
         "pledges": [{"from": "APT", "amount": 100, "currency": "CHF", "status": "announced"}]},
        {"id": "P-ASP", "region": "ASP", "title": "Cybersecurity", "estimated_cost": {"amount": 400, "currency": "CHF"},
         "pledges": [{"from": "APT", "amount": 400, "currency": "CHF", "status": "confirmed"}]},
    ])
    out = tmp_path / "regional.wtdc.zip"
    build_bundle(src, out, Header(publisher_id="itu-bdt", channel="WTDC-25", sequence=1,
                                  created_at="2025-01-01T00:00:00Z"))
    return out


@pytest.fixture
def regional_store(store, tmp_path):
    from wtdc_desktop.bundles.apply import apply_bundle

    apply_bundle(store, _regional_bundle(tmp_path), source="test")
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

def test_position_history_keeps_every_edit_with_who_and_when(data_dir, store, tmp_path):
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


def test_a_position_save_is_one_transaction(store, monkeypatch):
    """A failure after the position is written leaves neither the position nor a history row."""
    from wtdc_desktop.store import positions

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
