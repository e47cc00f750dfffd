"""Views that fill themselves after a first paint, or off the GUI thread, end up showing what they
showed when they filled at once: the Agenda built by the window, a typed search, and a view hidden
behind another while a sync or an edit changed what it shows."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTreeWidgetItemIterator

UTC = dt.timezone.utc


def _listed(tree) -> list:
    out, it = [], QTreeWidgetItemIterator(tree)
    while it.value():
        out.append((it.value().text(0), it.value().data(0, Qt.UserRole)))
        it += 1
    return out


@pytest.mark.gui
def test_an_agenda_filled_in_the_next_turn_shows_every_session_of_the_day(qtbot, demo_store):
    from wtdc_desktop.ui.agenda import AgendaView

    def clock():
        return dt.datetime(2021, 11, 10, 9, tzinfo=UTC)

    at_once = AgendaView(demo_store, clock=clock, reminders=False)
    later = AgendaView(demo_store, clock=clock, reminders=False, deferred=True)
    for view in (at_once, later):
        qtbot.addWidget(view)
        view.resize(1280, 800)
        view.show()
    assert later.loading
    qtbot.waitUntil(lambda: not later.loading)
    assert _listed(at_once.list) and _listed(later.list) == _listed(at_once.list)
    assert (later.day, later.days, later.meeting) == (at_once.day, at_once.days, at_once.meeting)
    assert [s.id for s in later.grid.sessions] == [s.id for s in at_once.grid.sessions]
    assert later.bar.zone_label.text() == at_once.bar.zone_label.text()

    # A link followed before the view has filled shows its session all the same.
    linked = AgendaView(demo_store, clock=clock, reminders=False, deferred=True)
    qtbot.addWidget(linked)
    assert linked.select_record("WTDC-21/S10")
    assert not linked.loading and linked.current == "WTDC-21/S10"
    assert "Commission 3, deuxième séance" in linked.pane.details.toPlainText()


@pytest.mark.gui
def test_typed_words_are_searched_on_a_worker_and_the_last_words_win(qtbot, demo_store):
    from wtdc_desktop.ui.search import ROLE_TARGET, SearchDialog

    dialog = SearchDialog(demo_store)
    qtbot.addWidget(dialog)
    dialog.query.setText("connectivité")
    dialog.start_search()
    dialog.query.setText("interregionales")  # typed on before the first search ended: the timer's
    qtbot.waitUntil(lambda: not dialog.loading and not dialog._timer.isActive(), timeout=10_000)
    typed = [(dialog.results.topLevelItem(i).text(0), dialog.results.topLevelItem(i).data(0, ROLE_TARGET))
             for i in range(dialog.results.topLevelItemCount())]
    dialog.run_search()  # the same words searched at once (Enter)
    now = [(dialog.results.topLevelItem(i).text(0), dialog.results.topLevelItem(i).data(0, ROLE_TARGET))
           for i in range(dialog.results.topLevelItemCount())]
    assert typed == now and any(text.startswith("Proposals (") for text, _t in typed)
    assert dialog.status.text() == f"{len(dialog.hits)} results"


@pytest.mark.gui
def test_a_view_hidden_behind_another_shows_what_changed_when_it_comes_back(window, qtbot):
    window.show_view("contacts")
    contacts = window.views["contacts"]
    window.show_view("changes")
    outcome = window.workspace.save_contact({"name": "Zanele Mokoena", "organization": "Test"})
    window.reload(outcome.changes)
    window.show_view("contacts")
    qtbot.waitUntil(lambda: "Zanele Mokoena" in [c.get("name") for c in contacts.contacts])
    assert contacts.count.text() == f"{len(contacts.contacts)} contacts"


@pytest.mark.gui
def test_a_list_hidden_during_a_sync_shows_the_synced_records_when_shown_or_asked_for_one(window, qtbot, tmp_path):
    """A sync refreshes the view in front at once; a list behind another reloads when shown, and at
    once when a link asks it for a record the sync brought (before it is shown)."""
    import json

    from helpers import DEMO_SOURCE, copy_source, read_records, set_header, write_records
    from wtdc_desktop.bundles.writer import build_bundle

    documents = window.views["documents"]
    proposals = window.views["proposals"]
    window.show_view("sync")
    before = documents.count_label.text()
    count = int(before.split()[0])
    src = copy_source(DEMO_SOURCE, tmp_path / "src")
    records = read_records(src, "document")
    first = dict(records[0])
    added = [dict(first, id=f"{first['id']}(Add.{n})", title=f"Added after the sync {n}") for n in (7, 8)]
    write_records(src, "document", records + added)
    set_header(src, sequence=json.loads((src / "manifest.json").read_text("utf-8"))["sequence"] + 1)
    build_bundle(src, tmp_path / "b.wtdc.zip")
    with qtbot.waitSignal(window.sync.finished, timeout=30000):
        window.sync.sync_path(tmp_path / "b.wtdc.zip", source="demo")
    qtbot.wait(50)
    assert documents.count_label.text() == before  # hidden: not reloaded yet
    assert window.open_record("document", added[0]["id"])  # a link to a synced record: found and selected
    assert window.current_key() == "documents"
    assert documents.count_label.text() == f"{count + 2} records"
    assert documents.model.record_id(documents.table.currentIndex().row()) == added[0]["id"]
    window.show_view("proposals")  # nothing of theirs changed: shown as they were
    assert proposals.model.rowCount() > 0


@pytest.mark.gui
def test_contact_columns_are_as_wide_as_their_longest_text(qtbot, demo_store):
    from wtdc_desktop.store import contact_book
    from wtdc_desktop.ui.contacts import ContactsView

    long = "Administration des télécommunications et des postes de l'Union des Comores"
    contact_book.save_private_contact(demo_store, {"name": "Said Ali", "organization": long})
    view = ContactsView(demo_store)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    column = [view.model.headerData(c, Qt.Horizontal) for c in range(view.model.columnCount())].index("Organization")
    assert view.table.columnWidth(column) >= view.table.fontMetrics().horizontalAdvance(long)
    assert view.table.columnWidth(column) >= view.table.horizontalHeader().sectionSizeHint(column)


@pytest.mark.gui
def test_what_changed_read_on_a_worker_lists_what_it_lists_at_once(qtbot, demo_store, monkeypatch):
    from wtdc_desktop.ui.changes import ChangesView

    monkeypatch.setattr(ChangesView, "LIST_LIMIT", 5)  # the demo's first sync, grouped
    monkeypatch.setattr(ChangesView, "PAGE", 3)
    at_once = ChangesView(demo_store)
    later = ChangesView(demo_store, deferred=True)
    for view in (at_once, later):
        qtbot.addWidget(view)
    assert later.loading
    qtbot.waitUntil(lambda: not later.loading)
    assert len(_listed(at_once.tree)) > 3 and _listed(later.tree) == _listed(at_once.tree)
    assert later.summary.text() == at_once.summary.text()

    def proposals(view):
        (group,) = [view.tree.topLevelItem(i) for i in range(view.tree.topLevelItemCount())
                    if view.tree.topLevelItem(i).text(0) == "Proposals"]
        return group

    for view in (at_once, later):
        view.tree.expandItem(proposals(view))
    qtbot.waitUntil(lambda: proposals(later).childCount() > 0)
    assert proposals(at_once).childCount() == 4  # a page of three, then "Show 3 more…"
    assert _listed(later.tree) == _listed(at_once.tree)


@pytest.mark.gui
def test_contacts_read_on_a_worker_list_what_they_list_at_once(qtbot, demo_store):
    from wtdc_desktop.ui.contacts import ContactsView

    at_once = ContactsView(demo_store)
    later = ContactsView(demo_store, deferred=True)
    filtered = ContactsView(demo_store, deferred=True)  # a region chosen before the first reading ends
    filtered.region.setCurrentIndex(filtered.region.findData("AFR"))
    for view in (at_once, later):
        qtbot.addWidget(view)
        view.resize(1280, 800)
        view.show()
    qtbot.addWidget(filtered)
    assert later.loading and not later.model.rows
    qtbot.waitUntil(lambda: not later.loading)

    def shown(view):
        return (view.model.rows, view.count.text(), view.table.currentIndex().row(), view.detail.toPlainText(),
                [view.table.columnWidth(c) for c in range(view.model.columnCount() - 1)])

    everyone = len(at_once.model.rows)
    assert everyone > 3 and shown(later) == shown(at_once)

    # Filters typed one after the other: the last one's contacts are listed, as at once.
    for view in (at_once, later):
        view.name.setText("nobody by this name")
        view.region.setCurrentIndex(view.region.findData("AFR"))
        view.name.setText("")
    assert later.loading
    qtbot.waitUntil(lambda: not later.loading)
    assert 0 < len(at_once.model.rows) < everyone and shown(later) == shown(at_once)
    assert {row[3] for row in later.model.rows} == {"AFR"}
    qtbot.waitUntil(lambda: not filtered.loading)
    assert filtered.model.rows == later.model.rows

    # The coordinators' tab is the same too.
    for view in (at_once, later):
        view.tabs.setCurrentWidget(view.coordinators)
    cells = [[[view.coordinators.item(r, c).text() if view.coordinators.item(r, c) else ""
               for c in range(view.coordinators.columnCount())] for r in range(view.coordinators.rowCount())]
             for view in (at_once, later)]
    assert cells[0] and cells[1] == cells[0]


def test_only_the_latest_reading_is_shown_and_one_its_worker_cannot_run_is_read_here(qtbot, demo_store, monkeypatch):
    """What changed, Contacts and search share one mechanism: a reading asked for before another is
    never shown over it, and when the store cannot be opened on the worker (busy, …) the reading
    runs on the view's own connection, as before readings moved to workers."""
    import threading

    from PySide6.QtWidgets import QWidget

    from wtdc_desktop.errors import WtdcError
    from wtdc_desktop.ui import workers

    owner = QWidget()
    shown = []
    reading = workers.LatestRead(owner, demo_store, lambda label, value: shown.append((label, value)))
    gate = threading.Event()

    def slow(store):
        gate.wait(10)
        return "old"

    first = reading.off(("first",), slow)
    second = reading.off(("second",), lambda store: "new")
    gate.set()
    assert first.wait(10) and second.wait(10)
    qtbot.waitUntil(lambda: not reading.loading)
    qtbot.wait(50)  # the first one's result, queued too, has come and gone
    assert shown == [("second", "new")]

    def refused(data_dir):
        raise WtdcError("the store is busy")

    monkeypatch.setattr(workers, "reading_store", refused)
    threads = []
    reading.off(("third",), lambda store: threads.append(threading.current_thread()) or store is demo_store)
    qtbot.waitUntil(lambda: not reading.loading)
    assert shown[-1] == ("third", True) and threads == [threading.main_thread()]
    owner.deleteLater()
