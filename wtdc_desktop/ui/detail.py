"""The detail pane: one record rendered safely, its related records, and the delegation's layer on it."""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from pathlib import Path

from PySide6.QtCore import QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialogButtonBox, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QSplitter,
    QVBoxLayout, QWidget,
)
from PySide6.QtCore import Qt

from wtdc_desktop.atomic import atomic_write_bytes
from wtdc_desktop.domain.filetypes import is_openable
from wtdc_desktop.domain import records
from wtdc_desktop.domain.records import PUBLISHED_TYPES
from wtdc_desktop.domain.render import comparison_html, record_detail_html, sanitize_html
from wtdc_desktop.ui import detail_position
from wtdc_desktop.i18n import _
from wtdc_desktop.instants import format_date, format_instant_or_text
from wtdc_desktop.ui.language import directed_html, preferred_version
from wtdc_desktop.store import changes, published, record_marks, related
from wtdc_desktop.store.db import StoreError, StoreLocked
from wtdc_desktop.ui.browser import SafeTextBrowser
from wtdc_desktop.ui.save_dialogs import save_file_name
from wtdc_desktop.workspace import Workspace

log = logging.getLogger(__name__)
#: A day written as the store keeps it (ISO 8601), shown with the month by its name.
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

def field_labels() -> dict[str, str]:
    """Translated names of record fields (and of ``field:code`` values) shown in the detail pane."""
    labels = {k: _(v) for k, v in records.field_labels().items()}
    labels["notes"] = _("My notes")
    return labels


class DetailPane(QWidget):
    """A record in full, with star, read mark, notes and (for documents) its files.

    Signals:
        navigate(str, str): open another record (type, id)
        marks_changed(str, str): the star, read mark or notes of a record changed
        store_changed(Changes): what such a change wrote (for the window's other views)
    """

    navigate = Signal(str, str)
    marks_changed = Signal(str, str)
    store_changed = Signal(object)

    NOTE_DELAY_MS = 600
    #: how long a note save waits for a sync's write lock on the GUI thread (about three frames)
    NOTE_LOCK_WAIT_MS = 50
    LOCKED_RETRY_MS = 1000
    READ_DELAY_MS = 1500

    def __init__(self, store, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.workspace = Workspace(store)
        self.type_name: str | None = None
        self.record_id: str | None = None
        self.note_id: str | None = None
        self.file_opener = QDesktopServices.openUrl
        self._loading = False

        self.star = QCheckBox(_("Starred"), self)
        self.star.setAccessibleName(_("Star this record"))
        self.star.setToolTip(_("Star this record (Ctrl+D)"))
        self.read = QCheckBox(_("Read"), self)
        self.read.setAccessibleName(_("Mark this record as read"))
        self.language = QComboBox(self)
        self.language.setAccessibleName(_("Language of the file"))
        self.open_file = QPushButton(_("Open file"), self)
        self.open_file.setAccessibleName(_("Open the document's file in the system viewer"))
        self.compare_from = QComboBox(self)
        self.compare_from.setAccessibleName(_("Compare from version"))
        self.compare_to = QComboBox(self)
        self.compare_to.setAccessibleName(_("Compare to version"))
        self.compare_label = QLabel(_("Compare:"), self)
        self.file_message = QLabel(self)
        self.file_message.setWordWrap(True)
        # A file that is not a document type (a program, a script, a web page) is never opened:
        # it is offered for saving instead.
        self.save_file = QPushButton(_("Save file…"), self)
        self.save_file.setAccessibleName(_("Save the document's file to a folder of your choice"))
        self.save_file.setVisible(False)
        self.save_file.clicked.connect(lambda: self.save_selected_file())
        # offered when no application opens a file: its folder, where the user opens it
        self.show_folder = QPushButton(_("Show in folder"), self)
        self.show_folder.setAccessibleName(_("Show the file in its folder"))
        self.show_folder.setVisible(False)
        self.show_folder.clicked.connect(self._show_folder)
        self._opened_copy: Path | None = None
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        for w in (self.star, self.read, self.language, self.open_file, self.compare_label, self.compare_from,
                  self.compare_to):
            bar.addWidget(w)
        bar.addStretch(1)
        # The delegation's position on the record: "Write position" or "Edit position" opens its editor.
        self.position_button = QPushButton(self)
        self.position_button.clicked.connect(self.edit_position)
        bar.addWidget(self.position_button)
        self._compare_first = False

        self.browser = SafeTextBrowser(self)
        self.browser.setAccessibleName(_("Details"))
        self.notes = QPlainTextEdit(self)
        self.notes.setPlaceholderText(_("My notes on this record (Markdown, saved as you type, searchable)…"))
        self.notes.setAccessibleName(_("My notes"))
        self.note_status = QLabel(self)
        self.note_status.setWordWrap(True)
        # When a save fails (a full disk, a disk error), the text stays here and in memory, and
        # Retry saves it again; Qt's own "Retry" button is translated with Qt's strings.
        self._retry_box = QDialogButtonBox(QDialogButtonBox.Retry, self)
        self._retry_box.setVisible(False)
        self.note_retry = self._retry_box.button(QDialogButtonBox.Retry)
        self.note_retry.clicked.connect(self.retry_unsaved_notes)
        self._unsaved: dict[tuple[str, str], tuple[str | None, str]] = {}  # (type, id) -> (note id, text)
        self._unsaved_message = ""
        notes_box = QWidget(self)
        nlay = QVBoxLayout(notes_box)
        nlay.setContentsMargins(0, 0, 0, 0)
        nlay.addWidget(self.notes)
        status_row = QHBoxLayout()
        status_row.addWidget(self.note_status, 1)
        status_row.addWidget(self._retry_box)
        nlay.addLayout(status_row)
        self.splitter = QSplitter(Qt.Vertical, self)
        self.splitter.addWidget(self.browser)
        self.splitter.addWidget(notes_box)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(bar)
        message_row = QHBoxLayout()
        message_row.setContentsMargins(0, 0, 0, 0)
        message_row.addWidget(self.file_message, 1)
        message_row.addWidget(self.save_file)
        message_row.addWidget(self.show_folder)
        lay.addLayout(message_row)
        lay.addWidget(self.splitter, 1)

        self._note_timer = QTimer(self, singleShot=True, interval=self.NOTE_DELAY_MS)
        self._note_timer.timeout.connect(self.save_note)
        # While a sync holds the store, a note waits in memory and is saved as soon as it can be:
        # the GUI thread never blocks on the sync's write lock.
        self._locked_retry = QTimer(self, interval=self.LOCKED_RETRY_MS)
        self._locked_retry.timeout.connect(self._retry_after_lock)
        self._read_timer = QTimer(self, singleShot=True, interval=self.READ_DELAY_MS)
        self._read_timer.timeout.connect(self._auto_read)
        self.notes.textChanged.connect(self._on_note_typed)
        self.star.toggled.connect(self._on_star)
        self.read.toggled.connect(self._on_read)
        self.open_file.clicked.connect(self.open_selected_file)
        self.language.currentIndexChanged.connect(self._forget_file_offer)
        self.compare_from.currentIndexChanged.connect(self._compare_chosen)
        self.compare_to.currentIndexChanged.connect(self._compare_chosen)
        self.browser.navigate.connect(self.navigate)
        self.setTabOrder(self.star, self.read)
        self.setTabOrder(self.read, self.language)
        self.setTabOrder(self.language, self.open_file)
        self.setTabOrder(self.open_file, self.browser)
        self.setTabOrder(self.browser, self.notes)
        self.clear()

    def hideEvent(self, event) -> None:  # noqa: N802 - a hidden record is not being read
        try:
            self._read_timer.stop()
            self.save_note()
        except RuntimeError:  # the pane is being destroyed: its timers went first
            pass
        super().hideEvent(event)

    def showEvent(self, event) -> None:  # noqa: N802 - the position may have changed in another view
        super().showEvent(event)
        if self.type_name is not None and not self._loading:
            self._render()

    # -- showing ------------------------------------------------------------------

    def clear(self) -> None:
        self.save_note()
        self.type_name = self.record_id = self.note_id = None
        self.browser.setHtml(sanitize_html("<p><i>" + _("Select a record to see it here.") + "</i></p>"))
        for w in (self.star, self.read, self.notes, self.language, self.open_file, self.compare_from,
                  self.compare_to, self.compare_label):
            w.setEnabled(False)
        for w in (self.language, self.open_file, self.compare_from, self.compare_to, self.compare_label):
            w.setVisible(False)
        self.file_message.setVisible(False)
        self.save_file.setVisible(False)
        self.show_folder.setVisible(False)
        self.position_button.setVisible(False)
        self._loading = True
        self.notes.clear()
        self._loading = False

    def show_record(self, type_name: str, record_id: str) -> bool:
        """Show a record; False when the store does not hold it."""
        self.save_note()
        record = published.get_record(self.store, type_name, record_id) if type_name in PUBLISHED_TYPES else None
        if record is None:
            self.clear()
            self.browser.setHtml(sanitize_html("<p>" + _("The record {id} is not in the store.").format(
                id=record_id) + "</p>"))
            return False
        self.type_name, self.record_id = type_name, record_id
        self._record = record
        self._loading = True
        try:
            for w in (self.star, self.read, self.notes):
                w.setEnabled(True)
            self.star.setChecked(record_marks.is_starred(self.store, type_name, record_id))
            self.read.setChecked(record_marks.is_read(self.store, type_name, record_id))
            notes = record_marks.notes_for(self.store, type_name, record_id)
            self.note_id = notes[0]["id"] if notes else None
            self.notes.setPlainText(notes[0]["body"] if notes else "")
            self.note_status.clear()
            self._retry_box.setVisible(False)
            if (type_name, record_id) in self._unsaved:  # a save that failed: its text, not the store's
                self.note_id, text = self._unsaved[(type_name, record_id)]
                self.notes.setPlainText(text)
                self.note_status.setText(self._unsaved_message)
                self._retry_box.setVisible(True)
            self._setup_files()
            self._setup_versions()
            self._compare_first = False
        finally:
            self._loading = False
        self._render()
        if not self.read.isChecked() and self.isVisible():  # marked read once looked at for a moment
            self._read_timer.start()
        return True

    def _setup_files(self) -> None:
        is_doc = self.type_name == "document"
        self.language.clear()
        self.file_message.setVisible(False)
        self.save_file.setVisible(False)
        self.show_folder.setVisible(False)
        files = related.document_files(self.store, self.record_id) if is_doc else []
        self._files = {f["language"]: f for f in files}
        for lang in sorted(self._files):
            self.language.addItem(lang, lang)
        preferred = self.language.findData(preferred_version(list(self._files)))
        if preferred >= 0:
            self.language.setCurrentIndex(preferred)
        self.language.setVisible(bool(files))
        self.open_file.setVisible(bool(files))
        self.language.setEnabled(bool(files))
        self.open_file.setEnabled(bool(files))
        if is_doc and not files:
            self.file_message.setText(_("No file is attached to this document."))
            self.file_message.setVisible(True)

    def _setup_versions(self) -> None:
        self.compare_from.clear()
        self.compare_to.clear()
        self._versions: list[tuple[str, dict]] = []
        if PUBLISHED_TYPES[self.type_name].compared:  # the types whose versions are compared (the registry's)
            history = published.record_history(self.store, self.type_name, self.record_id)
            for i, item in enumerate(history):
                rec = item["record"]
                label = rec.get("revision") or _("version {n}").format(n=i + 1)
                self._versions.append((label, rec))
            if self._versions:
                self._versions.append((self._record.get("revision") or _("current"), self._record))
        show = len(self._versions) >= 2
        for i, (label, _text) in enumerate(self._versions):
            self.compare_from.addItem(label, i)
            self.compare_to.addItem(label, i)
        if show:
            self.compare_from.setCurrentIndex(len(self._versions) - 2)
            self.compare_to.setCurrentIndex(len(self._versions) - 1)
        for w in (self.compare_from, self.compare_to, self.compare_label):
            w.setVisible(show)
            w.setEnabled(show)

    def _render(self) -> None:
        if self._loading or self.type_name is None:
            return
        type_name, rid, record = self.type_name, self.record_id, self._record
        labels = field_labels()
        rtype = PUBLISHED_TYPES[type_name]
        display = {}
        badges = []
        if record.get("withdrawn"):
            badges.append(_("withdrawn"))
        badge = self._badge()
        if badge:
            badges.append(badge)
        for field in rtype.specs:
            shown = rtype.value_label(field.name, record.get(field.name))
            if shown:
                display[field.name] = shown
        for name, value in record.items():  # a day: "30 April 2020", never "4/30/20"
            if name not in display and isinstance(value, str) and _DAY.fullmatch(value):
                display[name] = format_date(value, "long")
        if type_name == "session":
            zone = self._meeting_zone(record.get("meeting"))
            display["starts_at"] = format_instant_or_text(record.get("starts_at"), zone)
            display["ends_at"] = format_instant_or_text(record.get("ends_at"), zone)
        if type_name == "deadline" and record.get("due") and "T" in str(record.get("due")):
            display["due"] = format_instant_or_text(record["due"], self._meeting_zone(record.get("meeting")))
        sections, extra = self._related(type_name, record)
        lead = detail_position.position_blocks(self.store, type_name, rid, self.position_button)
        comparison = self._comparison(labels)
        (lead if self._compare_first else extra).extend(comparison)
        notes = [n["body"] for n in record_marks.notes_for(self.store, type_name, rid)[1:]]
        html = record_detail_html(type_name, record, labels=labels, markdown_fields=rtype.markdown, display=display,
                                  badges=badges, related=sections, extra_html=extra, notes=notes, lead_html=lead)
        self.browser.setHtml(directed_html(html))

    def _comparison(self, labels: dict[str, str]) -> list[str]:
        """The two versions chosen in "Compare:", field by field (the registry's compared fields)."""
        if len(self._versions) < 2:
            return []
        a = self._versions[max(0, self.compare_from.currentIndex())]
        b = self._versions[max(0, self.compare_to.currentIndex())]
        return [comparison_html(self.type_name, a[1], b[1], labels=labels,
                                heading=_("Changes from {a} to {b}").format(a=a[0], b=b[0]))]

    def _compare_chosen(self, _index: int) -> None:
        """Versions chosen in "Compare:": their comparison heads the pane (below the text, it seemed nothing happened)."""
        if not self._loading:
            self.show_comparison()

    def show_comparison(self) -> bool:
        """Show the comparison of the last two versions first (What changed opens it so); False when
        the record has a single version."""
        if self.type_name is None or len(self._versions) < 2:
            return False
        self._compare_first = True
        self._render()
        self.browser.verticalScrollBar().setValue(0)
        return True

    def edit_position(self) -> None:
        """Open the position editor on this record (the window follows a ``position`` link)."""
        if self.type_name is not None:
            self.navigate.emit(*detail_position.editor_target(self.type_name, self.record_id))

    def _badge(self) -> str | None:
        state = changes.badge_state(self.store, self.type_name, [self.record_id]).get(self.record_id)
        return {"new": _("new since last sync"), "changed": _("changed since last sync")}.get(state or "")

    def _meeting_zone(self, meeting_id: str | None) -> str | None:
        if not meeting_id:
            return None
        meeting = published.get_record(self.store, "meeting", meeting_id)
        return meeting.get("timezone") if meeting else None

    def _related(self, type_name: str, record: dict) -> tuple[list, list[str]]:
        rid = record["id"]
        sections: list = []
        extra: list[str] = []
        if type_name == "document":
            props = related.proposals_for_document(self.store, rid)
            sections.append((_("Proposals in this document"), [(None, [("proposal", p[0], f"{p[2]} {p[1]}")
                                                                         for p in props])]))
            sessions = related.sessions_with_document(self.store, rid)
            sections.append((_("On the agenda of"), [(None, [("session", s[0], s[1]) for s in sessions])]))
        elif type_name in ("resolution", "question"):
            names = [rid, str(record.get("number", ""))]
            if type_name == "resolution":
                names.append(f"{record.get('body')} {record.get('number')}")
            props = related.proposals_for_target(self.store, type_name, [n for n in names if n])
            groups: dict[str, list] = {}
            for p in props:
                for region in p["regions"] or [_("Other sources")]:
                    groups.setdefault(region, []).append(("proposal", p["id"], f"{p['action']} {p['title']}"))
            sections.append((_("Proposals, by region"), sorted(groups.items())))
            if type_name == "resolution":
                back = related.resolutions_linking_to(self.store, rid)
                sections.append((_("Resolutions linking here"), [(None, [("resolution", i, t) for i, t in back])]))
        elif type_name == "proposal":
            target = record.get("target") or {}
            items = [("document", record.get("document"), _("the document carrying it"))]
            if target.get("type") in ("resolution", "question"):
                items.append((target["type"], str(target.get("id")), _("its target")))
            sections.append((_("Related"), [(None, [i for i in items if i[1]])]))
        return sections, extra

    # -- the delegation's layer ------------------------------------------------------

    def _on_star(self, checked: bool) -> None:
        if self._loading or self.type_name is None:
            return
        changes = self.workspace.set_star(self.type_name, self.record_id, checked).changes
        self.marks_changed.emit(self.type_name, self.record_id)
        self.store_changed.emit(changes)

    def _on_read(self, checked: bool) -> None:
        if self._loading or self.type_name is None:
            return
        self._read_timer.stop()
        changes = self.workspace.mark_read(self.type_name, self.record_id, checked).changes
        self.marks_changed.emit(self.type_name, self.record_id)
        self.store_changed.emit(changes)

    def _auto_read(self) -> None:
        if self.type_name is not None and not self.read.isChecked():
            self.read.setChecked(True)

    def toggle_star(self) -> None:
        if self.star.isEnabled():
            self.star.toggle()

    def _on_note_typed(self) -> None:
        if self._loading or self.type_name is None:
            return
        self.note_status.setText(_("Unsaved changes…"))
        self._note_timer.start()

    def save_note(self) -> bool:
        """Save the note now if it was edited (called by the debounce timer and on leaving the record).

        When the store cannot be written (a full disk, a disk error), the text is kept in the
        editor and in memory, the reason is shown with a Retry button, and False is returned.
        """
        if not self._note_timer.isActive() and not self.note_status.text():
            return True
        self._note_timer.stop()
        if self.type_name is None:
            return True
        body = self.notes.toPlainText()
        key = (self.type_name, self.record_id)
        try:
            with self.store.busy_wait(self.NOTE_LOCK_WAIT_MS):
                saved = self.workspace.save_note(self.type_name, self.record_id, body, note_id=self.note_id)
            self.note_id = saved.value
        except StoreLocked:
            log.info("a sync holds the store; the note on %s %s waits in memory", *key)
            self._unsaved[key] = (self.note_id, body)
            self._unsaved_message = _("A sync is running: the note will be saved as soon as it finishes.")
            self.note_status.setText(self._unsaved_message)
            self._locked_retry.start()
            return False
        except StoreError as exc:
            log.warning("a note on %s %s could not be saved: %s", *key, exc)
            self._unsaved[key] = (self.note_id, body)
            self._unsaved_message = _("Unsaved changes…") + " " + exc.message
            self.note_status.setText(self._unsaved_message)
            self._retry_box.setVisible(True)
            return False
        self._unsaved.pop(key, None)
        self._retry_box.setVisible(bool(self._unsaved))
        self.note_status.setText(_("Saved."))
        self.marks_changed.emit(self.type_name, self.record_id)
        if saved.changes:
            self.store_changed.emit(saved.changes)
        self.note_status.setText("")
        return True

    def retry_unsaved_notes(self) -> bool:
        """Save again every note whose save failed (the one shown first); True when all are saved."""
        if self.type_name is not None and (self.type_name, self.record_id) in self._unsaved:
            self.note_status.setText(self._unsaved_message)  # marks the shown note as still to save
            if not self.save_note():
                return False
        for (type_name, record_id), (note_id, body) in list(self._unsaved.items()):
            try:
                with self.store.busy_wait(self.NOTE_LOCK_WAIT_MS):
                    saved = self.workspace.save_note(type_name, record_id, body, note_id=note_id)
            except StoreLocked:
                self._locked_retry.start()
                return False
            except StoreError as exc:
                self._unsaved_message = _("Unsaved changes…") + " " + exc.message
                self.note_status.setText(self._unsaved_message)
                return False
            del self._unsaved[(type_name, record_id)]
            self.marks_changed.emit(type_name, record_id)
            if saved.changes:
                self.store_changed.emit(saved.changes)
        self._retry_box.setVisible(False)
        return True

    def _retry_after_lock(self) -> None:
        if self.retry_unsaved_notes():
            self._locked_retry.stop()
            self.note_status.setText("")

    @property
    def unsaved_notes(self) -> dict[tuple[str, str], str]:
        """The notes whose save failed, still held in memory: (type, id) -> text."""
        return {key: body for key, (_note_id, body) in self._unsaved.items()}

    # -- files ------------------------------------------------------------------------------

    def _selected_file(self) -> tuple[dict, Path] | None:
        """The chosen language's file entry and its path in the cache; None (said) when not there."""
        lang = self.language.currentData()
        entry = self._files.get(lang) if lang else None
        if entry is None:
            return None
        cached = self.store.files_dir / (entry["sha256"] or "")[:2] / (entry["sha256"] or "")
        if not entry["sha256"] or not cached.is_file():
            self.file_message.setText(
                _("The {language} file of this document is not in the file cache; sync the bundle that carries it.")
                .format(language=lang))
            self.file_message.setVisible(True)
            self.save_file.setVisible(False)
            return None
        return entry, cached

    def _forget_file_offer(self) -> None:
        """Another language's file: the offer to save the previous one goes."""
        if not self.save_file.isHidden():
            self.save_file.setVisible(False)
            self.show_folder.setVisible(False)
            self.file_message.setVisible(False)

    def _file_name(self, entry: dict) -> str:
        return Path(entry["path"]).name or (self.record_id.replace("/", "-") + ".bin")

    def open_selected_file(self) -> Path | None:
        """Copy the chosen language's file from the cache to a read-only temporary file and open it.

        Only a document type (domain.filetypes: its listed media type and its extension both
        allowed and agreeing) is handed to the system opener, and never with an execute bit;
        anything else is not opened, and the pane offers to save it instead."""
        found = self._selected_file()
        if found is None:
            return None
        entry, cached = found
        name = self._file_name(entry)
        if not is_openable(name, entry.get("media_type")):
            self.file_message.setText(
                _("{name} is not a document type this application opens; you can save it instead.").format(name=name))
            self.file_message.setVisible(True)
            self.save_file.setVisible(True)
            self.save_file.setEnabled(True)
            return None
        folder = Path(tempfile.mkdtemp(prefix="wtdc-open-"))
        dest = folder / name
        shutil.copyfile(cached, dest)
        os.chmod(dest, 0o444)  # read-only, no execute bit whatever the umask
        self.file_message.setVisible(False)
        self.save_file.setVisible(False)
        self.show_folder.setVisible(False)
        if self.file_opener(QUrl.fromLocalFile(str(dest))) is False:  # no application opens this type
            self._opened_copy = dest
            self.file_message.setText(_("No application on this computer opens {name}. Show it in its folder "
                                        "to open it from there, or save it.").format(name=name))
            self.file_message.setVisible(True)
            self.show_folder.setVisible(True)
            self.save_file.setVisible(True)
            self.save_file.setEnabled(True)
        return dest

    def _show_folder(self) -> None:
        """The folder of the file last opened (its read-only copy), in the system's file manager."""
        if self._opened_copy is not None:
            self.file_opener(QUrl.fromLocalFile(str(self._opened_copy.parent)))

    def save_selected_file(self, path: Path | str | None = None) -> Path | None:
        """Save the chosen language's file where the user says (written whole or not at all)."""
        found = self._selected_file()
        if found is None:
            return None
        entry, cached = found
        if path is None:
            chosen = save_file_name(self, "file", _("Save file"), self._file_name(entry))
            if not chosen:
                return None
            path = chosen
        path = Path(path)
        try:
            atomic_write_bytes(path, cached.read_bytes())
        except OSError as exc:
            self.file_message.setText(_("Could not write {path}: {reason}.").format(
                path=path, reason=exc.strerror or exc))
            self.file_message.setVisible(True)
            return None
        self.file_message.setText(_("Saved to {path}.").format(path=path))
        self.file_message.setVisible(True)
        self.save_file.setVisible(False)
        return path
