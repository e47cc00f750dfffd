"""The positions, matrix, cross-sector, contacts and budget views, offscreen."""

from __future__ import annotations

import json
import os

import pytest

from negotiation_bundle import regional_bundle

pytestmark = pytest.mark.gui


@pytest.fixture
def rstore(store, tmp_path):
    from wtdc_desktop.bundles.apply import apply_bundle

    apply_bundle(store, regional_bundle(tmp_path), source="test")
    return store


def test_positions_view_saves_with_live_preview_and_history(qtbot, rstore):
    from wtdc_desktop.store import positions
    from wtdc_desktop.ui.positions import PositionsView

    view = PositionsView(rstore)
    qtbot.addWidget(view)
    panel = view.positions
    panel.open_subject("resolution", "WTDC/37")
    editor = panel.editor
    editor.stance.setCurrentIndex(editor.stance.findData("oppose"))
    editor.owner.setText("Awa")
    editor.texts["brief"].edit.setPlainText("Keep **affordability**")
    assert "affordability" in editor.texts["brief"].preview.toHtml()
    assert "font-weight" in editor.texts["brief"].preview.toHtml()  # rendered bold, not the raw asterisks
    with qtbot.waitSignal(editor.saved):
        editor.save_button.click()
    saved = positions.position_for(rstore, "resolution", "WTDC/37")
    assert (saved["stance"], saved["owner"], saved["brief"]) == ("oppose", "Awa", "Keep **affordability**")
    assert panel.table.rowCount() == 1 and "WTDC/37" in panel.table.item(0, 0).text()
    editor.status.setCurrentIndex(editor.status.findData("approved"))
    editor.save()
    assert editor.history.rowCount() == 2
    # Filters: a stance that no position has empties the list.
    panel.stance.setCurrentIndex(panel.stance.findData("support"))
    assert panel.table.rowCount() == 0


def test_colleagues_version_is_merged_field_by_field(qtbot, rstore):
    from wtdc_desktop.store import positions
    from wtdc_desktop.ui.positions import PositionsView

    positions.save_position(rstore, "resolution", "WTDC/19", stance="support", owner="Ben", brief="Mine")
    pos = positions.position_for(rstore, "resolution", "WTDC/19")
    local = {"id": pos["id"], "updated_at": pos["updated_at"],
             "subject": {"type": "resolution", "id": "WTDC/19"}, **{k: pos[k] for k in positions.POSITION_FIELDS}}
    remote = dict(local, stance="neutral", owner="Chen", brief="Theirs", updated_at="2025-01-02T09:00:00Z")
    with rstore.transaction() as conn:
        conn.execute("INSERT INTO my_conflict (channel, type, id, local_data, remote_data, detected_at) "
                     "VALUES ('delegation-KEN', 'position', ?, ?, ?, '2025-01-02T10:00:00Z')",
                     (pos["id"], json.dumps(local), json.dumps(remote)))
    view = PositionsView(rstore)
    qtbot.addWidget(view)
    view.positions.open_subject("resolution", "WTDC/19")
    editor = view.positions.editor
    assert not editor.conflict_box.isHidden()
    fields = editor.conflict["fields"]
    assert set(fields) == {"stance", "owner", "brief"}
    for row, field in enumerate(fields):
        combo = editor.conflict_table.cellWidget(row, 3)
        combo.setCurrentIndex(combo.findData("remote" if field == "stance" else "local"))
    editor.conflict_apply.click()
    merged = positions.position_for(rstore, "resolution", "WTDC/19")
    assert (merged["stance"], merged["owner"], merged["brief"]) == ("neutral", "Ben", "Mine")
    assert positions.open_position_edit_conflicts(rstore) == []
    assert editor.conflict_box.isHidden()


def test_matrix_view_shows_regions_and_the_diff_of_a_chosen_row(qtbot, rstore):
    from wtdc_desktop.ui.matrix import ProposalsMatrixView

    view = ProposalsMatrixView(rstore)
    qtbot.addWidget(view)
    assert view.table.rowCount() == 2
    assert view.select_target("resolution", "WTDC/37")
    html = view.detail.toHtml()
    for pid in ("AFCP/10/1", "IAP/11/1", "ACP/12/1", "ECP/13/1"):
        assert pid in html
    assert "affordable" in html and "line-through" in html
    headers = [view.table.horizontalHeaderItem(i).text() for i in range(view.table.columnCount())]
    assert any(h.startswith("AFR") and "ATU" in h for h in headers)
    assert "1 likely quick" in view.summary.text() and "1 need negotiation" in view.summary.text()
    with qtbot.waitSignal(view.open_record_requested) as blocker:
        view.detail.anchorClicked.emit(__import__("PySide6.QtCore").QtCore.QUrl("wtdc:proposal/ECP%2F13%2F1"))
    assert blocker.args == ["proposal", "ECP/13/1"]


def test_the_positions_tab_arranges_the_matrix_on_a_worker(qtbot, rstore):
    from wtdc_desktop.ui.positions import PositionsView

    view = PositionsView(rstore)
    qtbot.addWidget(view)
    matrix = view.matrix
    assert matrix.background and matrix.table.rowCount() == 0  # nothing computed before the tab opens
    view.show_tab(matrix)
    assert "Arranging" in matrix.summary.text()  # the window stays responsive meanwhile
    qtbot.waitUntil(lambda: matrix.table.rowCount() == 2, timeout=10000)
    assert matrix.table.isEnabled() and "need negotiation" in matrix.summary.text()
    first = matrix.rows[0].target_id
    qtbot.waitUntil(lambda: first in matrix.detail.toPlainText(), timeout=10000)  # the first row's detail
    # A filter changed twice in a row: only the last result is shown.
    matrix.committee.setCurrentIndex(matrix.committee.findData("WTDC-25/COM4"))
    matrix.committee.setCurrentIndex(0)
    qtbot.waitUntil(lambda: matrix.table.isEnabled() and matrix.table.rowCount() == 2, timeout=10000)


def test_a_matrix_that_cannot_be_arranged_says_why_and_changes_nothing(qtbot, rstore, monkeypatch):
    from helpers import table_fingerprint
    from wtdc_desktop.store import proposal_matrix
    from wtdc_desktop.store.db import StoreLocked
    from wtdc_desktop.ui.positions import PositionsView

    before = table_fingerprint(rstore)

    def locked(*_a, **_k):
        raise StoreLocked("The store in /data is locked by another program; try again in a moment.")

    monkeypatch.setattr(proposal_matrix, "matrix", locked)
    view = PositionsView(rstore)
    qtbot.addWidget(view)
    view.show_tab(view.matrix)
    qtbot.waitUntil(lambda: "could not be arranged" in view.matrix.summary.text(), timeout=10000)
    assert "is locked by another program" in view.matrix.summary.text()
    assert view.matrix.table.isEnabled() and view.matrix.table.rowCount() == 0
    assert table_fingerprint(rstore) == before


def test_crosssector_view_confirms_and_dismisses(qtbot, rstore):
    from wtdc_desktop.store import overlaps
    from wtdc_desktop.ui.crosssector import CrossSectorView

    view = CrossSectorView(rstore)
    qtbot.addWidget(view)
    ids = [{view.suggested.item(r, 0).text(), view.suggested.item(r, 2).text()} for r in range(view.suggested.rowCount())]
    row = ids.index({"WTDC/37", "PP/139"})
    view.suggested.selectRow(row)
    view.dismiss.click()
    assert {"WTDC/37", "PP/139"} not in [{view.suggested.item(r, 0).text(), view.suggested.item(r, 2).text()}
                                        for r in range(view.suggested.rowCount())]
    assert "dismissed" in overlaps.overlap_decisions(rstore).values()


def test_contacts_view_filters_exports_and_imports(qtbot, rstore, tmp_path):
    import vobject

    from wtdc_desktop.ui.contacts import ContactsView

    view = ContactsView(rstore)
    qtbot.addWidget(view)
    assert view.model.rowCount() == 2
    view.language.setCurrentIndex(view.language.findData("fr"))
    assert view.model.rowCount() == 1
    assert "mailto:aicha@example.org" in view.detail.toHtml() and "tel:+221330000000" in view.detail.toHtml()
    out = view.export_vcf(tmp_path / "one.vcf")
    assert [c.fn.value for c in vobject.readComponents(out.read_text("utf-8"))] == ["Aïcha Ndiaye"]
    view.language.setCurrentIndex(0)
    assert view.import_vcf(out) == 1
    assert view.model.rowCount() == 3
    view.which.setCurrentIndex(view.which.findData("private"))
    assert view.model.rowCount() == 1 and view.edit_button.isEnabled()
    assert view.coordinators.rowCount() == 0  # worked out when its tab is opened
    view.tabs.setCurrentWidget(view.coordinators)
    assert view.coordinators.rowCount() == 2


def test_budget_view_totals_and_available_budget(qtbot, rstore):
    from wtdc_desktop.i18n import set_language
    from wtdc_desktop.ui.budget import BudgetView

    set_language("fr")
    view = BudgetView(rstore)
    qtbot.addWidget(view)
    assert view.model.rowCount() == 3
    assert view.proposals_model.rowCount() == 0  # listed when their tab is opened
    view.tabs.setCurrentWidget(view.proposals)
    costed = [(i.row(), i.data()) for i in (view.proposals_model.index(r, 0)
                                            for r in range(view.proposals_model.rowCount()))]
    assert costed and all(rid for _row, rid in costed)
    opened = []
    view.open_record_requested.connect(lambda t, rid: opened.append((t, rid)))
    view._open(view.proposals_model, 0, "proposal")
    assert opened == [("proposal", costed[0][1])]
    assert view.chart.groups and {g[0] for g in view.chart.groups} == {"AFR", "ASP"}
    view.amount.setText("1\u202f000")
    view.currency.setText("CHF")
    assert view.set_available()
    assert "100,00" in view.balance.text()  # 1 000 available − 900 unfunded, formatted in French
    view.amount.setText("beaucoup")
    assert not view.set_available() and "beaucoup" in view.message.text()
    view.resize(900, 600)
    view.show()
    assert not view.chart.grab().isNull()


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_brief_pack_is_written_off_the_gui_thread(qtbot, rstore, tmp_path, fmt):
    from wtdc_desktop.store import positions
    from wtdc_desktop.ui.positions import PositionsView

    positions.save_position(rstore, "resolution", "WTDC/37", stance="oppose", brief="Hold the line.")
    view = PositionsView(rstore)
    qtbot.addWidget(view)
    panel = view.positions
    panel.committee.setCurrentIndex(panel.committee.findData("WTDC-25/COM4"))
    out = tmp_path / f"brief.{fmt}"
    with qtbot.waitSignal(panel.brief_written, timeout=30000) as blocker:
        panel.write_brief(out, fmt)
    assert blocker.args == [str(out)] and out.stat().st_size > 0
    assert panel.export_button.isEnabled()


@pytest.mark.parametrize("lang", ["ar", "zh", "en", "fr", "ru", "es"])
def test_amounts_read_as_babel_formats_them(lang):
    from babel.numbers import format_currency

    from wtdc_desktop.i18n import set_language
    from wtdc_desktop.ui.negotiation_widgets import money

    set_language(lang)
    for amount, currency in [(1234567.5, "CHF"), (0, "USD"), (12.345, "JPY"), (-5, "EUR"), (1e9, "XOF")]:
        assert money(amount, currency) == format_currency(amount, currency, locale=lang)
    assert money(None, "CHF") == ""


def test_private_contact_and_budget_rows_are_the_same_from_the_window_and_the_cli(qtbot, rstore, tmp_path):
    from helpers import run_cli
    from wtdc_desktop.store import Store
    from wtdc_desktop.ui.budget import BudgetView
    from wtdc_desktop.ui.contacts import ContactsView

    card = tmp_path / "one.vcf"
    card.write_text("BEGIN:VCARD\nVERSION:4.0\nFN:Awa Diop\nEMAIL:awa@example.org\nTEL:+221330000001\n"
                    "LANG:fr\nEND:VCARD\n", "utf-8")
    contacts = ContactsView(rstore)
    qtbot.addWidget(contacts)
    assert contacts.import_vcf(card) == 1
    budget = BudgetView(rstore)
    qtbot.addWidget(budget)
    budget.amount.setText("1000000")
    budget.currency.setText("chf")
    assert budget.set_available()
    cli = Store(tmp_path / "cli")
    try:
        for argv in (("import-vcf", card), ("budget", "--available", "1000000", "chf")):
            code, _out, err = run_cli(*argv, "--data-dir", cli.data_dir)
            assert code == 0, err
        contact = ("SELECT name, role, organization, region, email, phone, languages, coordinates, topics, notes "
                   "FROM my_contact")
        for sql in (contact, "SELECT key, amount, currency FROM my_budget"):
            assert [tuple(r) for r in cli.execute(sql)] == [tuple(r) for r in rstore.execute(sql)] != []
    finally:
        cli.close()


@pytest.mark.skipif(os.name != "posix", reason="FIFOs and /dev/zero")
def test_contacts_view_refuses_what_is_not_a_regular_file(qtbot, rstore, tmp_path, monkeypatch):
    import stat
    from pathlib import Path

    from PySide6.QtWidgets import QMessageBox

    from wtdc_desktop.ui.contacts import ContactsView

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    view = ContactsView(rstore)
    qtbot.addWidget(view)
    assert view.import_vcf(Path("/dev/zero")) == 0  # at once, not until memory runs out
    assert len(shown) == 1 and "/dev/zero" in shown[0] and "not a regular file" in shown[0]
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    assert view.export_vcf(pipe) is None
    assert len(shown) == 2 and str(pipe) in shown[1] and "not a regular file" in shown[1]
    assert stat.S_ISFIFO(pipe.stat().st_mode)


def test_contacts_columns_show_their_widest_text_among_many(qtbot, store):
    """Of many contacts, each column is as wide as its widest text in the first rows, in a wide
    script too: an organization of a few Chinese characters wider than many longer Latin ones."""
    from PySide6.QtWidgets import QStyle

    from wtdc_desktop.store import contact_book
    from wtdc_desktop.ui.contacts import ContactsView

    people = [{"name": f"Delegate {n:03d}", "organization": "i" * (10 + n % 26), "email": f"d{n}@example.org",
               "languages": ["fr", "ar"] if n % 2 else ["zh"]} for n in range(60)]
    wide = "中国信息通信研究院国际合作部"
    people.append({"name": "Li", "organization": wide, "languages": ["zh"]})
    contact_book.save_private_contacts(store, people)
    view = ContactsView(store)
    qtbot.addWidget(view)
    assert view.model.rowCount() == 61
    metrics = view.table.fontMetrics()
    margin = 2 * (view.table.style().pixelMetric(QStyle.PM_FocusFrameHMargin, None, view.table) + 1) + 2
    organizations = [row[2] for row in view.model.rows]
    assert max(organizations, key=metrics.horizontalAdvance) == wide
    assert sum(len(o) > len(wide) for o in organizations) > 20  # many longer, all narrower
    for column in (0, 2, 4):  # Name, Organization, Languages
        widest = max(metrics.horizontalAdvance(row[column]) for row in view.model.rows)
        assert view.table.columnWidth(column) >= widest + margin
    contacts = contact_book.all_contacts(store)
    contacts[0]["languages"].append("es")  # each contact's list is its own
    assert sum("es" in c["languages"] for c in contacts) == 1
