"""Delegation bundles (spec §8): export, import on a colleague's machine, conflicts kept for the user."""

from __future__ import annotations

import json
import shutil

import pytest

from helpers import DEMO_BUNDLE, run_cli, table_fingerprint
from wtdc_desktop.bundles.delegation import export_delegation, import_delegation
from wtdc_desktop.bundles.errors import BundleRefused
from wtdc_desktop.store import Store, delegation_merge, fulltext, positions, published, record_marks

#: The tables a bundle publishes into: a delegation import never writes them.
PUBLISHED = ["region", "organization", "meeting", "committee", "document", "resolution", "question", "proposal",
             "session", "contact", "priority", "deadline", "record_version", "record_channel", "document_file",
             "channel_state", "applied_bundle"]


@pytest.fixture
def machines(_demo_store_template, tmp_path):
    """Two delegates' machines (A exports, B imports), both with the demo applied."""
    stores = []
    for name in ("a", "b"):
        dest = tmp_path / name
        shutil.copytree(_demo_store_template, dest)
        stores.append(Store(dest))
    yield stores
    for s in stores:
        s.close()


def _assign(store, session_id: str, member: str, role: str = "lead") -> None:
    with store.transaction() as conn:
        conn.execute("INSERT OR IGNORE INTO my_member (name) VALUES (?)", (member,))
        conn.execute("INSERT INTO my_assignment (id, session, member, role, updated_at) VALUES (?, ?, ?, ?, ?)",
                     (f"as-{session_id}-{member}", session_id, member, role, "2021-11-01T08:00:00Z"))


def _ids(store, type_name: str) -> list[str]:
    return [r["id"] for r in published.list_records(store, type_name)]


@pytest.fixture
def shared(machines, tmp_path):
    """A wrote a position, a note and an assignment, exported them, and B imported the bundle."""
    a, b = machines
    proposal = _ids(a, "proposal")[0]
    session = _ids(a, "session")[0]
    positions.save_position(a, "proposal", proposal, stance="support", brief="Soutenir la rationalisation",
                            priority="high")
    note = record_marks.save_note(a, "proposal", proposal, "Vérifier le coût avec la capitale")
    _assign(a, session, "Amina")
    first = export_delegation(a, tmp_path / "kenya-1.wtdc.zip", delegation="KEN", member="Amina")
    result = import_delegation(b, tmp_path / "kenya-1.wtdc.zip")
    return {"a": a, "b": b, "proposal": proposal, "session": session, "note": note, "first": first,
            "import": result, "tmp": tmp_path}


def test_round_trip_to_a_second_store(shared):
    a, b, first = shared["a"], shared["b"], shared["first"]
    assert (first.publisher, first.channel, first.sequence) == ("delegation-ken", "amina", 1)
    assert first.counts == {"position": 1, "note": 1, "assignment": 1}
    result = shared["import"]
    assert result.outcome == "imported" and result.conflicts == []
    assert {t: c["new"] for t, c in result.counts.items()} == {"assignment": 1, "note": 1, "position": 1}
    # B now holds exactly what A exported
    assert delegation_merge.export_records(b) == delegation_merge.export_records(a)
    position = positions.position_for(b, "proposal", shared["proposal"])
    assert (position["stance"], position["priority"], position["origin"]) == (
        "support", "high", "delegation-ken/amina")
    assert [n["body"] for n in record_marks.notes_for(b, "proposal", shared["proposal"])] == [
        "Vérifier le coût avec la capitale"]
    # imported briefs and notes are searchable, and the position's history records the import
    assert {h.type for h in fulltext.search(b, "capitale")} == {"note"}
    assert len(positions.history_for(b, "proposal", shared["proposal"])) == 1


def test_import_touches_no_published_table(machines, tmp_path):
    a, b = machines
    positions.save_position(a, "proposal", _ids(a, "proposal")[1], stance="oppose")
    export_delegation(a, tmp_path / "k.wtdc.zip", delegation="KEN")
    before = table_fingerprint(b, PUBLISHED)
    import_delegation(b, tmp_path / "k.wtdc.zip")
    assert table_fingerprint(b, PUBLISHED) == before
    assert positions.position_for(b, "proposal", _ids(a, "proposal")[1])["stance"] == "oppose"


def test_same_bundle_again_is_already_applied(shared):
    b = shared["b"]
    before = table_fingerprint(b)
    code, out, err = run_cli("import-delegation", shared["tmp"] / "kenya-1.wtdc.zip", "--data-dir", b.data_dir)
    assert code == 0, err
    assert "already imported" in out
    assert table_fingerprint(b) == before


def test_remote_edit_is_taken_when_the_local_copy_is_unchanged(shared):
    a, b, tmp = shared["a"], shared["b"], shared["tmp"]
    positions.save_position(a, "proposal", shared["proposal"], brief="Soutenir, avec amendements", stance="support_with_amendments")
    second = export_delegation(a, tmp / "kenya-2.wtdc.zip")  # the delegation is remembered
    assert (second.publisher, second.channel, second.sequence) == ("delegation-ken", "amina", 2)
    result = import_delegation(b, tmp / "kenya-2.wtdc.zip")
    assert result.conflicts == [] and result.counts["position"]["changed"] == 1
    position = positions.position_for(b, "proposal", shared["proposal"])
    assert (position["stance"], position["brief"]) == ("support_with_amendments", "Soutenir, avec amendements")
    history = positions.history_for(b, "proposal", shared["proposal"])
    assert [h["stance"] for h in history] == ["support", "support_with_amendments"]


def test_both_edited_keeps_local_and_lists_the_conflict(shared):
    a, b, tmp = shared["a"], shared["b"], shared["tmp"]
    positions.save_position(a, "proposal", shared["proposal"], brief="Version de la capitale")
    export_delegation(a, tmp / "kenya-2.wtdc.zip")
    positions.save_position(b, "proposal", shared["proposal"], brief="Version de la salle")
    before_mine = table_fingerprint(b, ["my_position", "my_note", "my_assignment"])
    code, out, err = run_cli("import-delegation", tmp / "kenya-2.wtdc.zip", "--data-dir", b.data_dir)
    assert code == 0, err
    assert "conflicts" in err
    # nothing local was overwritten
    assert positions.position_for(b, "proposal", shared["proposal"])["brief"] == "Version de la salle"
    assert table_fingerprint(b, ["my_position", "my_note", "my_assignment"]) == before_mine
    code, out, err = run_cli("conflicts", "--json", "--data-dir", b.data_dir)
    assert code == 0, err
    conflicts = json.loads(out)
    assert len(conflicts) == 1
    conflict = conflicts[0]
    assert (conflict["kind"], conflict["type"], conflict["channel"]) == (
        "delegation_edit", "position", "delegation-ken/amina")
    assert conflict["local"]["brief"] == "Version de la salle"
    assert conflict["remote"]["brief"] == "Version de la capitale"
    assert conflict["fields"] == ["brief"]


@pytest.mark.parametrize("keep, expected", [("remote", "Version de la capitale"), ("local", "Version de la salle")])
def test_resolving_a_conflict(shared, keep, expected):
    a, b, tmp = shared["a"], shared["b"], shared["tmp"]
    positions.save_position(a, "proposal", shared["proposal"], brief="Version de la capitale")
    export_delegation(a, tmp / "kenya-2.wtdc.zip")
    positions.save_position(b, "proposal", shared["proposal"], brief="Version de la salle")
    result = import_delegation(b, tmp / "kenya-2.wtdc.zip")
    conflict_id = result.conflicts[0]["conflict_id"]
    code, out, err = run_cli("resolve-conflict", conflict_id, "--keep", keep, "--data-dir", b.data_dir)
    assert code == 0, err
    assert positions.position_for(b, "proposal", shared["proposal"])["brief"] == expected
    assert json.loads(run_cli("conflicts", "--json", "--data-dir", b.data_dir)[1]) == []
    # resolved once: a second time is an error
    code, out, err = run_cli("resolve-conflict", conflict_id, "--keep", keep, "--data-dir", b.data_dir)
    assert code != 0 and err.startswith("error:")
    # the same colleague's version in the next bundle raises no new conflict
    positions.save_position(a, "proposal", _ids(a, "proposal")[2], stance="neutral")
    export_delegation(a, tmp / "kenya-3.wtdc.zip")
    result = import_delegation(b, tmp / "kenya-3.wtdc.zip")
    assert result.conflicts == []
    assert positions.position_for(b, "proposal", shared["proposal"])["brief"] == expected


def test_a_conflict_settled_elsewhere_is_not_raised_again(shared):
    """However a conflict was settled (field by field in the positions view), the same version stays settled."""
    a, b, tmp = shared["a"], shared["b"], shared["tmp"]
    positions.save_position(a, "proposal", shared["proposal"], brief="Version de la capitale")
    export_delegation(a, tmp / "kenya-2.wtdc.zip")
    positions.save_position(b, "proposal", shared["proposal"], brief="Version de la salle")
    conflict_id = import_delegation(b, tmp / "kenya-2.wtdc.zip").conflicts[0]["conflict_id"]
    with b.transaction() as conn:  # as another resolver does: mark it settled, leave the merge state alone
        conn.execute("UPDATE my_conflict SET resolved_at = '2021-11-09T10:00:00Z', resolution = 'merged' "
                     "WHERE conflict_id = ?", (conflict_id,))
    export_delegation(a, tmp / "kenya-3.wtdc.zip")  # A's version of that position unchanged
    result = import_delegation(b, tmp / "kenya-3.wtdc.zip")
    assert result.conflicts == []
    assert positions.position_for(b, "proposal", shared["proposal"])["brief"] == "Version de la salle"


def test_a_colleague_who_changes_nothing_never_overwrites_a_local_edit(shared):
    a, b, tmp = shared["a"], shared["b"], shared["tmp"]
    record_marks.save_note(b, "proposal", shared["proposal"], "Modifié ici", note_id=shared["note"])
    export_delegation(a, tmp / "kenya-2.wtdc.zip")  # A exports again, the note unchanged there
    result = import_delegation(b, tmp / "kenya-2.wtdc.zip")
    assert result.conflicts == []
    assert [n["body"] for n in record_marks.notes_for(b, "proposal", shared["proposal"])] == ["Modifié ici"]


def test_edits_travel_back_on_the_same_stream(shared):
    """B edits and exports; A, unchanged since its own export, takes B's version without a conflict."""
    a, b, tmp = shared["a"], shared["b"], shared["tmp"]
    record_marks.save_note(b, "proposal", shared["proposal"], "Complété par B", note_id=shared["note"])
    back = export_delegation(b, tmp / "from-b.wtdc.zip", delegation="KEN", member="baraka")
    assert (back.channel, back.sequence) == ("baraka", 1)  # B's own stream
    result = import_delegation(a, tmp / "from-b.wtdc.zip")
    assert result.conflicts == []
    assert [n["body"] for n in record_marks.notes_for(a, "proposal", shared["proposal"])] == ["Complété par B"]


def test_a_record_the_colleague_deleted(shared):
    a, b, tmp = shared["a"], shared["b"], shared["tmp"]
    record_marks.delete_note(a, shared["note"])
    export_delegation(a, tmp / "kenya-2.wtdc.zip")
    result = import_delegation(b, tmp / "kenya-2.wtdc.zip")
    assert result.counts["note"]["deleted"] == 1
    assert record_marks.notes_for(b, "proposal", shared["proposal"]) == []


def test_a_record_the_colleague_deleted_but_changed_here_is_kept(shared):
    a, b, tmp = shared["a"], shared["b"], shared["tmp"]
    record_marks.delete_note(a, shared["note"])
    export_delegation(a, tmp / "kenya-2.wtdc.zip")
    record_marks.save_note(b, "proposal", shared["proposal"], "Encore utile", note_id=shared["note"])
    import_delegation(b, tmp / "kenya-2.wtdc.zip")
    assert [n["body"] for n in record_marks.notes_for(b, "proposal", shared["proposal"])] == ["Encore utile"]


def test_sequence_rules(shared):
    a, b, tmp = shared["a"], shared["b"], shared["tmp"]
    export_delegation(a, tmp / "kenya-2.wtdc.zip")
    export_delegation(a, tmp / "kenya-3.wtdc.zip")
    import_delegation(b, tmp / "kenya-3.wtdc.zip")
    before = table_fingerprint(b)
    # an older sequence than the last imported is a rollback
    code, out, err = run_cli("import-delegation", tmp / "kenya-2.wtdc.zip", "--data-dir", b.data_dir)
    assert code == 3 and "rollback" in err and "kenya-2.wtdc.zip" in err
    # one imported before is simply already there
    code, out, err = run_cli("import-delegation", tmp / "kenya-1.wtdc.zip", "--data-dir", b.data_dir)
    assert code == 0 and "already imported" in out
    # a different bundle under a sequence already imported
    positions.save_position(a, "proposal", shared["proposal"], stance="oppose")
    export_delegation(a, tmp / "other-3.wtdc.zip", sequence=3)
    code, out, err = run_cli("import-delegation", tmp / "other-3.wtdc.zip", "--data-dir", b.data_dir)
    assert code == 3 and "different manifest" in err
    assert table_fingerprint(b) == before
    # an explicit sequence is remembered: the next export follows it
    assert export_delegation(a, tmp / "k10.wtdc.zip", sequence=10).sequence == 10
    assert export_delegation(a, tmp / "k11.wtdc.zip").sequence == 11


def test_published_and_delegation_bundles_do_not_mix(shared, data_dir):
    tmp = shared["tmp"]
    code, out, err = run_cli("sync", tmp / "kenya-1.wtdc.zip", "--data-dir", data_dir)
    assert code == 3 and "import-delegation" in err
    code, out, err = run_cli("import-delegation", DEMO_BUNDLE, "--data-dir", data_dir)
    assert code == 3 and "not a delegation bundle" in err
    with pytest.raises(BundleRefused):
        import_delegation(shared["b"], DEMO_BUNDLE)


def test_export_needs_a_delegation(store, tmp_path):
    code, out, err = run_cli("export-delegation", "--out", tmp_path / "x.wtdc.zip", "--data-dir", store.data_dir)
    assert code == 2 and "--delegation" in err
    assert not (tmp_path / "x.wtdc.zip").exists()


def test_signed_delegation_bundle_against_a_pinned_key(shared):
    from wtdc_desktop.bundles.signing import generate_key

    a, b, tmp = shared["a"], shared["b"], shared["tmp"]
    key, pub, fingerprint = generate_key(tmp / "head.key")
    positions.save_position(a, "proposal", shared["proposal"], brief="Signé")
    code, out, err = run_cli("export-delegation", "--out", tmp / "signed-2.wtdc.zip", "--sign-key", key, "--json",
                             "--data-dir", a.data_dir)
    assert code == 0, err
    assert json.loads(out)["signed_by"] == fingerprint
    code, out, err = run_cli("import-delegation", tmp / "signed-2.wtdc.zip", "--trust", pub, "--json",
                             "--data-dir", b.data_dir)
    assert code == 0, err
    assert json.loads(out)["signed_by"] == fingerprint
    # the key is now pinned: an unsigned bundle of the delegation is refused, and one signed by another key
    export_delegation(a, tmp / "unsigned-3.wtdc.zip")
    other, _pub, _fp = generate_key(tmp / "someone.key")
    export_delegation(a, tmp / "forged-3.wtdc.zip", sign_key=other, sequence=3)
    before = table_fingerprint(b)
    for name in ("unsigned-3.wtdc.zip", "forged-3.wtdc.zip"):
        code, out, err = run_cli("import-delegation", tmp / name, "--data-dir", b.data_dir)
        assert code == 3 and name in err and err.count("\n") == 1
    assert table_fingerprint(b) == before


# --- one writer per table: the window, the command line and an import write the same rows -------------

@pytest.fixture
def three(machines, _demo_store_template, tmp_path):
    """Three machines with the demo: one edits in the window, one on the command line, one imports."""
    dest = tmp_path / "c"
    shutil.copytree(_demo_store_template, dest)
    third = Store(dest)
    yield (*machines, third)
    third.close()


def _rows(store, sql: str) -> list[tuple]:
    return [tuple(r) for r in store.execute(sql)]


def _export_import(src, dest, path) -> None:
    export_delegation(src, path, delegation="KEN", member="awa")
    assert import_delegation(dest, path).outcome == "imported"


@pytest.mark.gui
def test_position_rows_are_the_same_from_the_window_the_cli_and_an_import(three, qtbot, tmp_path):
    from wtdc_desktop.ui.positions import PositionsView

    window, cli, imported = three
    proposal = _ids(window, "proposal")[0]
    view = PositionsView(window)
    qtbot.addWidget(view)
    view.positions.open_subject("proposal", proposal)
    editor = view.positions.editor
    editor.stance.setCurrentIndex(editor.stance.findData("support"))
    editor.priority.setCurrentIndex(editor.priority.findData("high"))
    editor.owner.setText("Awa")
    editor.texts["brief"].edit.setPlainText("Soutenir")
    assert editor.save()
    (tmp_path / "brief.md").write_text("Soutenir", "utf-8")
    code, _out, err = run_cli("position", "set", "proposal", proposal, "--stance", "support", "--priority", "high",
                              "--owner", "Awa", "--brief-file", tmp_path / "brief.md", "--data-dir", cli.data_dir)
    assert code == 0, err
    _export_import(cli, imported, tmp_path / "p.wtdc.zip")

    position = ("SELECT subject_type, subject_id, stance, priority, brief, red_lines, fallback, owner, status "
                "FROM my_position")
    history = "SELECT subject_type, subject_id, data FROM my_position_history"
    expected = [("proposal", proposal, "support", "high", "Soutenir", None, None, "Awa", "draft")]
    for store in three:
        assert _rows(store, position) == expected
        assert _rows(store, history) == _rows(window, history)
        assert len(_rows(store, history)) == 1


def test_note_rows_are_the_same_from_the_window_and_an_import(machines, tmp_path):
    # The window's detail pane saves notes with record_marks.save_note (no command line writes notes).
    window, imported = machines
    proposal = _ids(window, "proposal")[0]
    record_marks.save_note(window, "proposal", proposal, "Vérifier le coût", author="Awa")
    _export_import(window, imported, tmp_path / "n.wtdc.zip")
    note = "SELECT id, subject_type, subject_id, body, author, created_at, updated_at FROM my_note"
    assert _rows(imported, note) == _rows(window, note)
    assert _rows(imported, "SELECT origin FROM my_note") == [("delegation-ken/awa",)]


def test_assignment_and_member_rows_are_the_same_from_the_window_the_cli_and_an_import(three, tmp_path):
    from wtdc_desktop.store import sessions as agenda

    window, cli, imported = three
    session = _ids(window, "session")[0]
    # the Agenda view's "Assign" button
    agenda.save_member(window, "Amina")
    agenda.assign(window, session, "Amina", "support")
    for argv in (("member", "add", "Amina"), ("assign", session, "Amina", "--role", "support")):
        code, _out, err = run_cli(*argv, "--data-dir", cli.data_dir)
        assert code == 0, err
    _export_import(cli, imported, tmp_path / "a.wtdc.zip")
    for store in three:
        assert _rows(store, "SELECT session, member, role FROM my_assignment") == [(session, "Amina", "support")]
        assert _rows(store, "SELECT name, role, languages, days_present FROM my_member") == [
            ("Amina", None, "[]", "[]")]
        assert _rows(store, "SELECT count(*) FROM my_member WHERE updated_at IS NULL") == [(0,)]


#: The one module that writes each table of the delegation's own layer.
OWNERS = {
    "my_star": "store/record_marks.py", "my_read": "store/record_marks.py", "my_note": "store/record_marks.py",
    "my_position": "store/positions.py", "my_position_history": "store/positions.py",
    "my_member": "store/sessions.py", "my_assignment": "store/sessions.py", "my_session_priority": "store/sessions.py",
    "my_session_language": "store/sessions.py",
    "my_import_state": "store/delegation_merge.py", "my_conflict": "store/delegation_merge.py",
    "my_record_version": "store/delegation_merge.py", "my_record_base": "store/delegation_merge.py",
    "my_contact": "store/contact_book.py", "my_budget": "store/budget.py", "my_overlap": "store/overlaps.py",
}


def test_each_delegation_table_has_one_writer(store):
    import re
    from pathlib import Path

    import wtdc_desktop

    tables = {r[0] for r in store.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'my\\_%' "
                                          "ESCAPE '\\'")}
    assert tables == set(OWNERS)

    root = Path(wtdc_desktop.__file__).parent
    writes = re.compile(r"\b(?:INSERT(?: OR \w+)? INTO|UPDATE|DELETE FROM)\s+(my_\w+)")
    writers: dict[str, set[str]] = {}
    for path in root.rglob("*.py"):
        rel = path.relative_to(root).as_posix()
        if rel == "store/schema.py":
            continue
        for table in writes.findall(path.read_text("utf-8")):
            writers.setdefault(table, set()).add(rel)
    assert writers == {table: {owner} for table, owner in OWNERS.items()}


# --- one stream per member: the order of export and import does not matter -------------------------

@pytest.mark.parametrize("b_exports_first", [True, False])
def test_concurrent_edits_of_the_same_field_are_a_conflict_on_both_sides(shared, b_exports_first):
    """B exports before (or after) importing A's bundle: either way both sides list the conflict."""
    a, b, tmp = shared["a"], shared["b"], shared["tmp"]
    positions.save_position(a, "proposal", shared["proposal"], brief="Version de la capitale")
    from_a = export_delegation(a, tmp / "from-a.wtdc.zip")
    positions.save_position(b, "proposal", shared["proposal"], brief="Version de la salle")
    if b_exports_first:
        from_b = export_delegation(b, tmp / "from-b.wtdc.zip", delegation="KEN")
        assert import_delegation(b, tmp / "from-a.wtdc.zip").counts["position"]["conflicts"] == 1
    else:
        assert import_delegation(b, tmp / "from-a.wtdc.zip").counts["position"]["conflicts"] == 1
        from_b = export_delegation(b, tmp / "from-b.wtdc.zip", delegation="KEN")
    # each member publishes on its own stream, lower case
    assert from_a.publisher == from_b.publisher == "delegation-ken"
    assert from_a.channel != from_b.channel
    assert import_delegation(a, tmp / "from-b.wtdc.zip").counts["position"]["conflicts"] == 1
    for store, mine, theirs in ((a, "Version de la capitale", "Version de la salle"),
                                (b, "Version de la salle", "Version de la capitale")):
        code, out, err = run_cli("conflicts", "--json", "--data-dir", store.data_dir)
        assert code == 0, err
        [conflict] = json.loads(out)
        assert conflict["fields"] == ["brief"]
        assert (conflict["local"]["brief"], conflict["remote"]["brief"]) == (mine, theirs)
        assert positions.position_for(store, "proposal", shared["proposal"])["brief"] == mine


def test_changes_to_different_fields_of_a_record_merge(shared):
    a, b, tmp = shared["a"], shared["b"], shared["tmp"]
    positions.save_position(a, "proposal", shared["proposal"], stance="oppose")
    export_delegation(a, tmp / "from-a.wtdc.zip")
    positions.save_position(b, "proposal", shared["proposal"], brief="Précisé en salle")
    export_delegation(b, tmp / "from-b.wtdc.zip", delegation="KEN")
    assert import_delegation(b, tmp / "from-a.wtdc.zip").conflicts == []
    assert import_delegation(a, tmp / "from-b.wtdc.zip").conflicts == []
    for store in (a, b):
        position = positions.position_for(store, "proposal", shared["proposal"])
        assert (position["stance"], position["brief"]) == ("oppose", "Précisé en salle")


def _legacy_bundle(tmp, records: dict[str, list[dict]], sequence: int, key=None):
    """A delegation bundle as written before per-member streams: publisher ``delegation-KEN``, channel
    ``delegation`` (the writer refuses an upper-case id (spec §2): the manifest is rewritten as the old one was)."""
    import zipfile

    from wtdc_desktop.bundles.signing import encode_public_key, raw_public_key, sign_manifest
    from wtdc_desktop.bundles.writer import Header, build_bundle

    src = tmp / f"legacy-src-{sequence}"
    (src / "records").mkdir(parents=True)
    for type_name, items in records.items():
        (src / "records" / f"{type_name}.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in items), encoding="utf-8")
    modern = tmp / f"modern-{sequence}.wtdc.zip"
    build_bundle(src, modern, Header(publisher_id="delegation-ken", channel="delegation", sequence=sequence,
                                     kind="full"))
    out = tmp / f"legacy-{sequence}.wtdc.zip"
    with zipfile.ZipFile(modern) as zin, zipfile.ZipFile(out, "w") as zout:
        manifest = json.loads(zin.read("manifest.json"))
        manifest["publisher"] = {"id": "delegation-KEN", "name": "delegation-KEN"}
        if key is not None:
            manifest["publisher"]["public_key"] = encode_public_key(raw_public_key(key))
        data = json.dumps(manifest, indent=1).encode()
        zout.writestr("manifest.json", data)
        if key is not None:
            zout.writestr("manifest.json.sig", sign_manifest(data, key))
        for name in zin.namelist():
            if name not in ("manifest.json", "manifest.json.sig"):
                zout.writestr(name, zin.read(name))
    return out


def test_legacy_upper_case_delegation_bundles_continue_their_stream(machines, tmp_path):
    """Merge state kept under ``delegation-KEN`` is re-keyed by the schema migration; old bundles still import."""
    from wtdc_desktop.store import schema

    a, b = machines
    proposal = _ids(b, "proposal")[0]
    record = {"id": "pos-1", "subject": {"type": "proposal", "id": proposal}, "stance": "support",
              "updated_at": "2021-11-08T07:00:00Z"}
    assert import_delegation(b, _legacy_bundle(tmp_path, {"position": [record]}, 1)).outcome == "imported"
    # as a store written before schema 11 holds it: upper-case stream keys, no version tables
    data_dir = b.data_dir
    with b.transaction() as conn:
        conn.execute("UPDATE my_import_state SET channel = 'delegation-KEN/delegation'")
        conn.execute("UPDATE setting SET key = 'delegation_import:delegation-KEN/delegation' "
                     "WHERE key = 'delegation_import:delegation-ken/delegation'")
        for table in ("my_record_version", "my_record_base", "team_member"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("PRAGMA user_version = 10")
    b.close()
    b = Store(data_dir)
    assert b.schema_version() == schema.LATEST_VERSION
    assert {r[0] for r in b.execute("SELECT channel FROM my_import_state")} == {"delegation-ken/delegation"}
    # the same old bundle again is already imported; the next one continues the stream
    assert import_delegation(b, tmp_path / "legacy-1.wtdc.zip").outcome == "already_applied"
    changed = _legacy_bundle(tmp_path, {"position": [{**record, "stance": "oppose"}]}, 2)
    result = import_delegation(b, changed)
    assert result.counts["position"]["changed"] == 1 and result.conflicts == []
    assert positions.position_for(b, "proposal", proposal)["stance"] == "oppose"
    b.close()


def test_signed_legacy_bundles_are_checked_on_their_original_manifest(machines, tmp_path):
    from wtdc_desktop.bundles.signing import generate_key, load_private_key

    a, b = machines
    proposal = _ids(b, "proposal")[0]
    record = {"id": "pos-1", "subject": {"type": "proposal", "id": proposal}, "stance": "support",
              "updated_at": "2021-11-08T07:00:00Z"}
    key_file, pub, fingerprint = generate_key(tmp_path / "head.key")
    signed = _legacy_bundle(tmp_path, {"position": [record]}, 1, key=load_private_key(key_file))
    code, out, err = run_cli("import-delegation", signed, "--trust", pub, "--json", "--data-dir", b.data_dir)
    assert code == 0, err
    assert (json.loads(out)["signed_by"], json.loads(out)["publisher"]) == (fingerprint, "delegation-ken")
    # the key is pinned for delegation-ken: an unsigned legacy bundle, or a forged one, is refused
    before = table_fingerprint(b)
    unsigned = _legacy_bundle(tmp_path / "u", {"position": [{**record, "stance": "oppose"}]}, 2)
    other, _pub, _fp = generate_key(tmp_path / "other.key")
    forged = _legacy_bundle(tmp_path / "f", {"position": [{**record, "stance": "oppose"}]}, 2,
                            key=load_private_key(other))
    for bundle in (unsigned, forged):
        code, out, err = run_cli("import-delegation", bundle, "--data-dir", b.data_dir)
        assert code == 3 and "refused" in err and "Traceback" not in err
    assert table_fingerprint(b) == before
