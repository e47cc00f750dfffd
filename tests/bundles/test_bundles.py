"""Bundles: the demo and the spec's example load; applying follows spec §4; bad input is refused."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from helpers import DEMO_BUNDLE, DEMO_SOURCE, read_records, run_cli, set_header, table_fingerprint, write_records
from wtdc_desktop.bundles.apply import apply_bundle
from wtdc_desktop.bundles.errors import BundleRefused
from wtdc_desktop.bundles.writer import build_bundle
from wtdc_desktop.store import fulltext, list_rows, positions, published, record_marks
from wtdc_desktop.store.schema import DELEGATION_TABLES


@pytest.fixture
def src(tmp_path) -> Path:
    dest = tmp_path / "src"
    shutil.copytree(DEMO_SOURCE, dest)
    return dest


def build(src: Path, out: Path, **header) -> Path:
    if header:
        set_header(src, **header)
    build_bundle(src, out)
    return out


def test_committed_demo_bundle_is_current(tmp_path):
    fresh = build_bundle(DEMO_SOURCE, tmp_path / "demo.wtdc.zip")
    assert (tmp_path / "demo.wtdc.zip").read_bytes() == DEMO_BUNDLE.read_bytes(), (
        "resources/demo.wtdc.zip is stale: run python scripts/build_demo.py")
    assert sum(r["count"] for r in fresh["records"]) > 40


def test_demo_loads_with_what_the_seed_holds(data_dir):
    code, out, err = run_cli("demo", "--data-dir", data_dir)
    assert code == 0, err
    code, out, _ = run_cli("stats", "--json", "--data-dir", data_dir)
    counts = json.loads(out)["counts"]
    assert counts["proposal"] == 20
    assert counts["region"] == 6
    assert counts["organization"] == 6
    assert counts["resolution"] >= 4
    assert counts["document"] >= 2
    code, out, _ = run_cli("list", "proposal", "--json", "--data-dir", data_dir)
    ids = {p["id"] for p in json.loads(out)}
    assert {f"WD2/{n}" for n in ["1.1", "1.2", "2.1", "2.7", "3.4", "4.7"]} <= ids
    code, out, _ = run_cli("list", "meeting", "--json", "--data-dir", data_dir)
    wtdc = next(m for m in json.loads(out) if m["id"] == "WTDC-21")
    assert (wtdc["starts_on"], wtdc["ends_on"]) == ("2021-11-08", "2021-11-19")


def test_seed_text_is_searchable_in_french(demo_store):
    hits = fulltext.search(demo_store, "réunions préparatoires interrégionales")
    assert hits and hits[0].type in ("proposal", "document")
    # accents are optional when typing
    assert fulltext.search(demo_store, "reunions preparatoires")


def test_example_bundle_from_the_spec_applies(store, example_bundle):
    result = apply_bundle(store, example_bundle)
    assert result.outcome == "applied"
    doc = published.get_record(store, "document", "EX-1/12(Add.1)")
    assert doc["addendum"] == 1 and doc["number"] == 12
    session = store.execute("SELECT starts_at FROM session WHERE id = 'EX-1/S1'").fetchone()[0]
    assert session == "2030-06-04T07:30:00Z"  # stored in UTC


def test_reapplying_changes_nothing(store):
    apply_bundle(store, DEMO_BUNDLE)
    before = table_fingerprint(store)
    result = apply_bundle(store, DEMO_BUNDLE)
    assert result.outcome == "already_applied"
    assert table_fingerprint(store) == before


def test_changed_record_keeps_its_earlier_version(store, src, tmp_path):
    apply_bundle(store, build(src, tmp_path / "1.wtdc.zip"))
    proposals = read_records(src, "proposal")
    old_text = proposals[0]["text"]
    proposals[0]["text"] = "Texte révisé."
    write_records(src, "proposal", proposals)
    result = apply_bundle(store, build(src, tmp_path / "2.wtdc.zip", sequence=2))
    assert result.counts["proposal"]["changed"] == 1
    assert result.counts["proposal"]["unchanged"] == 19
    pid = proposals[0]["id"]
    assert published.get_record(store, "proposal", pid)["text"] == "Texte révisé."
    history = published.record_history(store, "proposal", pid)
    assert [h["record"]["text"] for h in history] == [old_text]
    assert history[0]["bundle_seq"] == 1


def test_full_bundle_withdraws_what_it_no_longer_carries(store, src, tmp_path):
    apply_bundle(store, build(src, tmp_path / "1.wtdc.zip"))
    proposals = read_records(src, "proposal")
    write_records(src, "proposal", proposals[1:])
    result = apply_bundle(store, build(src, tmp_path / "2.wtdc.zip", sequence=2))
    assert result.counts["proposal"]["withdrawn"] == 1
    assert published.counts(store)["proposal"] == 19
    assert published.counts(store, include_withdrawn=True)["proposal"] == 20
    assert list_rows.view_count(store, "proposal") == 19  # the Proposals list's "19 records"
    kept = published.get_record(store, "proposal", proposals[0]["id"])
    assert kept is not None and kept["withdrawn"] is True  # kept, marked, never erased


def test_delegation_tables_untouched_by_any_apply(store, src, tmp_path):
    apply_bundle(store, build(src, tmp_path / "1.wtdc.zip"))
    pid = read_records(src, "proposal")[0]["id"]
    record_marks.set_star(store, "proposal", pid)
    record_marks.mark_read(store, "proposal", pid)
    record_marks.save_note(store, "proposal", pid, "Soutenir, avec amendements.")
    positions.save_position(store, "proposal", pid, stance="support_with_amendments", brief="Notre ligne.")
    before = table_fingerprint(store, DELEGATION_TABLES)
    write_records(src, "proposal", [])  # the proposal is withdrawn by the next full bundle
    apply_bundle(store, build(src, tmp_path / "2.wtdc.zip", sequence=2))
    assert table_fingerprint(store, DELEGATION_TABLES) == before
    assert record_marks.is_starred(store, "proposal", pid)
    assert record_marks.notes_for(store, "proposal", pid)[0]["body"] == "Soutenir, avec amendements."


def test_rollback_and_conflicting_manifest_are_refused(store, src, tmp_path):
    apply_bundle(store, build(src, tmp_path / "5.wtdc.zip", sequence=5))
    before = table_fingerprint(store)
    with pytest.raises(BundleRefused, match="rollback"):
        apply_bundle(store, build(src, tmp_path / "4.wtdc.zip", sequence=4))
    set_header(src, created_at="2020-06-01T00:00:00Z", sequence=5)
    with pytest.raises(BundleRefused, match="different manifest"):
        apply_bundle(store, build(src, tmp_path / "5b.wtdc.zip"))
    assert table_fingerprint(store) == before


# --- bad input: one clear sentence, non-zero exit, store unchanged ---------------------------


def _tamper_zip(path: Path, out: Path, edit) -> Path:
    with zipfile.ZipFile(path) as zin:
        members = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    edit(members)
    with zipfile.ZipFile(out, "w") as zout:
        for name, data in members.items():
            zout.writestr(name, data)
    return out


def _bad_bundles(src: Path, tmp: Path) -> dict[str, tuple[Path, str]]:
    good = build(src, tmp / "good.wtdc.zip", sequence=2)
    cases = {}

    def wrong_hash(m):
        m["records/region.jsonl"] = m["records/region.jsonl"].replace(b"Afrique", b"Afriqua")

    cases["wrong hash"] = (_tamper_zip(good, tmp / "hash.wtdc.zip", wrong_hash),
                           "records/region.jsonl” does not match its SHA-256")

    def missing(m):
        del m["records/session.jsonl"]

    cases["missing member"] = (_tamper_zip(good, tmp / "missing.wtdc.zip", missing),
                               "records/session.jsonl” listed in the manifest is missing")

    def newer(m):
        manifest = json.loads(m["manifest.json"])
        manifest["format_version"] = 2
        m["manifest.json"] = json.dumps(manifest).encode()

    cases["unknown format version"] = (_tamper_zip(good, tmp / "v2.wtdc.zip", newer), "update WTDC Desktop")

    def rewrite(name, fn, label):
        def edit(m):
            lines = m[name].decode().splitlines()
            rec = json.loads(lines[1])
            fn(rec)
            lines[1] = json.dumps(rec, ensure_ascii=False)
            data = ("\n".join(lines) + "\n").encode()
            m[name] = data
            manifest = json.loads(m["manifest.json"])
            import hashlib

            for entry in manifest["records"]:
                if entry["path"] == name:
                    entry["size"], entry["sha256"] = len(data), hashlib.sha256(data).hexdigest()
            m["manifest.json"] = json.dumps(manifest).encode()
        return _tamper_zip(good, tmp / f"{label}.wtdc.zip", edit)

    cases["missing required field"] = (
        rewrite("records/proposal.jsonl", lambda r: r.pop("action"), "noaction"),
        "records/proposal.jsonl, line 2, field “action”: is required")
    cases["date-time without offset"] = (
        rewrite("records/session.jsonl", lambda r: r.update(starts_at="2021-11-08T09:30:00"), "naive"),
        "records/session.jsonl, line 2, field “starts_at”: a date-time must carry an offset")
    return cases


@pytest.mark.parametrize("case", ["wrong hash", "missing member", "unknown format version",
                                  "missing required field", "date-time without offset"])
def test_bad_bundle_is_refused_with_one_clear_sentence(case, data_dir, src, tmp_path):
    code, _, _ = run_cli("demo", "--data-dir", data_dir)
    assert code == 0
    from wtdc_desktop.store import Store

    with Store(data_dir) as s:
        before = table_fingerprint(s)
    path, expected = _bad_bundles(src, tmp_path)[case]
    code, out, err = run_cli("sync", path, "--data-dir", data_dir)
    assert code != 0
    assert expected in err, err
    assert str(path) in err
    assert len(err.strip().splitlines()) == 1
    with Store(data_dir) as s:
        assert table_fingerprint(s) == before


def test_malformed_symbol_on_the_command_line():
    code, out, err = run_cli("symbol", "WTDC-21/2x5")
    assert code != 0
    assert "“WTDC-21/2x5” is not a valid ITU document symbol" in err


def test_unwritable_data_dir_on_the_command_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, out, err = run_cli("demo", "--data-dir", blocker / "data")
    assert code != 0 and "not writable" in err and len(err.strip().splitlines()) == 1


def test_newer_store_on_the_command_line(data_dir):
    import sqlite3

    run_cli("demo", "--data-dir", data_dir)
    conn = sqlite3.connect(data_dir / "store.sqlite3")
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    code, out, err = run_cli("stats", "--data-dir", data_dir)
    assert code != 0 and "newer version of WTDC Desktop" in err


def test_bundle_build_validates_what_it_writes(src, tmp_path):
    sessions = read_records(src, "session")
    sessions[0]["ends_at"] = "2021-11-08 12:00"
    write_records(src, "session", sessions)
    code, out, err = run_cli("bundle", "build", src, "--out", tmp_path / "x.wtdc.zip")
    assert code != 0 and "field “ends_at”" in err
    assert not (tmp_path / "x.wtdc.zip").exists()


def test_bundle_build_round_trip_of_the_spec_example(example_bundle, tmp_path, data_dir):
    out = tmp_path / "ex.wtdc.zip"
    code, _, err = run_cli("bundle", "build", example_bundle, "--out", out)
    assert code == 0, err
    code, out_text, err = run_cli("sync", out, "--data-dir", data_dir)
    assert code == 0, err
    assert "proposal" in out_text
    code, out_text, _ = run_cli("list", "document", "--json", "--data-dir", data_dir)
    doc = json.loads(out_text)[0]
    assert (doc["number"], doc["revision"], doc["addendum"], doc["corrigendum"]) == (12, None, 1, None)


def test_documents_list_in_symbol_order(store, tmp_path):
    src = tmp_path / "s"
    (src / "records").mkdir(parents=True)
    ids = ["WTDC-17/23(Add.10)", "WTDC-17/5", "WTDC-17/23(Add.9)", "WTDC-17/23"]
    write_records(src, "document", [{"id": i, "meeting": "WTDC-17", "title": f"Doc {i}"} for i in ids])
    (src / "manifest.json").write_text(json.dumps({"publisher": {"id": "p"}, "channel": "c", "sequence": 1,
                                                   "created_at": "2021-01-01T00:00:00Z"}))
    build_bundle(src, tmp_path / "b.wtdc.zip")
    apply_bundle(store, tmp_path / "b.wtdc.zip")
    assert [d["id"] for d in published.list_records(store, "document")] == [
        "WTDC-17/5", "WTDC-17/23", "WTDC-17/23(Add.9)", "WTDC-17/23(Add.10)"]
