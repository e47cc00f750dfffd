"""The delegation's positions: list with filters, editor with live Markdown preview, history, colleagues' versions.

The proposals matrix and the cross-sector map are tabs of this view.
"""

from __future__ import annotations

import getpass
import html
import logging
from pathlib import Path

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QCompleter, QDialog, QDialogButtonBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
    QLineEdit, QMenu, QMessageBox, QPlainTextEdit, QPushButton, QSplitter, QTableWidget, QTableWidgetItem,
    QTabWidget, QToolButton, QVBoxLayout, QWidget,
)

from wtdc_desktop.domain.links import make_link
from wtdc_desktop.domain.positions import (
    FIELD_LABELS, PRIORITIES, PRIORITY_LABELS, STANCE_LABELS, STANCES, STATUS_LABELS, STATUSES, SUBJECT_LABELS,
    SUBJECT_TYPES,
)
from wtdc_desktop.domain.render import markdown_to_html
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.formatting import format_number
from wtdc_desktop.i18n import _, isolate, ngettext
from wtdc_desktop.instants import format_datetime
from wtdc_desktop.store import brief_packs, positions, published
from wtdc_desktop.ui.browser import SafeTextBrowser
from wtdc_desktop.ui.save_dialogs import save_file_name
from wtdc_desktop.ui.buttons import MenuButton
from wtdc_desktop.ui.crosssector import CrossSectorView
from wtdc_desktop.ui.matrix import ProposalsMatrixView
from wtdc_desktop.ui.negotiation_widgets import (
    STANCE_COLOURS, TabsFilledWhenOpened, fill_combo,
)
from wtdc_desktop.ui.workers import Worker, start
from wtdc_desktop.ui.view import wants
from wtdc_desktop.workspace import Workspace

log = logging.getLogger(__name__)
MARKDOWN_FIELDS = ("brief", "red_lines", "fallback")
PUBLISHED_SUBJECTS = {"resolution", "question", "proposal", "document"}


def local_time(iso: str | None) -> str:
    """A stored UTC instant shown in the laptop's zone, in the interface language."""
    if not iso:
        return ""
    return format_datetime(iso, fmt="short")


def current_user() -> str | None:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return None


def shown_value(field: str, value) -> str:
    """A position field's value as the user reads it (labels for stance, priority and status)."""
    tables = {"stance": STANCE_LABELS, "priority": PRIORITY_LABELS, "status": STATUS_LABELS}
    if field in tables and value in tables[field]:
        return _(tables[field][value])
    return "" if value is None else str(value)


class MarkdownEditor(QWidget):
    """A Markdown text field with its rendered preview beside it, updated as one types."""

    def __init__(self, accessible: str, parent=None) -> None:
        super().__init__(parent)
        self.edit = QPlainTextEdit(self)
        self.edit.setAccessibleName(accessible)
        self.edit.setPlaceholderText(_("Markdown: **bold**, *italic*, - lists, # headings"))
        self.preview = SafeTextBrowser(self)
        self.preview.setAccessibleName(_("Preview of {field}").format(field=accessible))
        splitter = QSplitter(Qt.Horizontal, self)
        splitter.addWidget(self.edit)
        splitter.addWidget(self.preview)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(splitter)
        self.edit.textChanged.connect(self._render)

    def _render(self) -> None:
        self.preview.setHtml(markdown_to_html(self.edit.toPlainText()))

    def text(self) -> str:
        return self.edit.toPlainText()

    def set_text(self, text: str | None) -> None:
        self.edit.setPlainText(text or "")
        self._render()


class PositionEditor(QWidget):
    """Edit one position; shows its history and, when a colleague's import differs, a field-by-field choice.

    Signals:
        saved(str, str): the position on (type, id) was saved
        open_record_requested(str, str)
        store_changed(Changes): what the save (or the choice between versions) wrote
    """

    saved = Signal(str, str)
    open_record_requested = Signal(str, str)
    store_changed = Signal(object)

    def __init__(self, store, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.workspace = Workspace(store)
        self.subject: tuple[str, str] | None = None
        self.conflict: dict | None = None
        self.heading = SafeTextBrowser(self)
        self.heading.setMaximumHeight(52)
        self.heading.setFrameShape(SafeTextBrowser.NoFrame)
        self.heading.navigate.connect(self.open_record_requested)
        self.stance = QComboBox(self)
        for s in STANCES:
            self.stance.addItem(_(STANCE_LABELS[s]), s)
        self.priority = QComboBox(self)
        self.priority.addItem(_("(none)"), None)
        for p in PRIORITIES:
            self.priority.addItem(_(PRIORITY_LABELS[p]), p)
        self.status = QComboBox(self)
        for s in STATUSES:
            self.status.addItem(_(STATUS_LABELS[s]), s)
        self.owner = QLineEdit(self)
        self.owner.setPlaceholderText(_("Who follows this item"))
        form = QFormLayout()
        form.addRow(_("Stance:"), self.stance)
        form.addRow(_("Priority:"), self.priority)
        form.addRow(_("Status:"), self.status)
        form.addRow(_("Owner:"), self.owner)
        for label, w in ((_("Stance"), self.stance), (_("Priority"), self.priority), (_("Status"), self.status),
                         (_("Owner"), self.owner)):
            w.setAccessibleName(label)
        self.texts = {f: MarkdownEditor(_(FIELD_LABELS[f]), self) for f in MARKDOWN_FIELDS}
        self.text_tabs = QTabWidget(self)
        for f in MARKDOWN_FIELDS:
            self.text_tabs.addTab(self.texts[f], _(FIELD_LABELS[f]))
        self.save_button = QPushButton(_("Save position"), self)
        self.save_button.setDefault(True)
        self.revert_button = QPushButton(_("Revert"), self)
        self.state = QLabel(self)
        self.state.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.state, 1)

        self.conflict_box = QGroupBox(_("A colleague's version differs from yours"), self)
        self.conflict_table = QTableWidget(self.conflict_box)
        self.conflict_table.setAccessibleName(_("Differences with a colleague's version"))
        self.conflict_table.verticalHeader().setVisible(False)
        self.conflict_apply = QPushButton(_("Keep the chosen values"), self.conflict_box)
        self.conflict_info = QLabel(self.conflict_box)
        self.conflict_info.setWordWrap(True)
        cl = QVBoxLayout(self.conflict_box)
        cl.addWidget(self.conflict_info)
        cl.addWidget(self.conflict_table)
        cl.addWidget(self.conflict_apply)
        self.conflict_box.hide()

        self.history = QTableWidget(self)
        self.history.setAccessibleName(_("History of this position"))
        self.history.setEditTriggers(QTableWidget.NoEditTriggers)
        self.history.verticalHeader().setVisible(False)
        self.history.horizontalHeader().setStretchLastSection(True)
        lower = QTabWidget(self)
        lower.addTab(self.history, _("History"))
        self.lower = lower

        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 0, 0, 0)
        lay.addWidget(self.heading)
        lay.addLayout(form)
        lay.addWidget(self.text_tabs, 3)
        lay.addLayout(buttons)
        lay.addWidget(self.conflict_box)
        lay.addWidget(lower, 1)
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(lambda: self.load(*self.subject) if self.subject else None)
        self.conflict_apply.clicked.connect(self.apply_conflict_choices)
        self._set_form_enabled(False)

    def load(self, subject_type: str, subject_id: str, title: str | None = None) -> None:
        self.subject = (subject_type, subject_id)
        self._set_form_enabled(True)
        kind = _(SUBJECT_LABELS.get(subject_type, subject_type))
        title = title or positions.subject_title(self.store, subject_type, subject_id)
        label = html.escape(f"{kind} {subject_id}")
        if subject_type in PUBLISHED_SUBJECTS:
            label = f"<a href='{html.escape(make_link(subject_type, subject_id))}'>{label}</a>"
        self.heading.setHtml(f"<h3 style='margin:0'>{label}</h3>"
                             + (f"<p style='margin:0'>{html.escape(title)}</p>" if title else ""))
        pos = positions.position_for(self.store, subject_type, subject_id)
        self._set_combo(self.stance, (pos or {}).get("stance") or "undecided")
        self._set_combo(self.priority, (pos or {}).get("priority"))
        self._set_combo(self.status, (pos or {}).get("status") or "draft")
        self.owner.setText((pos or {}).get("owner") or "")
        for f in MARKDOWN_FIELDS:
            self.texts[f].set_text((pos or {}).get(f))
        if pos:
            text = _("Last saved {when} by {who}.").format(
                when=isolate(local_time(pos["updated_at"])), who=isolate(pos.get("updated_by")) or _("unknown"))
            if (pos.get("updated_by") or "").endswith(".") and text.endswith("."):
                text = text[:-1]  # "by Amina K." takes no second full stop
            self.state.setText(text)
        else:
            self.state.setText(_("No position yet: choose a stance and save."))
        self._load_history()
        self._load_conflict(pos)

    def show_empty(self, text: str) -> None:
        """Nothing chosen: a hint instead of an empty form."""
        self.subject = None
        self.heading.setHtml(f"<p>{html.escape(text)}</p>")
        self.state.clear()
        self.conflict_box.hide()
        self.history.setRowCount(0)
        for f in MARKDOWN_FIELDS:
            self.texts[f].set_text("")
        self._set_form_enabled(False)

    def _set_form_enabled(self, enabled: bool) -> None:
        for w in (self.stance, self.priority, self.status, self.owner, self.text_tabs, self.save_button,
                  self.revert_button, self.lower):
            w.setEnabled(enabled)

    @staticmethod
    def _set_combo(combo: QComboBox, value) -> None:
        index = combo.findData(value)
        combo.setCurrentIndex(index if index >= 0 else 0)

    def values(self) -> dict:
        return {"stance": self.stance.currentData(), "priority": self.priority.currentData(),
                "status": self.status.currentData(), "owner": self.owner.text().strip(),
                **{f: self.texts[f].text() for f in MARKDOWN_FIELDS}}

    def save(self) -> bool:
        if self.subject is None:
            return False
        values = self.values()
        if values["priority"] is None:
            values.pop("priority")
        try:
            outcome = self.workspace.set_position(*self.subject, changed_by=current_user(), **values)
        except WtdcError as exc:
            self.state.setText(exc.message)
            return False
        # saved under the id the store knows the record by (``wd2/2.1`` is ``WD2/2.1``)
        saved = next((p["subject"] for p in positions.list_positions(self.store) if p["id"] == outcome.value), None)
        if saved:
            self.subject = (saved["type"], saved["id"])
        self.load(*self.subject)
        self.saved.emit(*self.subject)
        self.store_changed.emit(outcome.changes)
        return True

    def _load_history(self) -> None:
        history = positions.history_for(self.store, *self.subject) if self.subject else []
        headers = [_("When"), _("Who"), _("Stance"), _("Priority"), _("Status"), _("Owner"), _("From")]
        self.history.clear()
        self.history.setColumnCount(len(headers))
        self.history.setHorizontalHeaderLabels(headers)
        self.history.setRowCount(len(history))
        for i, h in enumerate(reversed(history)):
            values = [local_time(h["changed_at"]), h.get("changed_by") or "",
                      _(STANCE_LABELS.get(h.get("stance"), h.get("stance") or "")),
                      _(PRIORITY_LABELS[h["priority"]]) if h.get("priority") in PRIORITY_LABELS else "",
                      _(STATUS_LABELS[h["status"]]) if h.get("status") in STATUS_LABELS else "",
                      h.get("owner") or "", h.get("origin") or _("this computer")]
            for j, v in enumerate(values):
                self.history.setItem(i, j, QTableWidgetItem(v))
        self.history.resizeColumnsToContents()

    # -- a colleague's version ------------------------------------------------------------------

    def _load_conflict(self, pos: dict | None) -> None:
        self.conflict = None
        if pos is not None:
            for c in positions.open_position_edit_conflicts(self.store):
                subject = c["local"].get("subject") or c["remote"].get("subject") or {}
                if c["id"] == pos["id"] or (subject.get("type"), subject.get("id")) == self.subject:
                    self.conflict = c
                    break
        if not self.conflict or not self.conflict["fields"]:
            self.conflict_box.hide()
            return
        c = self.conflict
        self.conflict_info.setText(_("Imported from {channel} on {when}. Choose, field by field, which value to "
                                     "keep.").format(channel=c["channel"], when=local_time(c["detected_at"])))
        t = self.conflict_table
        t.clear()
        t.setColumnCount(4)
        t.setHorizontalHeaderLabels([_("Field"), _("Yours"), _("Colleague's"), _("Keep")])
        t.setRowCount(len(c["fields"]))
        for i, f in enumerate(c["fields"]):
            t.setItem(i, 0, QTableWidgetItem(_(FIELD_LABELS.get(f, f))))
            t.setItem(i, 1, QTableWidgetItem(shown_value(f, c["local"].get(f))))
            t.setItem(i, 2, QTableWidgetItem(shown_value(f, c["remote"].get(f))))
            choice = QComboBox(t)
            choice.addItem(_("Yours"), "local")
            choice.addItem(_("Colleague's"), "remote")
            choice.setAccessibleName(_("Keep which value of {field}").format(field=_(FIELD_LABELS.get(f, f))))
            t.setCellWidget(i, 3, choice)
        t.resizeColumnsToContents()
        self.conflict_box.show()

    def apply_conflict_choices(self) -> None:
        if not self.conflict:
            return
        choices = {}
        for i, f in enumerate(self.conflict["fields"]):
            choices[f] = self.conflict_table.cellWidget(i, 3).currentData()
        outcome = self.workspace.choose_position_version(self.conflict["conflict_id"], choices,
                                                         changed_by=current_user())
        self.load(*self.subject)
        self.saved.emit(*self.subject)
        self.store_changed.emit(outcome.changes)


class NewPositionDialog(QDialog):
    """Choose what a new position is about: a record of the store (or a target its proposals name),
    completed on its symbol and the words of its title; what the store does not hold is refused."""

    COMPLETIONS = 30
    COMPLETE_DELAY_MS = 150

    def __init__(self, store, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle(_("New position"))
        self.kind = QComboBox(self)
        self.kind.setAccessibleName(_("What the position is about"))
        for t in SUBJECT_TYPES:
            self.kind.addItem(_(SUBJECT_LABELS[t]), t)
        self.ident = QLineEdit(self)
        self.ident.setAccessibleName(_("Symbol or words of the title"))
        self.ident.setPlaceholderText(_("Type a symbol or words of the title, then choose"))
        self.ident.setMinimumWidth(420)
        self._model = QStringListModel(self)
        self._found: dict[str, str] = {}  # a completion shown -> the id it names
        self.completer = QCompleter(self._model, self)
        self.completer.setCompletionMode(QCompleter.UnfilteredPopupCompletion)  # the store filtered already
        self.completer.setCaseSensitivity(Qt.CaseInsensitive)
        self.completer.setMaxVisibleItems(12)
        self.ident.setCompleter(self.completer)
        self.chosen = QLabel(self)
        self.chosen.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(_("About:"), self.kind)
        form.addRow(_("Record:"), self.ident)
        form.addRow("", self.chosen)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        # completion once typing pauses: a large store is not queried at every key
        self._complete_timer = QTimer(self, singleShot=True, interval=self.COMPLETE_DELAY_MS)
        self._complete_timer.timeout.connect(lambda: self.complete(self.ident.text()))
        self.ident.textEdited.connect(lambda _t: self._complete_timer.start())
        self.ident.textChanged.connect(lambda _t: self.chosen.clear())
        self.kind.currentIndexChanged.connect(lambda _i: self.complete(self.ident.text()))
        self._target: tuple[str, str] | None = None

    def complete(self, text: str) -> list[str]:
        """Offer the records of the chosen type whose symbol or title holds every word typed."""
        found = positions.find_targets(self.store, self.kind.currentData(), text, limit=self.COMPLETIONS)
        self._found = {}
        for t in found:
            shown = f"{t['id']} — {t['title']}" if t["title"] else t["id"]
            self._found[shown] = t["id"]
        self._model.setStringList(list(self._found))
        if self._found and self.ident.hasFocus():
            self.completer.complete()
        return list(self._found)

    def target(self) -> tuple[str, str] | None:
        """(type, id) of the record chosen or typed, as the store knows it; None when it holds no such record."""
        text = self.ident.text().strip()
        kind = self.kind.currentData()
        given = self._found.get(text, text)
        found = positions.resolve_subject(self.store, kind, given) if given else None
        return (kind, found) if found else None

    def accept(self) -> None:
        target = self.target()
        if target is None:
            text = self.ident.text().strip()
            self.chosen.setText(
                _("Type a symbol or words of the title, then choose a record in the list.") if not text else
                _("{type} “{id}” is not in the store: a position can only be on a record it holds.").format(
                    type=_(SUBJECT_LABELS[self.kind.currentData()]), id=text))
            self.adjustSize()  # the sentence wraps: room for all its lines
            return
        self._target = target
        super().accept()

    @property
    def chosen_target(self) -> tuple[str, str] | None:
        return self._target


class PositionsPanel(QWidget):
    """Signals:
        open_record_requested(str, str)
        brief_written(str): a brief pack was written to this path
        brief_failed(str): writing a brief pack failed (the message)
        store_changed(Changes): the editor saved a position
    """

    open_record_requested = Signal(str, str)
    brief_written = Signal(str)
    brief_failed = Signal(str)
    store_changed = Signal(object)

    def __init__(self, store, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.items: list[dict] = []
        self.text = QLineEdit(self)
        self.text.setClearButtonEnabled(True)
        self.text.setPlaceholderText(_("Filter…"))
        self.text.setAccessibleName(_("Filter the positions"))
        self.stance = QComboBox(self)
        self.status = QComboBox(self)
        self.owner = QComboBox(self)
        self.meeting = QComboBox(self)
        self.committee = QComboBox(self)
        for combo, name in ((self.stance, _("Stance")), (self.status, _("Status")), (self.owner, _("Owner")),
                            (self.meeting, _("Meeting")), (self.committee, _("Committee"))):
            combo.setAccessibleName(name)
            combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(10)
        self.missing = QCheckBox(_("Missing on upcoming agendas"), self)
        self.missing.setToolTip(_("Agenda items of sessions still to come on which the delegation has no position"))
        self.new_button = QPushButton(_("New position…"), self)
        self.export_button = MenuButton(_("Export brief pack"), self)  # room for its arrow
        self.export_button.setPopupMode(QToolButton.InstantPopup)
        menu = QMenu(self.export_button)
        menu.addAction(_("As PDF…"), lambda: self.export_brief("pdf"))
        menu.addAction(_("As Word document (DOCX)…"), lambda: self.export_brief("docx"))
        self.export_button.setMenu(menu)
        row1 = QHBoxLayout()
        row1.addWidget(self.text, 2)
        for w in (self.stance, self.status, self.owner):
            row1.addWidget(w, 1)
        row2 = QHBoxLayout()
        row2.addWidget(self.meeting, 1)
        row2.addWidget(self.committee, 1)
        row2.addWidget(self.missing)
        row2.addStretch(0)
        row2.addWidget(self.new_button)
        row2.addWidget(self.export_button)
        self.table = QTableWidget(self)
        self.table.setAccessibleName(_("Positions"))
        self.table.setSelectionBehavior(QTableWidget.SelectRows)
        self.table.setSelectionMode(QTableWidget.SingleSelection)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.count = QLabel(self)
        self.editor = PositionEditor(store, self)
        self.editor.open_record_requested.connect(self.open_record_requested)
        left = QWidget(self)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.table)
        ll.addWidget(self.count)
        self.splitter = QSplitter(Qt.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.editor)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([540, 740])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(row1)
        lay.addLayout(row2)
        lay.addWidget(self.splitter, 1)
        for combo in (self.stance, self.status, self.owner, self.meeting, self.committee):
            combo.currentIndexChanged.connect(self._refresh)
        self.text.textChanged.connect(self._refresh)
        self.missing.toggled.connect(self._refresh)
        self.table.currentCellChanged.connect(lambda row, *_a: self._on_row(row))
        self.new_button.clicked.connect(self.new_position)
        self.editor.saved.connect(self._after_save)
        self.editor.store_changed.connect(self.store_changed)
        self.reload()

    def reload(self) -> None:
        fill_combo(self.stance, [(_("Any stance"), None)] + [(_(STANCE_LABELS[s]), s) for s in STANCES])
        fill_combo(self.status, [(_("Any status"), None)] + [(_(STATUS_LABELS[s]), s) for s in STATUSES])
        fill_combo(self.owner, [(_("Any owner"), None)] + [(o, o) for o in positions.owners(self.store)])
        fill_combo(self.meeting, [(_("All meetings"), None)] + [
            (f"{m['id']}", m["id"]) for m in published.list_records(self.store, "meeting")])
        fill_combo(self.committee, [(_("All committees"), None)] + [
            (f"{c['id']}", c["id"]) for c in published.list_records(self.store, "committee")])
        self._refresh()

    def _refresh(self, *_args, select: tuple[str, str] | None = None) -> None:
        if self.missing.isChecked():
            rows = positions.missing_positions(self.store, meeting=self.meeting.currentData(),
                                               committee=self.committee.currentData())
            self.items = [{"subject": r["subject"], "title": r["title"], "missing": r} for r in rows]
            headers = [_("Agenda item"), _("Title"), _("Session"), _("Starts")]
            values = [[f"{r['session']} #{r['item']}", r.get("title") or "", r.get("session_title") or "",
                       local_time(r.get("starts_at"))] for r in rows]
            self.count.setText(ngettext("{count} agenda item without a position", "{count} agenda items without a position",
                                         len(rows)).format(count=format_number(len(rows))))
        else:
            self.items = positions.filtered_positions(
                self.store, stance=self.stance.currentData(), status=self.status.currentData(),
                owner=self.owner.currentData(), meeting=self.meeting.currentData(),
                committee=self.committee.currentData(), text=self.text.text())
            headers = [_("About"), _("Title"), _("Stance"), _("Priority"), _("Status"), _("Owner"), _("Updated")]
            values = [[_subject_text(p["subject"]),
                       p.get("title") or "", _(STANCE_LABELS.get(p["stance"], p["stance"])),
                       _(PRIORITY_LABELS[p["priority"]]) if p.get("priority") in PRIORITY_LABELS else "",
                       _(STATUS_LABELS[p["status"]]) if p.get("status") in STATUS_LABELS else "",
                       p.get("owner") or "", local_time(p.get("updated_at"))] for p in self.items]
            self.count.setText(ngettext("{count} position", "{count} positions", len(self.items)).format(
                count=format_number(len(self.items))))
        self.table.blockSignals(True)
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(values))
        for i, row in enumerate(values):
            for j, v in enumerate(row):
                item = QTableWidgetItem(v)
                if not self.missing.isChecked() and j == 2:
                    item.setForeground(QBrush(QColor(STANCE_COLOURS.get(self.items[i]["stance"], "#000000"))))
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(1, min(200, self.table.columnWidth(1)))
        self.table.blockSignals(False)
        target = 0
        if select:
            for i, p in enumerate(self.items):
                if (p["subject"]["type"], p["subject"]["id"]) == select:
                    target = i
        if self.items:
            self.table.selectRow(target)
            self._on_row(target)
        else:
            self.editor.show_empty(
                _("Every agenda item still to come has a position.") if self.missing.isChecked() else
                _("No position matches. Start one with “New position…”, by double-clicking a row of the proposals "
                  "matrix, or from the agenda items listed under “Missing on upcoming agendas”."))

    def _on_row(self, row: int) -> None:
        if 0 <= row < len(self.items):
            subj = self.items[row]["subject"]
            self.editor.load(subj["type"], subj["id"], self.items[row].get("title"))

    def _after_save(self, subject_type: str, subject_id: str) -> None:
        fill_combo(self.owner, [(_("Any owner"), None)] + [(o, o) for o in positions.owners(self.store)])
        self._refresh(select=(subject_type, subject_id))

    def open_subject(self, subject_type: str, subject_id: str) -> None:
        """Show (or start) the position on a record."""
        self.missing.setChecked(False)
        self._refresh(select=(subject_type, subject_id))
        if not any((p["subject"]["type"], p["subject"]["id"]) == (subject_type, subject_id) for p in self.items):
            self.editor.load(subject_type, subject_id)

    def new_position(self) -> None:
        dialog = NewPositionDialog(self.store, self)
        if dialog.exec() == QDialog.Accepted and dialog.chosen_target:
            self.open_subject(*dialog.chosen_target)

    def export_brief(self, fmt: str) -> Worker | None:
        suffix = ".pdf" if fmt == "pdf" else ".docx"
        name = "brief-" + (self.committee.currentData() or self.meeting.currentData() or "all").replace("/", "-")
        path = save_file_name(self, "brief", _("Export brief pack"), name + suffix,
                              _("PDF (*.pdf)") if fmt == "pdf" else _("Word document (*.docx)"))
        if not path:
            return None
        return self.write_brief(Path(path), fmt)

    def write_brief(self, path: Path, fmt: str) -> Worker:
        """Write the brief pack off the GUI thread; ``brief_written`` or ``brief_failed`` tells how it went."""
        meeting, committee = self.meeting.currentData(), self.committee.currentData()
        data_dir = self.store.data_dir

        def task(worker: Worker) -> Path:
            from wtdc_desktop.store import Store

            with Store(data_dir) as store:  # a connection of this thread
                pack = brief_packs.brief_pack(store, meeting=meeting, committee=committee)
            from wtdc_desktop.workspace import write_brief

            return write_brief(pack, path, fmt)

        self.export_button.setEnabled(False)
        self.count.setText(_("Writing the brief pack…"))
        self._worker = Worker(task, failure=_("The brief pack could not be written: {reason}."))
        self._worker.signals.finished.connect(self._brief_done)
        self._worker.signals.failed.connect(self._brief_failed)
        return start(self._worker)

    def _brief_done(self, path) -> None:
        self.export_button.setEnabled(True)
        self.count.setText(_("Wrote {path}.").format(path=path))
        self.brief_written.emit(str(path))

    def _brief_failed(self, message: str) -> None:
        self.export_button.setEnabled(True)
        self.count.setText(message)
        self.brief_failed.emit(message)
        QMessageBox.warning(self, _("Export brief pack"), message)


class PositionsView(QWidget):
    """Positions, the proposals matrix and the cross-sector map, as tabs.

    Signals:
        open_record_requested(str, str): a record was chosen (type, id)
        store_changed(Changes): a position or an overlap decision was written
    """

    open_record_requested = Signal(str, str)
    store_changed = Signal(object)

    def __init__(self, store, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.tabs = QTabWidget(self)
        self.positions = PositionsPanel(store, self)
        # The matrix and the cross-sector map are computed when their tab is first opened: on a
        # large store they are the costly part, and most visits are to our positions.
        self.matrix = ProposalsMatrixView(store, self, load=False, background=True)
        self.crosssector = CrossSectorView(store, self, load=False)
        self.tabs.addTab(self.positions, _("Our positions"))
        self.tabs.addTab(self.matrix, _("Proposals matrix"))
        self.tabs.addTab(self.crosssector, _("Cross-sector map"))
        for view in (self.positions, self.matrix, self.crosssector):
            view.open_record_requested.connect(self.open_record_requested)
        for view in (self.positions, self.crosssector):
            view.store_changed.connect(self.store_changed)
        # Double-clicking a matrix row opens (or starts) our position on that target.
        self.matrix.table.cellDoubleClicked.connect(self._position_from_matrix)
        self.matrix.table.setToolTip(_("Double-click a row to write our position on it"))
        self.lazy = TabsFilledWhenOpened(self.tabs, {self.matrix: self.matrix.reload,
                                                     self.crosssector: self.crosssector.reload})
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.tabs)

    def show_tab(self, view: QWidget) -> None:
        """Bring a tab forward, computing it if it is the first time."""
        self.tabs.setCurrentWidget(view)
        self.lazy.fill_current()

    def reload(self, changes=None) -> None:
        if not wants(changes, any_record=True, delegation=("position", "note", "contact", "budget", "overlap")):
            return
        self.positions.reload()
        self.lazy.refill()

    def show_record(self, type_name: str, record_id: str) -> bool:
        """This view selects no single record: the window shows it in a dialog."""
        return False

    def _position_from_matrix(self, row: int, _column: int) -> None:
        if 0 <= row < len(self.matrix.rows):
            target = self.matrix.rows[row]
            self.open_subject(target.target_type, target.target_id)

    def open_subject(self, subject_type: str, subject_id: str) -> None:
        self.tabs.setCurrentWidget(self.positions)
        self.positions.open_subject(subject_type, subject_id)


def _subject_text(subject: dict) -> str:
    """"Proposal WD2/2.1": the kind of record, translated, then its id."""
    kind = _(SUBJECT_LABELS.get(subject["type"], subject["type"]))
    return f"{kind} {subject['id']}"
