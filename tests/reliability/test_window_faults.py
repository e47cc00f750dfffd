"""The window under faults, hostile content and load (offscreen).

- a note save that fails (the disk is full): the text stays in the editor and in memory, the reason is
  shown with a Retry button, and Retry saves it once there is room again;
- hostile records applied through a real bundle and shown in the main window's detail pane: no script,
  no resource load attempted (counted by the browser's ``loadResource`` override), no link handed to
  the system (``QDesktopServices.openUrl`` patched), and a 4 MiB text renders (its time is printed);
- a sync applying on the worker while the user scrolls a list, searches and edits a note: no edit lost,
  and the GUI thread's event loop keeps running (latency measured with a QTimer and printed).
"""

from __future__ import annotations

import json
import shutil
import statistics
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PySide6.QtCore import QElapsedTimer, QTimer, QUrl, Qt

from helpers import DEMO_BUNDLE, DEMO_SOURCE, dispose, set_header, write_records
from wtdc_desktop.bundles.apply import apply_bundle
from wtdc_desktop.bundles.limits import MiB
from wtdc_desktop.bundles.writer import build_bundle
from wtdc_desktop.store import Store, record_marks

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("own_settings")]


@pytest.fixture
def opened(monkeypatch):
    """Every URL the window hands to the system (QDesktopServices.openUrl, patched)."""
    from wtdc_desktop.ui import detail

    urls: list[str] = []

    class FakeDesktop:
        @staticmethod
        def openUrl(url):  # noqa: N802 - Qt's name
            urls.append(url.toString())
            return True

    monkeypatch.setattr(detail, "QDesktopServices", FakeDesktop)
    return urls


def open_main_window(qtbot, data_dir: Path):
    from wtdc_desktop.ui.app import open_window

    win = open_window(data_dir)
    win.resize(1200, 800)
    win.show()
    qtbot.waitExposed(win)
    return win


# --- a note save on a full disk ------------------------------------------------------------------------

def test_a_note_that_cannot_be_saved_stays_in_memory_and_is_offered_for_retry(qtbot, data_dir, tmp_path):
    win = open_main_window(qtbot, data_dir)
    try:
        win.show_view("proposals")
        view = win.views["proposals"]
        view.select_record("WD2/2.1")
        detail = view.detail
        qtbot.keyClicks(detail.notes, "Premiere version.")
        with qtbot.waitSignal(detail.marks_changed, timeout=10000):
            pass
        assert record_marks.notes_for(win.store, "proposal", "WD2/2.1")[0]["body"] == "Premiere version."

        # the disk fills up: the window's store connection may not grow by a single page
        pages = win.store.execute("PRAGMA page_count").fetchone()[0]
        win.store.execute(f"PRAGMA max_page_count = {pages}")
        long_text = "Position détaillée de la délégation. " * 20000
        detail.notes.setPlainText(long_text)
        qtbot.waitUntil(lambda: detail.note_retry.isVisible(), timeout=10000)
        assert "full" in detail.note_status.text() and "Unsaved" in detail.note_status.text()
        assert detail.notes.toPlainText() == long_text  # kept in the editor
        assert record_marks.notes_for(win.store, "proposal", "WD2/2.1")[0]["body"] == "Premiere version."
        detail.grab().save(str(tmp_path / "note-disk-full.png"))

        # leaving the record and coming back: the text is still there, from memory
        view.select_record("WD2/2.2")
        assert detail.notes.toPlainText() == ""
        view.select_record("WD2/2.1")
        assert detail.notes.toPlainText() == long_text and detail.note_retry.isVisible()
        assert detail.unsaved_notes == {("proposal", "WD2/2.1"): long_text}

        # retry while the disk is still full: still kept, still offered
        qtbot.mouseClick(detail.note_retry, Qt.LeftButton)
        assert detail.note_retry.isVisible() and detail.unsaved_notes

        # room again: Retry saves it
        win.store.execute("PRAGMA max_page_count = 1073741823")
        qtbot.mouseClick(detail.note_retry, Qt.LeftButton)
        assert not detail.note_retry.isVisible() and detail.unsaved_notes == {}
        assert record_marks.notes_for(win.store, "proposal", "WD2/2.1")[0]["body"] == long_text
    finally:
        dispose(win)
    with Store(data_dir) as store:
        assert store.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert record_marks.notes_for(store, "proposal", "WD2/2.1")[0]["body"] == long_text


# --- hostile rendering in the main window -------------------------------------------------------------

HOSTILE_LINKS = ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>",
                 "file:///etc/passwd", "qrc:/icons/app.png", "http://example.org/", "//example.org/x",
                 "vbscript:msgbox(1)", "ftp://example.org/x"]
HOSTILE_BODIES = {
    "links": " ".join(f"[l{i}]({u})" for i, u in enumerate(HOSTILE_LINKS))
    + " " + " ".join(f'<a href="{u}">h{i}</a>' for i, u in enumerate(HOSTILE_LINKS)),
    "images": '![md](https://example.org/a.png) <img src="https://example.org/b.png"> '
              '<img src="file:///etc/passwd"> <img src="qrc:/x.png"> <img src="data:image/png;base64,iVBORw0KGgo=">',
    "css": '<div style="background:url(https://example.org/c.png)">styled</div>'
           '<style>body{background:url(https://example.org/d.png)} @import url(https://example.org/e.css);</style>'
           '<link rel="stylesheet" href="https://example.org/f.css">',
    "frames": '<iframe src="https://example.org"></iframe><object data="https://example.org/o"></object>'
              '<embed src="https://example.org/e"><frameset><frame src="https://example.org/f"></frameset>',
    "svg": '<svg onload="alert(1)"><image href="https://example.org/s.png"/><script>alert(2)</script></svg>'
           '<math><mi xlink:href="javascript:alert(3)">x</mi></math><body onload=alert(4)>',
    "script": "<script>alert(5)</script><scr<script>ipt>alert(6)</script><noscript><p title='</noscript><img src=x onerror=alert(7)>'>",
    "nested": "<div>" * 5000 + "deep" + "</div>" * 5000 + "\n\n" + "> " * 2000 + "quoted" + "\n\n" + "*" * 20000,
}


class _Active(HTMLParser):
    """What in a rendered page could run or load anything: elements, event handlers, sources, styles, links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "img", "object", "embed", "frame", "frameset", "link", "svg", "image",
                   "math", "audio", "video", "source", "base", "form", "input"):  # (Qt writes its own <meta>)
            self.found.append(f"<{tag}>")
        self._in_style = tag == "style"
        for attr, value in attrs:
            value = (value or "").strip().lower()
            if attr.startswith("on") or attr in ("src", "srcset", "background", "xlink:href", "action", "data"):
                self.found.append(f"{tag} {attr}={value}")
            elif attr == "style" and "url(" in value:
                self.found.append(f"{tag} style={value}")
            elif attr == "href" and value.split(":", 1)[0] not in ("https", "mailto", "wtdc"):
                self.found.append(f"{tag} href={value}")

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style and ("url(" in data or "@import" in data):
            self.found.append(f"style {data.strip()[:60]}")


def active_parts(html: str) -> list[str]:
    parser = _Active()
    parser.feed(html)
    return parser.found


def hostile_bundle(tmp_path: Path) -> tuple[Path, str]:
    src = tmp_path / "hostile-src"
    shutil.copytree(DEMO_SOURCE, src)
    manifest = json.loads((src / "manifest.json").read_text("utf-8"))
    set_header(src, sequence=manifest["sequence"] + 1)
    lines = (src / "records" / "document.jsonl").read_text("utf-8").splitlines()
    docs = [json.loads(line) for line in lines if line]
    for i, (name, body) in enumerate(HOSTILE_BODIES.items()):
        docs.append({"id": f"WTDC-21/{900 + i}", "meeting": "WTDC-21", "title": f"Hostile {name} <b>x</b>",
                     "summary": body, "text": body, "source": '<img src="https://example.org/src.png">'})
    big = ("Full text of a very long contribution on digital inclusion. " * 70000)[: 4 * MiB - 4096]
    docs.append({"id": "WTDC-21/999", "meeting": "WTDC-21", "title": "A 4 MiB text", "text": big})
    write_records(src, "document", docs)
    out = tmp_path / "hostile.wtdc.zip"
    build_bundle(src, out)
    return out, big


def test_hostile_records_render_inert_in_the_main_window(qtbot, data_dir, tmp_path, opened):
    bundle, big = hostile_bundle(tmp_path)
    with Store(data_dir) as store:
        apply_bundle(store, DEMO_BUNDLE, source="demo")
        apply_bundle(store, bundle, source="hostile")
    win = open_main_window(qtbot, data_dir)
    try:
        for i, name in enumerate(HOSTILE_BODIES):
            assert win.open_record("document", f"WTDC-21/{900 + i}"), name
            pane = win.views[win.current_key()].detail
            browser = pane.browser
            assert active_parts(browser.toHtml()) == [], name  # raw markup may show, as text only
            for url in HOSTILE_LINKS:  # even if such a link reached the pane, clicking it opens nothing
                browser.anchorClicked.emit(QUrl(url))
            assert browser.load_attempts == 0, name
        assert opened == []
        win.grab().save(str(tmp_path / "hostile-links.png"))

        timer = QElapsedTimer()
        timer.start()
        assert win.open_record("document", "WTDC-21/999")
        pane = win.views[win.current_key()].detail
        qtbot.wait(1)  # let the pane paint once
        elapsed = timer.elapsed()
        assert big[:40] in pane.browser.toPlainText()
        assert pane.browser.load_attempts == 0
        print(f"\nrendering the 4 MiB text took {elapsed} ms")
    finally:
        dispose(win)


# --- a sync while the user works --------------------------------------------------------------------------

def test_a_sync_while_scrolling_searching_and_editing_a_note(qtbot, data_dir, tmp_path):
    from bench.generate import generate

    from wtdc_desktop.store import fulltext, published

    bundle, records = generate(1000, tmp_path / "generated")
    win = open_main_window(qtbot, data_dir)
    gaps: list[float] = []
    try:
        win.show_view("proposals")
        view = win.views["proposals"]
        view.select_record("WD2/2.3")
        detail = view.detail

        last = [time.perf_counter()]

        def tick() -> None:
            now = time.perf_counter()
            gaps.append((now - last[0]) * 1000)
            last[0] = now

        timer = QTimer()
        timer.setInterval(10)
        timer.timeout.connect(tick)
        timer.start()
        controller = win.sync
        with qtbot.waitSignal(controller.finished, timeout=180000) as done:
            controller.sync_path(bundle, source="test")
            # meanwhile, on the GUI thread: scroll, search, edit a note
            bar = view.table.verticalScrollBar()
            for step in range(30):
                bar.setValue(step % max(1, bar.maximum() + 1))
                qtbot.keyClick(view.table, Qt.Key_Down)
                qtbot.wait(20)
            hits = fulltext.search_all(win.store, "TDAG")
            assert hits
            view.select_record("WD2/2.3")
            assert detail.record_id == "WD2/2.3"
            qtbot.keyClicks(detail.notes, "Note written during the sync.")
            started = time.perf_counter()
            saved_during_sync = detail.save_note()
            save_ms = (time.perf_counter() - started) * 1000
            if not saved_during_sync:  # the store was busy with the sync: the text waits in memory
                assert detail.unsaved_notes and "sync is running" in detail.note_status.text()
        timer.stop()
        assert done.args[0] is not None
        if not saved_during_sync:  # ...and is saved by itself once the sync has finished, with no click
            qtbot.waitUntil(lambda: not detail.unsaved_notes, timeout=15000)
        print(f"\nthe note was saved {'during' if saved_during_sync else 'after'} the sync; "
              f"saving it took {save_ms:.0f} ms on the GUI thread")
    finally:
        dispose(win)
    with Store(data_dir) as store:
        notes = record_marks.notes_for(store, "proposal", "WD2/2.3")
        assert notes and notes[0]["body"] == "Note written during the sync."  # no lost edit
        assert published.counts(store)["document"] >= len(records["document"])
    assert len(gaps) >= 20  # the event loop kept running during the sync
    p95 = statistics.quantiles(gaps, n=20)[-1]
    print(f"\nevent loop during the sync: {len(gaps)} ticks, max {max(gaps):.0f} ms, p95 {p95:.0f} ms")


def test_closing_with_a_note_that_cannot_be_saved_asks_first(qtbot, data_dir, monkeypatch):
    """Retry saves the note once the disk has room again; Cancel keeps the window open."""
    from PySide6.QtWidgets import QMessageBox

    win = open_main_window(qtbot, data_dir)
    try:
        win.show_view("proposals")
        view = win.views["proposals"]
        view.select_record("WD2/1.1")
        detail = view.detail
        pages = win.store.execute("PRAGMA page_count").fetchone()[0]
        win.store.execute(f"PRAGMA max_page_count = {pages}")
        detail.notes.setPlainText("Weeks of work. " * 20000)
        qtbot.waitUntil(lambda: detail.note_retry.isVisible(), timeout=10000)  # the save failed
        answers = iter([QMessageBox.Cancel, QMessageBox.Retry])

        def exec_(box):
            answer = next(answers)
            if answer == QMessageBox.Retry:  # meanwhile the user freed some space
                win.store.execute("PRAGMA max_page_count = 1000000")
            return answer

        monkeypatch.setattr(QMessageBox, "exec", exec_)
        assert not win.close()  # Cancel: the window stays, the note is still in memory
        assert detail.unsaved_notes
        assert win.close()  # Retry: saved, then closed
        assert not detail.unsaved_notes
        assert record_marks.notes_for(win.store, "proposal", "WD2/1.1")[0]["body"].startswith("Weeks of work.")
    finally:
        dispose(win)
