"""The registry of record types (domain/records.py): it matches the store's tables, its labels are
translatable messages, its references name known types, and what is derived from it (the store's
columns, list views, detail labels, the CLI's table) follows it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wtdc_desktop.domain.records import PUBLISHED_TYPES, RecordError, field_labels, reference_fields

ROOT = Path(__file__).resolve().parents[2]
META = ("raw", "content_hash", "bundle_seq", "changed_sync", "first_sync", "channel", "withdrawn", "withdrawn_sync")


@pytest.mark.parametrize("type_name", PUBLISHED_TYPES)
def test_the_registry_columns_are_the_live_store_columns(store, type_name):
    """Adding a field means adding its column in the registry and in a migration: this catches one
    without the other."""
    rtype = PUBLISHED_TYPES[type_name]
    live = [(row["name"], row["type"]) for row in store.execute(f"PRAGMA table_info({type_name})")
            if row["name"] != "rid" and row["name"] not in META]
    declared = [(c.name, c.sql) for c in rtype.columns] + [(name, "TEXT") for name in rtype.store_only]
    assert live == declared


@pytest.mark.parametrize("type_name", PUBLISHED_TYPES)
def test_list_columns_order_and_table_name_what_the_type_holds(type_name):
    rtype = PUBLISHED_TYPES[type_name]
    names = [c.name for c in rtype.columns]
    assert rtype.list_columns[0] == "id" and rtype.title_column in names
    assert set(rtype.list_columns) <= set(names)
    assert all(rtype.column_label(c) for c in rtype.list_columns)  # every list column has a header
    words = set(re.findall(r"[a-z_]+", rtype.order_by)) - {"coalesce"}
    assert words <= set(names), rtype.order_by
    assert rtype.table[0] == "id" and set(rtype.table) <= set(rtype.fields)
    assert set(rtype.required) <= set(rtype.fields)
    assert set(rtype.markdown) <= set(rtype.fields)
    assert [f.name for f in rtype.specs] == list(rtype.fields)  # the checks are the fields'


def test_references_name_known_types():
    refs = reference_fields()
    assert refs  # the detail pane links these
    for (type_name, field), target in refs.items():
        assert target in PUBLISHED_TYPES, (type_name, field)
        assert PUBLISHED_TYPES[type_name].spec(field).kind in ("reference", "list")


def test_one_label_per_field_name():
    """The detail pane labels fields by name: a name means the same thing in every type."""
    for rtype in PUBLISHED_TYPES.values():
        for f in rtype.specs:
            if f.label:
                assert field_labels()[f.name] == f.label, (rtype.name, f.name)


def test_coded_values_have_a_word_for_every_code():
    for rtype in PUBLISHED_TYPES.values():
        for f in rtype.specs:
            if f.kind == "enum" and f.values:
                for code in f.values:
                    f.check(code, f.name)  # a word for a code the type does not have would be dead
                with pytest.raises(RecordError):
                    f.check("no-such-code", f.name)
                assert rtype.value_label(f.name, next(iter(f.values))) == f.values[next(iter(f.values))]


def test_every_label_is_a_message_of_the_catalog():
    from babel.messages.pofile import read_po

    with open(ROOT / "i18n" / "wtdc_desktop.pot", "rb") as fh:
        ids = {m.id for m in read_po(fh) if m.id}
    labels = set()
    for rtype in PUBLISHED_TYPES.values():
        labels |= {rtype.label, rtype.plural}
        for f in rtype.specs:
            labels |= {f.label, *f.values.values()} - {""}
        labels |= {c.label for c in rtype.columns if c.label}
    missing = sorted(labels - ids)
    assert not missing, missing


def test_storage_values_fill_every_column_but_id(store):
    record = {"id": "WTDC-25/12(Rev.1)", "meeting": "WTDC-25", "title": "T", "languages": {"en": {"file": "a"}}}
    values = PUBLISHED_TYPES["document"].storage_values(record)
    assert list(values) == [c.name for c in PUBLISHED_TYPES["document"].columns if c.name != "id"]
    assert values["sym_number"] == 12 and values["sym_revision"] == 1 and values["languages"] == '{"en": {"file": "a"}}'
    proposal = PUBLISHED_TYPES["proposal"].storage_values(
        {"id": "P", "target": {"type": "resolution", "id": 37}, "cost": {"amount": 5.0}})
    assert (proposal["target_type"], proposal["target_id"], proposal["cost_amount"], proposal["cost_currency"]) == (
        "resolution", "37", 5.0, None)
    session = PUBLISHED_TYPES["session"].storage_values({"id": "S", "starts_at": "2025-11-17T10:00:00+03:00"})
    assert session["starts_at"] == "2025-11-17T07:00:00Z" and session["ends_at"] is None


def test_a_record_read_back_carries_the_registry_read_back_fields(demo_store):
    from wtdc_desktop.store import published

    doc = published.list_records(demo_store, "document", limit=1)[0]
    assert {"number", "revision", "addendum", "corrigendum", "withdrawn"} <= set(doc)


def test_list_model_headers_follow_the_registry(demo_store, qapp):
    from PySide6.QtCore import Qt

    from wtdc_desktop.ui.models import RecordTableModel

    for type_name, rtype in PUBLISHED_TYPES.items():
        model = RecordTableModel(demo_store, type_name)
        headers = [model.headerData(i, Qt.Horizontal) for i in range(model.columnCount())]
        assert headers[0] == ""
        assert headers[1:] == [rtype.column_label(c) for c in rtype.list_columns]  # English: msgid as is


def test_the_detail_pane_labels_and_words_come_from_the_registry():
    from wtdc_desktop.domain.render import record_detail_html

    labels = field_labels()
    html = record_detail_html("resolution", {"id": "WTDC/1", "title": "T", "links": [{"to": "PP/2", "kind": "related"}],
                                             "body": "WTDC"}, labels=labels)
    assert "Links" in html and "(related)" in html and "Body" in html
    html = record_detail_html("proposal", {"id": "P1", "target": {"type": "question", "id": "1/1"},
                                           "document": "D/1"}, labels=labels)
    assert "Question 1/1" in html and 'href="wtdc:' in html
    assert PUBLISHED_TYPES["session"].value_label("status", "cancelled") == "cancelled"
    assert PUBLISHED_TYPES["session"].value_label("room", "cancelled") is None
    assert PUBLISHED_TYPES["meeting"].value_label("kind", "rpm") == "regional preparatory meeting"


def test_a_records_hash_and_its_json_columns_are_the_documented_serialisations():
    """The content hash covers the canonical JSON (sorted keys, no spaces, text as is), which other
    publishers compute too; list and object columns hold ``json.dumps(v, ensure_ascii=False,
    sort_keys=True)``. Both are made by encoders built once: the output must not differ."""
    import hashlib
    import json

    from wtdc_desktop.domain.records import PUBLISHED_TYPES, canonical_json, content_hash

    record = {"id": "WTDC-25/12(Add.3)-R", "title": "Connectivité — 宽带 «рус» \u0627\u0644\u0639\u0631\u0628\u064a\u0629 😀",
              "languages": {"zh": {"file": "files/12.pdf", "title": "标题"}, "en": {"file": "files/12-e.pdf"}},
              "related": ["WTDC/37", "Q1/1"], "cost": {"amount": 1.5e16, "currency": "CHF"}, "count": 10 ** 20,
              "flag": True, "none": None, "quote": "a \"b\" \\ c\n\t\u0001"}
    expected = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert canonical_json(record) == expected
    assert content_hash(record) == hashlib.sha256(expected.encode("utf-8")).hexdigest()
    columns = PUBLISHED_TYPES["document"].storage_values(record)
    assert columns["languages"] == json.dumps(record["languages"], ensure_ascii=False, sort_keys=True)
    assert columns["related"] == json.dumps(record["related"], ensure_ascii=False, sort_keys=True)
