"""Exporting a list of records to CSV and JSON (through sqlite-utils), in the list's columns and order."""

from __future__ import annotations

import csv
import json

import pytest

from wtdc_desktop.domain.records import PUBLISHED_TYPES
from wtdc_desktop.store import published
from wtdc_desktop.store.export import export_list


def test_csv_has_the_list_views_columns_in_the_lists_order(demo_store, tmp_path):
    out = tmp_path / "documents.csv"
    count = export_list(demo_store, "document", out)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # spreadsheets then read UTF-8
    with out.open(encoding="utf-8-sig", newline="") as fp:
        rows = list(csv.reader(fp))
    assert rows[0] == list(PUBLISHED_TYPES["document"].list_columns)
    assert count == len(rows) - 1 == published.counts(demo_store)["document"]
    assert [r[0] for r in rows[1:]] == [d["id"] for d in published.list_records(demo_store, "document")]


def test_json_is_a_list_of_objects_and_keeps_accents(demo_store, tmp_path):
    out = tmp_path / "proposals.json"
    count = export_list(demo_store, "proposal", out, columns=["id", "title", "action"])
    text = out.read_text("utf-8")
    records = json.loads(text)
    expected = published.list_records(demo_store, "proposal")
    assert count == len(records) == len(expected) == 20
    assert records == [{"id": p["id"], "title": p.get("title"), "action": p["action"]} for p in expected]
    assert "\\u00e9" not in text and any("é" in (r["title"] or "") for r in records)


def test_withdrawn_records_only_when_asked_and_one_meeting(demo_store, tmp_path):
    first = published.list_records(demo_store, "proposal")[0]["id"]
    with demo_store.transaction() as conn:
        conn.execute("UPDATE proposal SET withdrawn = 1 WHERE id = ?", (first,))
    assert export_list(demo_store, "proposal", tmp_path / "p.json") == 19
    assert export_list(demo_store, "proposal", tmp_path / "p.json", include_withdrawn=True) == 20
    meeting = published.list_records(demo_store, "document")[0]["meeting"]
    expected = [d["id"] for d in published.list_records(demo_store, "document", meeting=meeting)]
    export_list(demo_store, "document", tmp_path / "d.json", meeting=meeting)
    assert [d["id"] for d in json.loads((tmp_path / "d.json").read_text("utf-8"))] == expected


def test_bad_arguments_are_refused_and_write_nothing(demo_store, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ValueError, match="not columns of proposal: nonsense"):
        export_list(demo_store, "proposal", out / "p.csv", columns=["id", "nonsense"])
    with pytest.raises(ValueError, match="unknown export format"):
        export_list(demo_store, "proposal", out / "p.xlsx")
    with pytest.raises(ValueError, match="unknown record type"):
        export_list(demo_store, "my_note", out / "n.csv")
    assert list(out.iterdir()) == []


def test_the_stores_connection_keeps_its_settings(demo_store, tmp_path):
    before = demo_store.execute("PRAGMA recursive_triggers").fetchone()[0]
    export_list(demo_store, "region", tmp_path / "r.csv")
    assert demo_store.execute("PRAGMA recursive_triggers").fetchone()[0] == before == 0
    assert not demo_store.conn.in_transaction


def test_list_out_writes_the_file_from_the_command_line(demo_store, tmp_path):
    from helpers import run_cli

    out = tmp_path / "proposals.csv"
    code, stdout, err = run_cli("list", "proposal", "--out", out, "--data-dir", demo_store.data_dir)
    assert code == 0, err
    assert "20 records" in stdout
    with out.open(encoding="utf-8-sig", newline="") as fp:
        rows = list(csv.reader(fp))
    assert rows[0] == list(PUBLISHED_TYPES["proposal"].list_columns) and len(rows) == 21

    code, stdout, err = run_cli("list", "document", "--out", tmp_path / "d.json", "--columns", "id,nope",
                                "--data-dir", demo_store.data_dir)
    assert code != 0 and "nope" in err and "Traceback" not in err
    assert not (tmp_path / "d.json").exists()
    code, _out, err = run_cli("list", "position", "--out", tmp_path / "p.csv", "--data-dir", demo_store.data_dir)
    assert code != 0 and not (tmp_path / "p.csv").exists()
