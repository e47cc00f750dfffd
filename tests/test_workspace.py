"""The facade both faces go through: each action returns its value and what it changed."""

from __future__ import annotations

from wtdc_desktop.workspace import Changes, Outcome, Workspace, changes_of_sync


def test_loading_the_demo_changes_every_record_type_and_the_sync_log(tmp_path):
    with Workspace.open(tmp_path / "data") as workspace:
        assert workspace.is_empty()
        outcome = workspace.load_demo()
        assert isinstance(outcome, Outcome) and outcome.value.outcome == "applied"
        assert {"document", "proposal", "session"} <= outcome.changes.records
        assert outcome.changes.syncs
        assert not workspace.is_empty()


def test_a_sync_that_applied_nothing_changed_only_the_sync_log():
    class Result:
        outcome = "up_to_date"

    assert changes_of_sync([Result()]) == Changes(syncs=True)
    assert changes_of_sync(None).records == Changes.everything().records
    assert not Changes() and Changes(syncs=True)
    both = Changes.of(records=("document",)) | Changes.of(delegation=("position",))
    assert both == Changes.of(records=("document",), delegation=("position",))


def test_exports_change_nothing(tmp_path):
    with Workspace.open(tmp_path / "data") as workspace:
        workspace.load_demo()
        outcome = workspace.export_coverage(tmp_path / "coverage.csv", "csv")
        assert outcome.value >= 1 and not outcome.changes
        assert (tmp_path / "coverage.csv").read_text("utf-8").strip()


def test_importing_itu_material_applies_once_then_changes_nothing(tmp_path):
    from itu_fixtures import make_folder

    folder = make_folder(tmp_path / "src")
    with Workspace.open(tmp_path / "data") as workspace:
        first = workspace.import_itu([folder], languages=["E", "F", "S"])
        assert first.value.usable and first.value.counts["document"]["new"] == 5
        assert {"document", "proposal", "meeting"} <= first.changes.records and first.changes.syncs
        again = workspace.import_itu([folder])
        assert not again.value.changed and again.changes == Changes(syncs=True)
        unchanged = workspace.import_itu([folder], state=first.value.state)
        assert unchanged.value.unchanged and unchanged.value.applied is None and not unchanged.changes
        written = workspace.import_itu([folder], out=tmp_path / "b.wtdc.zip", publisher="citel")
        assert not written.changes and written.value.manifest["publisher"]["id"] == "citel"
        assert (tmp_path / "b.wtdc.zip").is_file()


def test_a_remembered_itu_folder_is_read_again_by_the_sync_only_when_it_changed(tmp_path):
    import pytest

    from itu_fixtures import cover_lines, make_docx, make_folder
    from wtdc_desktop.errors import WtdcError
    from wtdc_desktop.store import published
    from wtdc_desktop.sync import itu_folders, remembered

    folder = make_folder(tmp_path / "src")
    data = tmp_path / "data"
    with Workspace.open(data) as workspace:
        outcome = workspace.import_itu([folder], remember=True)
        assert "setting" in outcome.changes.delegation
        assert list(itu_folders(workspace.store)) == [str(folder)]
        with pytest.raises(WtdcError):
            workspace.import_itu([folder, folder / "lists" / "D22-WTDC-C.xml"], remember=True)
    assert str(folder) in remembered(data)
    (result,) = Workspace.sync_all(data).value
    assert result.kind == "itu" and result.outcome == "up_to_date" and result.message == "ITU folder unchanged"
    make_docx(folder / "D22-WTDC-C-0027!!MSW-E.docx", cover_lines(["Document WTDC-22/27-E"], "A CHANGED TITLE"))
    synced = Workspace.sync_all(data)
    (result,) = synced.value
    assert result.outcome == "applied" and result.applied[0].counts["document"]["changed"] == 1
    assert "document" in synced.changes.records
    with Workspace.open(data) as workspace:
        assert published.counts(workspace.store)["document"] == 5  # the same channel: no second copy
        (doc,) = [d for d in workspace.store.execute("SELECT title FROM document WHERE id = 'WTDC-22/27'")]
        assert doc[0] == "A changed title"
    (result,) = Workspace.sync_all(data).value
    assert result.outcome == "up_to_date"


def test_a_remembered_itu_folder_that_is_gone_is_reported_and_kept(tmp_path):
    import shutil

    from itu_fixtures import make_folder
    from wtdc_desktop.sync import itu_folders

    folder = make_folder(tmp_path / "src")
    data = tmp_path / "data"
    with Workspace.open(data) as workspace:
        workspace.import_itu([folder], remember=True)
    shutil.rmtree(folder)
    (result,) = Workspace.sync_all(data).value
    assert result.outcome == "failed" and "is not there" in result.message
    with Workspace.open(data) as workspace:
        assert list(itu_folders(workspace.store)) == [str(folder)]


# -- the delegation's own layer: each user action, one Workspace method -----------------------------

def test_stars_read_marks_and_notes_are_written_and_say_what_changed(demo_store):
    from wtdc_desktop.store import record_marks

    workspace = Workspace(demo_store)
    assert workspace.set_star("proposal", "WD2/2.1").changes == Changes.of(delegation=("star",))
    assert record_marks.is_starred(demo_store, "proposal", "WD2/2.1")
    workspace.set_star("proposal", "WD2/2.1", False)
    assert not record_marks.is_starred(demo_store, "proposal", "WD2/2.1")
    assert workspace.mark_read("proposal", "WD2/2.1").changes == Changes.of(delegation=("read",))
    assert record_marks.is_read(demo_store, "proposal", "WD2/2.1")

    saved = workspace.save_note("proposal", "WD2/2.1", "Soutenir")
    assert saved.value and saved.changes == Changes.of(delegation=("note",))
    again = workspace.save_note("proposal", "WD2/2.1", "Soutenir avec réserves", note_id=saved.value)
    assert again.value == saved.value
    assert [n["body"] for n in record_marks.notes_for(demo_store, "proposal", "WD2/2.1")] == ["Soutenir avec réserves"]
    blank = workspace.save_note("proposal", "WD2/2.1", "  ", note_id=saved.value)  # a blank note is deleted
    assert blank.value is None and blank.changes == Changes.of(delegation=("note",))
    assert record_marks.notes_for(demo_store, "proposal", "WD2/2.1") == []
    assert not workspace.save_note("proposal", "WD2/2.1", "").changes  # nothing to delete: nothing written


def test_members_coverage_and_agenda_settings_are_written_and_say_what_changed(demo_store):
    import datetime as dt

    from wtdc_desktop.domain.sessions import Reminder
    from wtdc_desktop.store import sessions

    workspace = Workspace(demo_store)
    added = workspace.save_member("Amina", languages=["fr"], me=True)
    assert added.changes == Changes.of(delegation=("member", "setting"))
    assert sessions.member(demo_store, "Amina").languages == ("fr",)
    assert sessions.me(demo_store) == "Amina"
    assert workspace.save_member("Brice").changes == Changes.of(delegation=("member",))

    assert workspace.assign_member("WTDC-21/S02", "Amina", "support").changes == Changes.of(delegation=("assignment",))
    assert [(a.member, a.role) for a in sessions.assignments(demo_store, "WTDC-21/S02")] == [("Amina", "support")]
    assert workspace.set_session_priority("WTDC-21/S02", "must").changes == Changes.of(
        delegation=("session_priority",))
    assert sessions.priorities(demo_store) == {"WTDC-21/S02": "must"}
    assert workspace.note_session_languages("WTDC-21/S02", ["en", "fr"], "all six").changes == Changes.of(
        delegation=("session_language",))
    assert sessions.session(demo_store, "WTDC-21/S02").interpretation == "all six"
    assert workspace.unassign("WTDC-21/S02", "Amina").changes == Changes.of(delegation=("assignment",))
    assert sessions.assignments(demo_store, "WTDC-21/S02") == []

    assert workspace.set_reminder_minutes(30).changes == Changes.of(delegation=("setting",))
    assert sessions.reminder_minutes(demo_store) == 30
    reminder = Reminder("WTDC-21/S02", "A session", dt.datetime(2021, 6, 7, 8, tzinfo=dt.timezone.utc), None, "k1")
    assert workspace.mark_reminded(reminder).changes == Changes.of(delegation=("reminder",))
    assert sessions.reminded_keys(demo_store) == {"k1"}
    assert workspace.dismiss_session_changes().changes == Changes.of(delegation=("setting",))

    workspace.assign_member("WTDC-21/S02", "Amina")
    removed = workspace.remove_member("Amina")  # with their assignments, and as "I am"
    assert removed.changes == Changes.of(delegation=("member", "assignment", "setting"))
    assert sessions.member(demo_store, "Amina") is None and sessions.assignments(demo_store) == []
    assert sessions.me(demo_store) is None
    workspace.set_me("Brice")
    workspace.remove_member("Amina")  # not "I am": that setting stays
    assert sessions.me(demo_store) == "Brice"


def test_contacts_budget_and_overlaps_are_written_and_say_what_changed(demo_store):
    import pytest

    from wtdc_desktop.errors import WtdcError
    from wtdc_desktop.store import budget, contact_book, overlaps

    workspace = Workspace(demo_store)
    saved = workspace.save_contact({"name": "Awa Diallo", "email": "awa@example.org"})
    assert saved.value and saved.changes == Changes.of(delegation=("contact",))
    workspace.save_contact({"name": "Awa Diallo Ndiaye"}, contact_id=saved.value)
    private = contact_book.all_contacts(demo_store, include_published=False)
    assert [c["name"] for c in private] == ["Awa Diallo Ndiaye"]
    imported = workspace.import_contacts([{"name": "Li Wei"}, {"name": "Olga"}])
    assert len(imported.value) == 2 and imported.changes == Changes.of(delegation=("contact",))
    assert workspace.delete_contact(saved.value).changes == Changes.of(delegation=("contact",))
    assert sorted(c["name"] for c in contact_book.all_contacts(demo_store, include_published=False)) == [
        "Li Wei", "Olga"]

    assert workspace.set_available_budget(250000, "chf").changes == Changes.of(delegation=("budget",))
    assert budget.available_budget(demo_store) == (250000, "CHF")
    with pytest.raises(WtdcError):
        workspace.set_available_budget(-1, "CHF")

    a, b = ("question", "1/1"), ("resolution", "WTDC/37")
    assert workspace.decide_overlap(a, b, "dismissed", score=0.4).changes == Changes.of(delegation=("overlap",))
    assert list(overlaps.overlap_decisions(demo_store).values()) == ["dismissed"]
    workspace.decide_overlap(a, b, None)
    assert overlaps.overlap_decisions(demo_store) == {}


def test_sources_and_trusted_keys_are_written_and_say_what_changed(demo_store, tmp_path):
    from wtdc_desktop.store import sources, trust

    workspace = Workspace(demo_store)
    folder = tmp_path / "bundles"
    folder.mkdir()
    added = workspace.add_source(str(folder) + "/")
    assert added.value.added and added.value.kind == "folder" and added.value.location == str(folder)
    assert added.changes == Changes.of(delegation=("source",))
    again = workspace.add_source(str(folder))
    assert not again.value.added and not again.changes
    assert [s.location for s in sources.list_sources(demo_store)] == [str(folder)]
    assert workspace.remove_source(str(folder) + "/").value  # as given, or as it was written
    assert not workspace.remove_source(str(folder)).value
    assert sources.list_sources(demo_store) == []

    pinned = workspace.trust_key("itu-bdt", bytes(range(32)))
    assert pinned.changes == Changes.of(delegation=("trust",))
    assert trust.get_key(demo_store, "itu-bdt").fingerprint == pinned.value


def test_a_colleagues_version_of_a_position_is_chosen_field_by_field(demo_store):
    import json

    from wtdc_desktop.store import positions

    workspace = Workspace(demo_store)
    workspace.set_position("resolution", "WTDC/37", stance="support", owner="Awa", brief="Mine")
    pos = positions.position_for(demo_store, "resolution", "WTDC/37")
    local = {"id": pos["id"], "updated_at": pos["updated_at"], "subject": {"type": "resolution", "id": "WTDC/37"},
             **{k: pos[k] for k in positions.POSITION_FIELDS}}
    remote = dict(local, stance="oppose", brief="Theirs", updated_at="2025-02-01T08:00:00Z")
    with demo_store.transaction() as conn:
        conn.execute("INSERT INTO my_conflict (channel, type, id, local_data, remote_data, detected_at) "
                     "VALUES ('delegation-KEN', 'position', ?, ?, ?, '2025-02-01T09:00:00Z')",
                     (pos["id"], json.dumps(local), json.dumps(remote)))
    (conflict,) = positions.open_position_edit_conflicts(demo_store)
    chosen = workspace.choose_position_version(conflict["conflict_id"], {"stance": "remote", "brief": "local"},
                                               changed_by="Awa")
    assert chosen.changes == Changes.of(delegation=("position",))
    kept = positions.position_for(demo_store, "resolution", "WTDC/37")
    assert (kept["stance"], kept["brief"]) == ("oppose", "Mine")
    assert positions.open_position_edit_conflicts(demo_store) == []
