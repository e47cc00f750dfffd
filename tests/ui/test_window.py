"""The main window, offscreen: views, lazy lists on 100 000 records, search, the delegation layer,
safe rendering, sync on a worker, internal links, errors."""

from __future__ import annotations

import json
import shutil
import sys

import pytest
from PySide6.QtCore import QTimer, QUrl, Qt

from helpers import DEMO_SOURCE, dispose, run_cli, set_header, table_fingerprint, write_records

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("own_settings")]


# --- a store of 100 000 documents, built once -----------------------------------------------------

def _fill_documents(store, n: int) -> None:
    """Write ``n`` documents straight into the store (the bundle path would take minutes)."""
    with store.transaction() as conn:
        for suffix in ("ai", "ad", "au"):  # index in one pass at the end instead of row by row
            conn.execute(f"DROP TRIGGER document_tri_{suffix}")
            conn.execute(f"DROP TRIGGER document_fts_{suffix}")
        conn.execute("INSERT INTO sync_log (sync_id, started_at, finished_at, source, outcome) "
                     "VALUES (1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'bench', 'applied')")
        rows = []
        for i in range(n):
            rid = f"BENCH-26/{i + 1}"
            title = f"Document {i:06d} {'alpha' if i % 10 == 0 else 'beta'}"
            raw = json.dumps({"id": rid, "meeting": "BENCH-26", "title": title})
            rows.append((rid, "BENCH-26", title, f"BENCH-26\x1f{i + 1:06d}.0000.0000.0000", i + 1, raw))
        conn.executemany(
            "INSERT INTO document (id, meeting, title, sort_key, sym_number, raw, content_hash, bundle_seq, "
            "changed_sync, first_sync, channel) VALUES (?, ?, ?, ?, ?, ?, 'x', 1, 1, 1, 'bench')", rows)
        conn.execute("INSERT INTO search_index (rowid, kind, key, title, summary, body) "
                     "SELECT rid * 16 + 1, 'document', id, title, summary, text FROM document")


@pytest.fixture(scope="session")
def big_data_dir(tmp_path_factory):
    from wtdc_desktop.store import Store

    path = tmp_path_factory.mktemp("big-store")
    with Store(path) as s:
        _fill_documents(s, 100_000)
    return path


@pytest.fixture
def counted(monkeypatch):
    """Counts the ids and rows the list models read from the store."""
    from wtdc_desktop.ui import models

    counts = {"ids": 0, "rows": 0}
    real_ids, real_rows = models.list_rows.view_ids, models.list_rows.view_rows

    def view_ids(*args, **kwargs):
        out = real_ids(*args, **kwargs)
        counts["ids"] += len(out)
        return out

    def view_rows(*args, **kwargs):
        out = real_rows(*args, **kwargs)
        counts["rows"] += len(out)
        return out

    monkeypatch.setattr(models.list_rows, "view_ids", view_ids)
    monkeypatch.setattr(models.list_rows, "view_rows", view_rows)
    return counts


@pytest.mark.slow
def test_a_100k_list_reads_only_what_is_shown_when_opened_filtered_and_sorted(qtbot, big_data_dir, counted):
    from wtdc_desktop.store import Store
    from wtdc_desktop.ui.lists import RecordListView

    store = Store(big_data_dir)
    view = RecordListView(store, "document")
    qtbot.addWidget(view)
    view.resize(1000, 600)
    view.show()
    qtbot.waitExposed(view)
    assert view.model._total == 100_000
    assert view.model.rowCount() <= 200 and counted["ids"] <= 200 and counted["rows"] <= 200

    counted.update(ids=0, rows=0)
    view.filter.setText("alpha")
    view.apply_filter()
    view.table.viewport().repaint()
    assert view.model._total == 10_000
    assert counted["ids"] <= 200 and counted["rows"] <= 200
    assert all("alpha" in view.model.index(r, 2).data() for r in range(20))

    counted.update(ids=0, rows=0)
    view.table.sortByColumn(2, Qt.DescendingOrder)  # by title, newest number first
    view.table.viewport().repaint()
    assert view.model.index(0, 2).data() == "Document 099990 alpha"
    assert counted["ids"] <= 200 and counted["rows"] <= 200

    counted.update(ids=0, rows=0)
    view.table.scrollToBottom()  # scrolling fetches the next page only
    assert counted["ids"] <= 400
    view.hide()
    view.deleteLater()
    store.close()


@pytest.mark.slow
def test_selecting_a_deep_record_loads_pages_up_to_it_only(qtbot, big_data_dir, counted):
    from wtdc_desktop.store import Store
    from wtdc_desktop.ui.lists import RecordListView

    store = Store(big_data_dir)
    view = RecordListView(store, "document")
    qtbot.addWidget(view)
    assert view.select_record("BENCH-26/1234")
    assert view.model.record_id(view.table.currentIndex().row()) == "BENCH-26/1234"
    assert 1234 <= counted["ids"] <= 1234 + 2 * 200  # the pages up to it, of 100 000
    view.hide()
    view.deleteLater()
    store.close()


# --- each view -------------------------------------------------------------------------------------

# Contacts, Priorities and Agenda have views of their own, tested in test_negotiation_gui and test_agenda_gui.
@pytest.mark.parametrize("key, type_name, expected", [
    ("documents", "document", 2), ("resolutions", "resolution", 4), ("proposals", "proposal", 20),
    ("questions", "question", 3),
])
def test_each_list_view_opens_and_shows_its_first_record(window, key, type_name, expected):
    from wtdc_desktop.ui.lists import RecordListView

    window.show_view(key)
    view = window.views[key]
    assert window.stack.currentWidget() is view
    assert isinstance(view, RecordListView)
    assert view.model.rowCount() == expected
    view.table.selectRow(0)
    first = view.model.record_id(0)
    assert first in view.detail.browser.toPlainText()


def test_today_changes_positions_and_sync_views_show_the_demo(window, qtbot):
    import datetime as dt

    from wtdc_desktop.store import record_marks
    from wtdc_desktop.ui.changes import ChangesView
    from wtdc_desktop.ui.today import TodayView

    record_marks.set_star(window.store, "proposal", "WD2/2.4")
    window.show_view("changes")
    changes = window.views["changes"]
    if isinstance(changes, ChangesView):
        qtbot.waitUntil(lambda: not changes.loading)  # read on a worker
        assert changes.tree.topLevelItemCount() > 20
        first = changes.tree.topLevelItem(0)
        assert first.data(0, Qt.UserRole) == ("proposal", "WD2/2.4")  # mine first
    today = TodayView(window.store, now=lambda: dt.datetime(2021, 11, 8, 7, 0, tzinfo=dt.timezone.utc))
    qtbot.addWidget(today)
    text = today.browser.toPlainText()
    assert "WTDC-21/S01" in text or "Séance plénière d'ouverture" in text
    assert "WD2/2.4" in text  # a starred record that the last sync brought
    window.show_view("sync")
    sync = window.views["sync"]
    assert sync.log.rowCount() >= 1 and "demo" in sync.sources.item(0, 0).text()
    window.show_view("positions")
    assert window.stack.currentWidget() is window.views["positions"]


def test_a_large_sync_is_grouped_by_type_and_listed_page_by_page(window, monkeypatch, qtbot):
    from wtdc_desktop.store import changes as changes_mod, record_marks
    from wtdc_desktop.ui.changes import ChangesView

    monkeypatch.setattr(ChangesView, "LIST_LIMIT", 5)
    monkeypatch.setattr(ChangesView, "PAGE", 3)
    record_marks.set_star(window.store, "proposal", "WD2/2.4")
    window.show_view("changes")
    view = window.views["changes"]
    view.reload()
    qtbot.waitUntil(lambda: not view.loading)  # read on a worker
    tree = view.tree
    assert tree.topLevelItem(0).data(0, Qt.UserRole) == ("proposal", "WD2/2.4")  # mine, one by one, first
    groups = {tree.topLevelItem(i).text(0): tree.topLevelItem(i) for i in range(1, tree.topLevelItemCount())}
    counts = changes_mod.change_counts(window.store)
    assert len(groups) == len(counts) and "Proposals" in groups
    proposals = groups["Proposals"]
    assert proposals.text(1) == f"{counts[('proposal', 'new')]} records" and proposals.childCount() == 0
    proposals.setExpanded(True)  # listed when opened (read on a worker): a page, then a "more" line
    qtbot.waitUntil(lambda: proposals.childCount() > 0)
    assert proposals.childCount() == 4 and proposals.child(3).text(0).startswith("Show 3 more")
    assert all(proposals.child(i).data(0, Qt.UserRole)[0] == "proposal" for i in range(3))
    view._activated(proposals.child(3), 0)
    listed = [proposals.child(i).data(0, Qt.UserRole) for i in range(proposals.childCount())]
    assert len([k for k in listed if k]) == 6 and ("proposal", "WD2/2.4") not in listed
    tree.setCurrentItem(proposals.child(0))
    assert proposals.child(0).data(0, Qt.UserRole)[1] in view.detail.browser.toPlainText()


# --- search ---------------------------------------------------------------------------------------

def _russian_and_chinese_bundle(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(DEMO_SOURCE, src)
    manifest = json.loads((src / "manifest.json").read_text("utf-8"))
    set_header(src, sequence=manifest["sequence"] + 1)
    docs = [json.loads(line) for line in (src / "records" / "document.jsonl").read_text("utf-8").splitlines() if line]
    docs.append({"id": "WTDC-21/901", "meeting": "WTDC-21", "title": "Предложения Регионального содружества",
                 "summary": "Пересмотр Резолюции 37 о преодолении цифрового разрыва."})
    docs.append({"id": "WTDC-21/902", "meeting": "WTDC-21", "title": "关于数字鸿沟的提案",
                 "summary": "修订第37号决议，弥合数字鸿沟。"})
    docs.append({"id": "WTDC-21/903", "meeting": "WTDC-21", "title": "Propuesta sobre la Resolución 37",
                 "summary": "Reducción de la brecha digital en las regiones."})
    docs.append({"id": "WTDC-21/904", "meeting": "WTDC-21", "title": "مقترح بشأن القرار 37",
                 "summary": "سد الفجوة الرقمية بين البلدان."})
    write_records(src, "document", docs)
    out = tmp_path / "extra.wtdc.zip"
    code, _out, err = run_cli("bundle", "build", src, "--out", out)
    assert code == 0, err
    return out


def test_search_finds_french_spanish_russian_arabic_and_chinese_words(demo_store, tmp_path):
    from wtdc_desktop.bundles.apply import apply_bundle
    from wtdc_desktop.store import fulltext, list_rows

    apply_bundle(demo_store, _russian_and_chinese_bundle(tmp_path), source="test")
    fr = fulltext.search_all(demo_store, "interregionales")  # typed without the accent
    assert fr and all(h.type == "proposal" for h in fr[:2])
    assert "\x02" in fr[0].snippet  # the match is marked for highlighting
    ru = fulltext.search_all(demo_store, "разрыва")
    assert [h.id for h in ru] == ["WTDC-21/901"]
    assert [h.id for h in fulltext.search_all(demo_store, "reduccion brecha")] == ["WTDC-21/903"]  # no accent typed
    assert [h.id for h in fulltext.search_all(demo_store, "الفجوة")] == ["WTDC-21/904"]
    zh = fulltext.search_all(demo_store, "数字鸿沟")
    assert [h.id for h in zh] == ["WTDC-21/902"]
    zh_short = fulltext.search_all(demo_store, "鸿沟")  # two characters: below the trigram length
    assert [h.id for h in zh_short] == ["WTDC-21/902"]
    assert list_rows.view_count(demo_store, "document", "数字鸿沟") == 1
    assert fulltext.search_all(demo_store, "interregionales", meeting="WTDC-21") == []
    assert fulltext.search_all(demo_store, "interregionales", types=("resolution",)) == []


def test_search_dialog_groups_hits_and_enter_opens_the_record(window, qtbot):
    from wtdc_desktop.ui.lists import RecordListView

    window.open_search()
    dialog = window.search
    dialog.query.setText("interregionales")
    dialog.run_search()
    heads = [dialog.results.topLevelItem(i).text(0) for i in range(dialog.results.topLevelItemCount())
             if not dialog.results.topLevelItem(i).data(0, Qt.UserRole + 1)]
    assert any(h.startswith("Proposals (") for h in heads)
    dialog.kind.setCurrentIndex(dialog.kind.findData("proposal"))
    heads = [dialog.results.topLevelItem(i).text(0) for i in range(dialog.results.topLevelItemCount())
             if not dialog.results.topLevelItem(i).data(0, Qt.UserRole + 1)]
    assert heads == ["Proposals (2)"]
    qtbot.keyClick(dialog.query, Qt.Key_Return)
    assert window.current_key() == "proposals"
    view = window.views["proposals"]
    if isinstance(view, RecordListView):
        assert view.detail.record_id in ("WD2/1.1", "WD2/2.5")


def test_notes_are_searchable_and_lead_to_their_record(window):
    from wtdc_desktop.store import fulltext, record_marks

    record_marks.save_note(window.store, "resolution", "WTDC/24", "Приоритет для нашей делегации")
    hits = fulltext.search_all(window.store, "делегации", types=("note",))
    assert len(hits) == 1
    assert fulltext.note_subject(window.store, hits[0].id) == ("resolution", "WTDC/24")


# --- the delegation's layer -------------------------------------------------------------------------

def test_a_star_set_in_one_view_shows_in_the_list_of_another_without_reloading_it(window, monkeypatch):
    """The detail pane writes through the workspace; the window hands the Changes to the other views."""
    from wtdc_desktop.store import record_marks
    from wtdc_desktop.workspace import Changes

    window.show_view("proposals")
    model = window.views["proposals"].model
    marks = model.index(model.row_of("WD2/2.1"), 0)
    assert not model.data(marks).startswith("★")
    reset = []
    model.modelReset.connect(lambda: reset.append(True))
    told = []
    today = window.views["today"]
    monkeypatch.setattr(today, "reload", lambda changes=None: told.append(changes))
    window.show_view("changes")
    detail = window.views["changes"].detail
    assert detail.show_record("proposal", "WD2/2.1")
    detail.star.setChecked(True)  # the star of the What changed view's detail pane
    assert record_marks.is_starred(window.store, "proposal", "WD2/2.1")
    assert model.data(marks).startswith("★")  # the Proposals list's marks column
    assert reset == []  # its rows were kept, only their marks read again
    assert told == [Changes.of(delegation=("star",))]


def test_star_note_and_read_mark_persist_across_a_restart(qtbot, data_dir):
    from wtdc_desktop.ui.app import open_window

    win = open_window(data_dir)
    win.show()
    win.show_view("proposals")
    view = win.views["proposals"]
    view.select_record("WD2/2.1")
    detail = view.detail
    detail.star.setChecked(True)
    detail.read.setChecked(True)
    qtbot.keyClicks(detail.notes, "Soutenir *avec* reserves")
    with qtbot.waitSignal(detail.marks_changed):  # autosaved after a short pause
        pass
    assert view.model.marks_text("WD2/2.1").startswith("★ ✎")
    dispose(win)

    again = open_window(data_dir)
    view = again.views["proposals"]
    view.select_record("WD2/2.1")
    assert view.detail.star.isChecked() and view.detail.read.isChecked()
    assert view.detail.notes.toPlainText() == "Soutenir *avec* reserves"
    view.select_record("WD2/2.2")
    assert not view.detail.star.isChecked()
    dispose(again)


def test_list_rows_show_unread_in_bold_and_the_marks_in_words(qtbot, data_dir):
    from PySide6.QtCore import Qt

    from wtdc_desktop.ui.app import open_window

    win = open_window(data_dir, initial_view="proposals")
    win.show()
    view = win.views["proposals"]
    model = view.model
    row = model.row_of("WD2/2.1")
    marks, symbol = model.index(row, 0), model.index(row, 1)
    assert model.data(symbol, Qt.FontRole).bold()  # unread
    assert model.data(symbol, Qt.DisplayRole)
    assert model.data(symbol, Qt.DecorationRole) is None
    view.select_record("WD2/2.1")
    with qtbot.waitSignal(view.detail.marks_changed):
        view.detail.star.setChecked(True)
    with qtbot.waitSignal(view.detail.marks_changed):
        view.detail.read.setChecked(True)
    assert model.data(symbol, Qt.FontRole) is None  # read: the view's own font
    assert model.data(marks, Qt.DisplayRole).startswith("★")
    assert "starred" in model.data(marks, Qt.ToolTipRole)
    assert "unread" not in model.data(marks, Qt.AccessibleTextRole)
    assert model.headerData(1, Qt.Horizontal, Qt.DisplayRole) == "Symbol / id"
    assert model.headerData(1, Qt.Vertical, Qt.DisplayRole) is None
    dispose(win)


def test_rows_table_model_formats_and_right_aligns_only_what_it_is_asked_to():
    from PySide6.QtCore import Qt

    from wtdc_desktop.ui.models import RowsTableModel

    model = RowsTableModel(["Proposal", "Cost"], right_aligned=(1,), formatters={1: lambda v: f"CHF {v:,}"})
    model.set_rows([("WD2/2.1", 1250000)])
    cost = model.index(0, 1)
    assert model.data(cost, Qt.DisplayRole) == "CHF 1,250,000"
    assert model.data(cost, Qt.TextAlignmentRole) == int(Qt.AlignRight | Qt.AlignVCenter)
    assert model.data(model.index(0, 0), Qt.TextAlignmentRole) is None
    assert model.data(model.index(0, 0), Qt.DisplayRole) == "WD2/2.1"
    assert model.headerData(1, Qt.Horizontal, Qt.DisplayRole) == "Cost"


def test_the_window_reopens_on_the_view_it_was_closed_on_building_that_view_alone(qtbot, data_dir):
    from wtdc_desktop.ui.app import open_window

    win = open_window(data_dir, initial_view="proposals")
    win.show()
    assert win.current_key() == "proposals"
    assert win.nav.currentItem().text() == "Proposals"
    assert win.views["proposals"].model.rowCount() > 0
    assert not win.views.is_built("today")  # start-up builds only the view it shows
    win.save_state()
    dispose(win)

    for remembered in ("no-such-view", None):  # a view of another version, or none: Today
        again = open_window(data_dir, initial_view=remembered)
        assert again.current_key() == "today"
        assert again.views.is_built("today") and not again.views.is_built("proposals")
        dispose(again)


# --- safe rendering ----------------------------------------------------------------------------------

HOSTILE = ('<script>alert(1)</script> [js](javascript:alert(1)) [file](file:///etc/passwd) '
           '![img](https://example.org/x.png) <img src="https://example.org/y.png"> '
           '<iframe src="https://example.org"></iframe> [ok](https://www.itu.int/) [mail](mailto:a@b.org) '
           '<a href="data:text/html,x">data</a>')


def test_a_hostile_record_renders_with_nothing_active_and_no_load(qtbot, demo_store, tmp_path):
    from wtdc_desktop.bundles.apply import apply_bundle
    from wtdc_desktop.ui.detail import DetailPane

    src = tmp_path / "src"
    shutil.copytree(DEMO_SOURCE, src)
    manifest = json.loads((src / "manifest.json").read_text("utf-8"))
    set_header(src, sequence=manifest["sequence"] + 1)
    docs = [json.loads(line) for line in (src / "records" / "document.jsonl").read_text("utf-8").splitlines() if line]
    docs.append({"id": "WTDC-21/666", "meeting": "WTDC-21", "title": "<script>alert(2)</script>Hostile",
                 "summary": HOSTILE, "source": "<img src=https://example.org/z.png>"})
    write_records(src, "document", docs)
    code, _o, err = run_cli("bundle", "build", src, "--out", tmp_path / "h.wtdc.zip")
    assert code == 0, err
    apply_bundle(demo_store, tmp_path / "h.wtdc.zip", source="test")

    pane = DetailPane(demo_store)
    qtbot.addWidget(pane)
    opened = []
    pane.browser.external_opener = opened.append
    pane.show()
    assert pane.show_record("document", "WTDC-21/666")
    html = pane.browser.toHtml()
    for bad in ("<script", 'href="javascript:', 'href="file:', "<img", "<iframe", 'href="data:', 'src="'):
        assert bad not in html
    assert "alert(2)" in pane.browser.toPlainText()  # shown as text
    assert pane.browser.load_attempts == 0
    for url in ("javascript:alert(1)", "file:///etc/passwd", "data:text/html,x", "http://example.org/"):
        pane.browser.anchorClicked.emit(QUrl(url))
    assert opened == []
    pane.browser.anchorClicked.emit(QUrl("https://www.itu.int/"))
    pane.browser.anchorClicked.emit(QUrl("mailto:a@b.org"))
    pane.browser.anchorClicked.emit(QUrl("tel:+41227305111"))  # a coordinator's number, to the phone
    assert [u.toString() for u in opened] == ["https://www.itu.int/", "mailto:a@b.org", "tel:+41227305111"]


# --- documents' files ------------------------------------------------------------------------------

def test_open_file_copies_from_the_cache_and_says_when_missing(qtbot, demo_store):
    from wtdc_desktop.ui.detail import DetailPane

    pane = DetailPane(demo_store)
    qtbot.addWidget(pane)
    opened = []
    pane.file_opener = opened.append
    pane.show_record("document", "TDAG-WD2-20/1")
    assert pane.language.count() == 1 and pane.language.currentData() == "fr"
    path = pane.open_selected_file()
    assert path.name == "TDAG-WD2-20-1-F.txt" and "Dialogue web" in path.read_text("utf-8")
    assert opened == [QUrl.fromLocalFile(str(path))]
    for f in demo_store.files_dir.rglob("*"):
        if f.is_file():
            f.unlink()
    assert pane.open_selected_file() is None
    assert "not in the file cache" in pane.file_message.text()
    assert len(opened) == 1


# --- sync on a worker ---------------------------------------------------------------------------------

def test_a_sync_on_the_worker_keeps_the_event_loop_running(qtbot, store):
    from wtdc_desktop.resources import demo_bundle_path
    from wtdc_desktop.store import published
    from wtdc_desktop.ui.sync_view import SyncController

    controller = SyncController(store.data_dir)
    ticks = []
    timer = QTimer()
    timer.setInterval(0)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    with qtbot.waitSignal(controller.finished, timeout=60000):
        controller.sync_path(demo_bundle_path(), source="demo")
    timer.stop()
    assert len(ticks) > 1
    assert published.counts(store)["proposal"] == 20


def _many_documents_bundle(tmp_path, n: int):
    src = tmp_path / "many"
    shutil.copytree(DEMO_SOURCE, src)
    manifest = json.loads((src / "manifest.json").read_text("utf-8"))
    set_header(src, sequence=manifest["sequence"] + 1)
    docs = [json.loads(line) for line in (src / "records" / "document.jsonl").read_text("utf-8").splitlines() if line]
    docs += [{"id": f"WTDC-21/{1000 + i}", "meeting": "WTDC-21", "title": f"Contribution {i}"} for i in range(n)]
    write_records(src, "document", docs)
    out = tmp_path / "many.wtdc.zip"
    code, _o, err = run_cli("bundle", "build", src, "--out", out)
    assert code == 0, err
    return out


def test_cancelling_a_sync_leaves_the_store_as_before(qtbot, store, tmp_path):
    from wtdc_desktop.resources import demo_bundle_path
    from wtdc_desktop.store import published
    from wtdc_desktop.ui.sync_view import SyncController

    from wtdc_desktop.bundles.apply import apply_bundle

    apply_bundle(store, demo_bundle_path(), source="demo")
    before = table_fingerprint(store)
    bundle = _many_documents_bundle(tmp_path, 1500)  # apply checks for a cancel every 500 records
    controller = SyncController(store.data_dir)
    with qtbot.waitSignal(controller.failed, timeout=60000) as failed:
        worker = controller.sync_path(bundle)
        worker.cancel()
    assert "cancelled" in failed.args[0]
    assert published.counts(store)["document"] == 2
    assert table_fingerprint(store) == before


def test_a_refused_bundle_shows_a_dismissable_banner(window, qtbot, tmp_path):
    bad = tmp_path / "bad.wtdc.zip"
    bad.write_bytes(b"not a zip")
    with qtbot.waitSignal(window.sync.failed, timeout=60000):
        window.sync.sync_path(bad)
    texts = window.banner_texts()
    assert any("refused" in t and "bad.wtdc.zip" in t for t in texts)
    banner = [window.banners.itemAt(i).widget() for i in range(window.banners.count())][-1]
    banner.dismiss()
    assert not any("refused" in t for t in window.banner_texts())


def test_an_empty_store_offers_the_demo_and_a_source(qtbot, data_dir):
    from wtdc_desktop.store import published
    from wtdc_desktop.ui.app import open_window

    win = open_window(data_dir, load_demo_if_empty=False)
    assert any("empty" in t for t in win.banner_texts())
    with qtbot.waitSignal(win.sync.finished, timeout=60000):
        win.load_demo()
    assert published.counts(win.store)["proposal"] == 20
    assert win.views["proposals"].model.rowCount() == 20
    dispose(win)


# --- internal links ------------------------------------------------------------------------------------

@pytest.mark.parametrize("url, key, record", [
    ("wtdc:document/TDAG-WD2-20%2F1", "documents", "TDAG-WD2-20/1"),
    ("wtdc:resolution/WTDC%2F24", "resolutions", "WTDC/24"),
    ("wtdc:resolution/24", "resolutions", "WTDC/24"),
    ("wtdc:proposal/WD2%2F2.4", "proposals", "WD2/2.4"),
    ("wtdc:question/3%2F1", "questions", "2022-2025:3/1"),  # a Question named by its number
])
def test_internal_links_navigate(window, url, key, record):
    window.show_view("documents")
    source = window.views["documents"]
    source.select_record("TDAG-20/37")
    source.detail.browser.anchorClicked.emit(QUrl(url))
    assert window.current_key() == key
    assert window.views[key].detail.record_id == record


def test_mentions_in_a_record_become_links_that_navigate(window):
    window.show_view("resolutions")
    view = window.views["resolutions"]
    view.select_record("WTDC/24")
    html = view.detail.browser.toHtml()
    assert 'href="wtdc:document/TDAG-WD2-20%2F1"' in html
    window.go_back()  # nothing before: stays
    window.open_record("document", "TDAG-WD2-20/1")
    window.open_record("resolution", "WTDC/1")
    window.go_back()
    assert window.current_key() == "documents"
    window.go_forward()
    assert window.current_key() == "resolutions"
    assert not window.open_record("document", "NOWHERE-99/1")


# --- errors ----------------------------------------------------------------------------------------------

def test_a_newer_store_gives_a_dialog_not_a_traceback(monkeypatch, data_dir, qapp):
    from PySide6.QtWidgets import QMessageBox

    from wtdc_desktop.store import Store
    from wtdc_desktop.ui import app

    with Store(data_dir) as s:
        s.execute("PRAGMA user_version = 99")
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *a: shown.append(a[2]))
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: shown.append(a[2]))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    assert app.run(data_dir) == 4
    assert len(shown) == 1 and "newer version" in shown[0]


def test_unexpected_errors_are_logged_and_shown_once(monkeypatch, tmp_path, qapp):
    import logging

    from PySide6.QtWidgets import QMessageBox

    from wtdc_desktop.ui import app

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: shown.append(a[2]))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    root = logging.getLogger()
    handlers = list(root.handlers)
    try:
        path = app.install_error_handling(tmp_path)
        for _ in range(2):
            try:
                raise RuntimeError("boom in a slot")
            except RuntimeError:
                sys.excepthook(*sys.exc_info())
    finally:
        for h in root.handlers[:]:
            if h not in handlers:
                h.close()
                root.removeHandler(h)
    assert len(shown) == 1 and str(path) in shown[0]
    assert "boom in a slot" in path.read_text("utf-8")


# --- settings and state -----------------------------------------------------------------------------

def test_settings_dialog_says_only_a_new_data_folder_needs_a_restart(own_settings, window, monkeypatch):
    from wtdc_desktop.ui.settings import SettingsDialog

    dialog = SettingsDialog(window.store, window)
    assert any("next time" in w.text() for w in dialog.findChildren(type(window.sync_label)))
    dialog.language.setCurrentIndex(dialog.language.findData("fr"))
    assert dialog.new_language() == "fr"
    assert dialog.save() is False  # a language applies at once
    assert dialog.add_source(str(window.store.data_dir))
    assert dialog.sources.count() == 1


def test_window_state_and_last_view_are_restored(qtbot, data_dir):
    from wtdc_desktop.ui.app import open_window

    win = open_window(data_dir)
    win.show_view("questions")
    win.views["questions"].splitter.setSizes([300, 700])
    sizes = win.views["questions"].splitter.sizes()
    dispose(win)
    again = open_window(data_dir)
    again.restore_state()
    assert again.current_key() == "questions"
    assert again.views["questions"].splitter.sizes() == sizes
    dispose(again)


# --- revisions, stale material, records without a list ------------------------------------------------

def _demo_variant(tmp_path, name: str, **header):
    src = tmp_path / name
    shutil.copytree(DEMO_SOURCE, src)
    manifest = json.loads((src / "manifest.json").read_text("utf-8"))
    set_header(src, sequence=manifest["sequence"] + 1, **header)
    return src


def _build(src, out):
    code, _o, err = run_cli("bundle", "build", src, "--out", out)
    assert code == 0, err
    return out


def test_a_revised_resolution_shows_a_word_diff_between_versions(qtbot, demo_store, tmp_path):
    from wtdc_desktop.bundles.apply import apply_bundle
    from wtdc_desktop.ui.detail import DetailPane

    src = _demo_variant(tmp_path, "rev")
    resolutions = [json.loads(line) for line in (src / "records" / "resolution.jsonl").read_text("utf-8").splitlines()
                   if line]
    for r in resolutions:
        if r["id"] == "WTDC/24":
            r["revision"] = "Rév. Kigali, 2022"
            r["text"] = r["text"].replace("Plusieurs participants", "De nombreux participants")
    write_records(src, "resolution", resolutions)
    apply_bundle(demo_store, _build(src, tmp_path / "rev.wtdc.zip"), source="test")

    pane = DetailPane(demo_store)
    qtbot.addWidget(pane)
    pane.show_record("resolution", "WTDC/24")
    assert pane.compare_from.count() == 2 and not pane.compare_from.isHidden()
    html = pane.browser.toHtml()
    assert "Plusieurs" in html and "De nombreux" in html  # the deleted and inserted words
    assert "Rév. Dubaï, 2014" in pane.browser.toPlainText() and "Rév. Kigali, 2022" in pane.browser.toPlainText()
    pane.compare_from.setCurrentIndex(1)  # a version against itself: no change marked
    assert "De nombreux" in pane.browser.toPlainText() and "Plusieurs" not in pane.browser.toPlainText()


def test_expired_material_shows_a_stale_banner(qtbot, data_dir, tmp_path):
    from wtdc_desktop.bundles.apply import apply_bundle
    from wtdc_desktop.store import Store
    from wtdc_desktop.ui.app import open_window

    src = _demo_variant(tmp_path, "stale", expires_at="2020-06-01T00:00:00Z")
    with Store(data_dir) as s:
        apply_bundle(s, _build(src, tmp_path / "stale.wtdc.zip"), source="usb")
    win = open_window(data_dir)
    assert any("out of date" in t for t in win.banner_texts())
    dispose(win)


def test_a_record_without_a_list_opens_in_a_dialog_and_sync_now_without_sources_says_so(window, qtbot):
    assert window.open_record("meeting", "WTDC-21")
    assert "WTDC-21" in window.record_dialog.detail.browser.toPlainText()
    window.record_dialog.close()
    with qtbot.waitSignal(window.sync.failed) as failed:
        window.sync.sync_now()
    assert "were synced once and are not remembered" in failed.args[0]  # the demo is listed: never "no source"


def test_a_full_disk_while_saving_shows_a_banner_not_a_traceback(window, monkeypatch):
    from wtdc_desktop.store.db import DiskFull
    from wtdc_desktop.ui import app

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(app, "user_error_sink", [lambda message: window.show_banner("error", message)])
    import logging

    root = logging.getLogger()
    handlers = list(root.handlers)
    app.install_error_handling(window.store.data_dir)
    try:
        raise DiskFull("The disk holding the store is full; free some space and try again (nothing was changed).")
    except DiskFull:
        sys.excepthook(*sys.exc_info())
    finally:
        for h in root.handlers[:]:
            if h not in handlers:
                h.close()
                root.removeHandler(h)
    assert any("disk holding the store is full" in t for t in window.banner_texts())


def test_first_launch_opens_on_the_demo_with_an_offer_to_add_a_source(qtbot, tmp_path):
    from wtdc_desktop.store import published
    from wtdc_desktop.ui.app import open_window

    win = open_window(tmp_path / "first", load_demo_if_empty=True)
    qtbot.addWidget(win)
    try:
        assert published.counts(win.store)["proposal"] == 20
        assert any("built-in demo content" in t for t in win.banner_texts())
        assert not any("empty" in t for t in win.banner_texts())
    finally:
        win.store.close()


def test_periodic_sync_waits_for_a_source_before_loading_the_sync_machinery(qtbot, tmp_path, monkeypatch):
    from wtdc_desktop.store import Store
    from wtdc_desktop.store import sources as source_table
    from wtdc_desktop.ui.sync_view import SyncController

    monkeypatch.setattr(SyncController, "FIRST_SYNC_DELAY_MS", 10)
    controller = SyncController(tmp_path)
    controller.start_periodic(15)
    qtbot.wait(200)
    assert controller._scheduler is None  # nothing to sync: no scheduler, no network code loaded
    with Store(tmp_path) as store:
        source_table.add_source(store, str(tmp_path / "bundles"), "folder")
    controller.set_interval(15)  # what saving Settings does
    assert controller._scheduler is not None and controller._scheduler._running_schedule
    controller.stop()
    assert not controller._scheduler._running_schedule


def test_a_sync_now_before_the_first_periodic_sync_does_not_cancel_the_schedule(qtbot, tmp_path, monkeypatch):
    from wtdc_desktop.store import Store
    from wtdc_desktop.store import sources as source_table
    from wtdc_desktop.ui.sync_view import SyncController

    with Store(tmp_path) as store:
        source_table.add_source(store, str(tmp_path / "bundles"), "folder")
    monkeypatch.setattr(SyncController, "FIRST_SYNC_DELAY_MS", 300)
    controller = SyncController(tmp_path)
    controller.start_periodic(15)
    assert controller.scheduler is not None  # "Sync now" makes the scheduler before the schedule starts
    qtbot.waitUntil(lambda: controller._scheduler._running_schedule, timeout=5000)
    controller.stop()


def test_every_view_is_a_view_and_refreshes_only_for_what_it_shows(window, qtbot, monkeypatch):
    from wtdc_desktop.ui.view import View
    from wtdc_desktop.workspace import Changes

    for key in window.views.declared():
        assert isinstance(window.views[key], View), key
    reloaded = []
    proposals = window.views["proposals"]
    monkeypatch.setattr(proposals.model, "reload", lambda: reloaded.append("proposals"))
    documents = window.views["documents"]
    monkeypatch.setattr(documents.model, "reload", lambda: reloaded.append("documents"))

    def shown_in_turn():  # a list behind another view reloads when it is shown
        for key in ("documents", "proposals", "today"):
            window.show_view(key)
            qtbot.wait(1)

    window.reload(Changes.of(records=("proposal",)))
    shown_in_turn()
    assert reloaded == ["proposals"]
    reloaded.clear()
    window.reload(Changes(syncs=True))  # a sync that applied nothing
    shown_in_turn()
    assert reloaded == []
    window.reload()  # everything
    shown_in_turn()
    assert sorted(reloaded) == ["documents", "proposals"]


def test_a_position_set_through_the_workspace_says_what_changed(demo_store):
    from wtdc_desktop.workspace import Changes, Workspace

    outcome = Workspace(demo_store).set_position("resolution", "WTDC/24", stance="support")
    assert outcome.value
    assert outcome.changes == Changes.of(records=("resolution",), delegation=("position",))
    assert outcome.changes.touches(delegation=("position",)) and not outcome.changes.touches(records=("document",))


_PRELOAD_CHILD = """
import sys, time
from pathlib import Path
from PySide6.QtCore import QEventLoop, QTimer
from wtdc_desktop.ui import main_window
from wtdc_desktop.ui.app import make_app, open_window

app = make_app()
win = open_window(Path(sys.argv[1]))
win.show()
loaded_at_start = "wtdc_desktop.ui.agenda.view" in sys.modules
loop = QEventLoop()
QTimer.singleShot(main_window.PRELOAD_AFTER_MS + 1500, loop.quit)
loop.exec()
print(loaded_at_start, "wtdc_desktop.ui.agenda.view" in sys.modules, win.views.is_built("agenda"), win._preload)
"""


def test_the_agendas_code_loads_while_the_window_is_idle_not_when_it_is_first_opened(tmp_path):
    """Python loading the Agenda's modules (40–55 ms in one piece) held the window at its first open;
    they load a module per turn of the event loop once the window is up, before anyone opens it."""
    import os
    import subprocess

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"))
    out = subprocess.run([sys.executable, "-c", _PRELOAD_CHILD, str(tmp_path / "data")], capture_output=True,
                         text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-4:] == ["False", "True", "False", "[]"]


_MODULES_CHILD = """
import sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
from wtdc_desktop.ui.app import make_app, open_window

app = make_app()
win = open_window(Path(sys.argv[1]), load_demo_if_empty=False)
win.show()
for key in win.views.declared():
    win.show_view(key)
    for _ in range(5):
        app.processEvents()
print(sorted(m for m in ("hashlib", "_hashlib", "ssl") if m in sys.modules))
"""


def test_the_window_opens_every_view_without_loading_openssl(tmp_path, demo_store):
    """hashlib maps the whole of OpenSSL's libcrypto (3 MB resident); the window hashes nothing
    until a sync or an export, which load it then."""
    import os
    import shutil
    import subprocess

    demo_store.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = shutil.copytree(demo_store.data_dir, tmp_path / "data")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"))
    out = subprocess.run([sys.executable, "-c", _MODULES_CHILD, str(data)], capture_output=True,
                         text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"
