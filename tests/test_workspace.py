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
