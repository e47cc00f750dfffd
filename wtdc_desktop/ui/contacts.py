"""Contacts: search by name, organization, region, language and topic; vCard; coordinators by item and region.

Published contacts and the delegation's private contacts are kept apart: private ones are marked, live in
their own table, and only they can be edited or deleted here.

Built with ``deferred=True`` (by the window), the view reads its contacts on a worker thread (with its own
store connection): the two thousand contacts of a large store take longer than the GUI thread may block.
``loading`` is true until the list is shown; a view used on its own (a test, a dialog) reads at once.
"""

from __future__ import annotations

import heapq
import html
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QMessageBox,
    QPushButton, QSplitter, QStyle, QTableView, QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget,
)

from wtdc_desktop.atomic import atomic_write_text
from wtdc_desktop.domain.links import make_link
from wtdc_desktop.domain.matrix import COLUMNS, OTHER
from wtdc_desktop.domain.positions import SUBJECT_LABELS
from wtdc_desktop.domain.records import REGION_IDS
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.formatting import format_number
from wtdc_desktop.i18n import LANGUAGES, N_, _, ngettext, isolate
from wtdc_desktop.store import contact_book
from wtdc_desktop.ui.browser import SafeTextBrowser
from wtdc_desktop.ui.negotiation_widgets import TabsFilledWhenOpened, fill_combo
from wtdc_desktop.ui.language import directed_html
from wtdc_desktop.ui.models import RowsTableModel
from wtdc_desktop.ui.save_dialogs import save_file_name
from wtdc_desktop.ui.later import put_off, reload_put_off
from wtdc_desktop.ui.view import wants
from wtdc_desktop.ui.workers import LatestRead, Worker
from wtdc_desktop.userfiles import read_user_text
from wtdc_desktop.workspace import Workspace

ROLE_CONTACT = Qt.UserRole + 1
#: Of a column's many texts, how many of the longest (in characters, and again in bytes) are measured.
WIDEST_CANDIDATES = 8
#: What the filters of a view just made ask for: every contact, published and private.
EVERY_CONTACT = {"text": None, "topic": None, "region": None, "language": None, "include_private": True,
                 "include_published": True}


#: The six official languages of ITU, named in the interface language.
LANGUAGE_NAMES = {"ar": N_("Arabic"), "zh": N_("Chinese"), "en": N_("English"), "fr": N_("French"),
                  "ru": N_("Russian"), "es": N_("Spanish")}


def language_name(code: str) -> str:
    """A language's name in the interface language (the code itself for languages outside the six)."""
    return _(LANGUAGE_NAMES[code]) if code in LANGUAGE_NAMES else code


def contact_html(c: dict) -> str:
    """A contact card with mailto and tel links (all values escaped)."""
    e = html.escape
    parts = [f"<h2>{e(c.get('name') or '')}</h2>"]
    if c.get("private"):
        parts.append("<p><i>{}</i></p>".format(e(_('Private contact of the delegation (not published)'))))
    if c.get("role"):
        parts.append(f"<p>{e(c['role'])}</p>")
    rows = []
    if c.get("organization"):
        rows.append((_("Organization"), e(c["organization"])))
    if c.get("region"):
        rows.append((_("Region"), e(c["region"])))
    if c.get("email"):
        rows.append((_("E-mail"), f"<a href='mailto:{e(c['email'])}'>{e(c['email'])}</a>"))
    if c.get("phone"):
        tel = "".join(ch for ch in c["phone"] if ch.isdigit() or ch == "+")
        rows.append((_("Phone"), f"<a href='tel:{e(tel)}'>{e(c['phone'])}</a>"))
    if c.get("languages"):
        rows.append((_("Languages"), e(", ".join(language_name(x) for x in c["languages"]))))
    if c.get("topics"):
        rows.append((_("Topics"), e(c["topics"])))
    parts.append("<table cellpadding='3'>" + "".join(f"<tr><th align='left'>{k}</th><td>{v}</td></tr>"
                                                      for k, v in rows) + "</table>")
    if c.get("coordinates"):
        parts.append("<h3>{}</h3><ul>".format(e(_('Regional coordinator for'))))
        for s in c["coordinates"]:
            kind = _(SUBJECT_LABELS.get(s.get("type"), s.get("type") or ""))
            parts.append(f"<li><a href='{e(make_link(str(s.get('type')), str(s.get('id'))))}'>"
                         f"{e(kind)} {e(str(s.get('id')))}</a></li>")
        parts.append("</ul>")
    if c.get("notes"):
        parts.append("<h3>{}</h3><p>{}</p>".format(e(_('Notes')), e(c['notes'])))
    return "".join(parts)


def read_contacts(store, criteria: dict, kinds: dict[bool, str]) -> tuple[list[dict], list[tuple]]:
    """The contacts matching ``criteria`` (:func:`contact_book.search_contacts`'s keywords) and the
    list's texts of each (name, kind, organization, region, languages, e-mail, phone), ``kinds`` naming
    a private and a published contact. No Qt: a worker thread calls it."""
    contacts = contact_book.search_contacts(store, **criteria)
    rows = [(str(c.get("name") or ""), kinds[bool(c.get("private"))], str(c.get("organization") or ""),
             str(c.get("region") or ""), ", ".join(c.get("languages") or []), str(c.get("email") or ""),
             str(c.get("phone") or "")) for c in contacts]
    return contacts, rows


class ContactDialog(QDialog):
    """Create or edit one private contact."""

    FIELDS = ("name", "role", "organization", "region", "email", "phone", "languages", "topics", "notes")

    def __init__(self, contact: dict | None = None, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Private contact"))
        labels = {"name": _("Name"), "role": _("Role"), "organization": _("Organization"), "region": _("Region"),
                  "email": _("E-mail"), "phone": _("Phone"), "languages": _("Languages (codes, comma-separated)"),
                  "topics": _("Topics"), "notes": _("Notes")}
        self.edits = {}
        form = QFormLayout(self)
        for f in self.FIELDS:
            edit = QLineEdit(self)
            value = (contact or {}).get(f)
            edit.setText(", ".join(value) if isinstance(value, list) else (value or ""))
            edit.setAccessibleName(labels[f])
            form.addRow(labels[f] + ":", edit)
            self.edits[f] = edit
        box = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel, self)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        form.addRow(box)
        self.contact = dict(contact or {})

    def value(self) -> dict:
        out = dict(self.contact)
        for f, edit in self.edits.items():
            text = edit.text().strip()
            out[f] = [x.strip() for x in text.split(",") if x.strip()] if f == "languages" else (text or None)
        return out


class ContactsView(QWidget):
    """Signals:
        open_record_requested(str, str): a coordinated item was chosen (type, id)
        store_changed(Changes): a private contact was saved, imported or deleted
    """

    open_record_requested = Signal(str, str)
    store_changed = Signal(object)

    def __init__(self, store, parent=None, *, deferred: bool = False) -> None:
        super().__init__(parent)
        self.store = store
        self.workspace = Workspace(store)
        self.deferred = deferred
        self.reading = LatestRead(self, store, lambda read: self._list(*read))
        self.contacts: list[dict] = []
        # The window's view starts reading while its widgets are made: the reading, not the making,
        # is what a large store makes longer.
        self._first: Worker | None = self._read_off(EVERY_CONTACT, self._kinds()) if deferred else None
        self.name = QLineEdit(self)
        self.name.setPlaceholderText(_("Name, organization or e-mail…"))
        self.name.setClearButtonEnabled(True)
        self.topic = QLineEdit(self)
        self.topic.setPlaceholderText(_("Topic or item (e.g. WTDC/37)…"))
        self.topic.setClearButtonEnabled(True)
        self.region = QComboBox(self)
        self.language = QComboBox(self)
        self.which = QComboBox(self)
        for w, name in ((self.name, _("Search contacts")), (self.topic, _("Topic")), (self.region, _("Region")),
                        (self.language, _("Language")), (self.which, _("Published or private"))):
            w.setAccessibleName(name)
        filters = QHBoxLayout()
        filters.addWidget(self.name, 2)
        filters.addWidget(self.topic, 2)
        filters.addWidget(self.region, 1)
        filters.addWidget(self.language, 1)
        filters.addWidget(self.which, 1)
        self.model = RowsTableModel([_("Name"), _("Kind"), _("Organization"), _("Region"), _("Languages"),
                                     _("E-mail"), _("Phone")], self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName(_("Contacts"))
        self.table.setSelectionBehavior(QTableView.SelectRows)
        self.table.setSelectionMode(QTableView.ExtendedSelection)
        self.table.setEditTriggers(QTableView.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setResizeContentsPrecision(200)  # widths from the first rows, not all
        self.detail = SafeTextBrowser(self)
        self.detail.setAccessibleName(_("Contact details"))
        self.detail.navigate.connect(self.open_record_requested)
        self.count = QLabel(self)
        self.export_button = QPushButton(_("Export vCard…"), self)
        self.export_button.setToolTip(_("The selected contacts, or every contact shown when none is selected"))
        self.import_button = QPushButton(_("Import vCard…"), self)
        self.new_button = QPushButton(_("New private contact…"), self)
        self.edit_button = QPushButton(_("Edit"), self)
        self.delete_button = QPushButton(_("Delete"), self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.count, 1)
        for b in (self.export_button, self.import_button, self.new_button, self.edit_button, self.delete_button):
            buttons.addWidget(b)
        left = QWidget(self)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.table)
        splitter = QSplitter(Qt.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        contacts_tab = QWidget(self)
        cl = QVBoxLayout(contacts_tab)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addLayout(filters)
        cl.addWidget(splitter, 1)
        cl.addLayout(buttons)
        self.coordinators = QTableWidget(self)
        self.coordinators.setAccessibleName(_("Regional coordinators by item and region"))
        self.coordinators.setEditTriggers(QTableWidget.NoEditTriggers)
        self.coordinators.verticalHeader().setVisible(False)
        self.coordinators.cellDoubleClicked.connect(self._open_coordinated)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(contacts_tab, _("Contacts"))
        self.tabs.addTab(self.coordinators, _("Coordinators"))
        # Who coordinates what is worked out when its tab is first opened.
        self.lazy = TabsFilledWhenOpened(self.tabs, {self.coordinators: self._fill_coordinators})
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.tabs)
        self.name.textChanged.connect(self._refresh)
        self.topic.textChanged.connect(self._refresh)
        for combo in (self.region, self.language, self.which):
            combo.currentIndexChanged.connect(self._refresh)
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._show(cur.row()))
        self.export_button.clicked.connect(lambda: self.export_vcf())  # not clicked(bool) as the path
        self.import_button.clicked.connect(lambda: self.import_vcf())
        self.new_button.clicked.connect(lambda: self.edit_contact(None))
        self.edit_button.clicked.connect(lambda: self.edit_contact(self._current()))
        self.delete_button.clicked.connect(self.delete_contact)
        self.reload()

    # -- data ------------------------------------------------------------------------------------

    def show_record(self, type_name: str, record_id: str) -> bool:
        """This view selects no single record: the window shows it in a dialog."""
        return False

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        reload_put_off(self)

    def reload(self, changes=None) -> None:
        if not wants(changes, records=("contact", "organization", "region"), delegation=("contact",)):
            return
        if put_off(self, changes):  # hidden behind another view: when it is shown
            return
        fill_combo(self.region, [(_("All regions"), None)] + [(r, r) for r in REGION_IDS])
        fill_combo(self.language, [(_("Any language"), None)] + [(language_name(code), code) for code in LANGUAGES])
        fill_combo(self.which, [(_("Published and private"), "all"), (_("Published only"), "published"),
                                (_("Private only"), "private")])
        self._refresh()
        self.lazy.refill()

    @property
    def loading(self) -> bool:
        """True while the contacts are read on a worker (the list not shown yet)."""
        return self.reading.loading

    def _criteria(self) -> dict:
        """The filters' values, as :func:`contact_book.search_contacts` takes them."""
        which = self.which.currentData() or "all"
        return {"text": self.name.text().strip() or None, "topic": self.topic.text().strip() or None,
                "region": self.region.currentData(), "language": self.language.currentData(),
                "include_private": which in ("all", "private"), "include_published": which in ("all", "published")}

    def _refresh(self, *_args) -> None:
        criteria, kinds = self._criteria(), self._kinds()
        first, self._first = self._first, None
        if first is not None and first is self.reading.worker and criteria == EVERY_CONTACT:
            return  # the reading started when the view was made, still running, is this one
        if not self.deferred:
            self.reading.here((), lambda store: read_contacts(store, criteria, kinds))
            return
        self._read_off(criteria, kinds)

    def _read_off(self, criteria: dict, kinds: dict[bool, str]) -> Worker:
        """Read the contacts on a worker; the last reading asked for is listed when it ends."""
        return self.reading.off((), lambda store: read_contacts(store, criteria, kinds))

    @staticmethod
    def _kinds() -> dict[bool, str]:
        """The Kind column's words, by whether the contact is private."""
        return {True: _("private"), False: _("published")}

    def _list(self, contacts: list[dict], rows: list[tuple]) -> None:
        self.contacts = contacts
        self.model.set_rows(rows)
        self._fit_columns(self.model.rows)
        self.table.setColumnWidth(0, min(240, self.table.columnWidth(0)))
        self.count.setText(ngettext("{count} contact", "{count} contacts", len(self.contacts)).format(
            count=format_number(len(self.contacts))))
        if self.contacts:
            self.table.selectRow(0)
            self._show(0)
        else:
            self.detail.clear()
        self._update_buttons()

    def _fit_columns(self, rows: list[tuple]) -> None:
        """Each column as wide as its header and its widest text among the first rows, as
        ``resizeColumnsToContents`` makes it, from the texts themselves: Qt's asks the model for
        several roles of every cell it measures (60 ms for 200 contacts). Of many texts only the
        longest are measured, in characters and in UTF-8 bytes (a wide script's character takes more
        bytes): the widest is among them."""
        table, header = self.table, self.table.horizontalHeader()
        metrics = table.fontMetrics()
        # the item's text margins and the focus frame, as the style sizes a cell
        margin = 2 * (table.style().pixelMetric(QStyle.PM_FocusFrameHMargin, None, table) + 1) + 2
        sample = rows[:max(header.resizeContentsPrecision(), 0) or len(rows)]
        columns = self.model.columnCount() - (1 if header.stretchLastSection() else 0)  # the last fills the rest
        for column in range(columns):
            texts = {row[column] for row in sample}
            if len(texts) > 2 * WIDEST_CANDIDATES:  # measured: the longest in characters and in bytes
                texts = {*heapq.nlargest(WIDEST_CANDIDATES, texts, key=len),
                         *heapq.nlargest(WIDEST_CANDIDATES, texts, key=lambda t: len(t.encode("utf-8")))}
            widest = max((metrics.horizontalAdvance(text) for text in texts), default=-margin)
            table.setColumnWidth(column, max(header.sectionSizeHint(column), widest + margin))

    def _current(self) -> dict | None:
        row = self.table.currentIndex().row()
        return self.contacts[row] if 0 <= row < len(self.contacts) else None

    def _show(self, row: int) -> None:
        if 0 <= row < len(self.contacts):
            self.detail.setHtml(directed_html(contact_html(self.contacts[row])))
        self._update_buttons()

    def _update_buttons(self) -> None:
        current = self._current()
        private = bool(current and current.get("private"))
        self.edit_button.setEnabled(private)
        self.delete_button.setEnabled(private)

    def _fill_coordinators(self) -> None:
        items = contact_book.coordinator_matrix(self.store)
        used = [c for c in COLUMNS if c != OTHER or any(OTHER in i["regions"] for i in items)]
        t = self.coordinators
        t.clear()
        t.setColumnCount(len(used) + 2)
        t.setHorizontalHeaderLabels([_("Item"), _("Title"), *used])
        t.setRowCount(len(items))
        for i, item in enumerate(items):
            kind = _(SUBJECT_LABELS.get(item["type"], item["type"]))
            first = QTableWidgetItem(f"{kind} {item['id']}")
            first.setData(ROLE_CONTACT, (item["type"], item["id"]))
            t.setItem(i, 0, first)
            t.setItem(i, 1, QTableWidgetItem(item.get("title") or ""))
            for j, region in enumerate(used, 2):
                people = item["regions"].get(region, [])
                cell = QTableWidgetItem("\n".join(p.get("name") or "" for p in people))
                cell.setToolTip("\n".join(f"{p.get('name')} <{p.get('email') or ''}>" for p in people))
                t.setItem(i, j, cell)
        t.resizeColumnsToContents()
        t.setColumnWidth(1, min(260, t.columnWidth(1)))
        t.setWordWrap(True)
        for j in range(2, len(used) + 2):
            t.setColumnWidth(j, min(140, max(60, t.columnWidth(j))))
        t.resizeRowsToContents()

    def _open_coordinated(self, row: int, _col: int) -> None:
        item = self.coordinators.item(row, 0)
        if item and item.data(ROLE_CONTACT):
            self.open_record_requested.emit(*item.data(ROLE_CONTACT))

    # -- actions -----------------------------------------------------------------------------------

    def selected_contacts(self) -> list[dict]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.contacts[r] for r in rows if r < len(self.contacts)] or list(self.contacts)

    def export_vcf(self, path: Path | None = None) -> Path | None:
        if path is None:
            chosen = save_file_name(self, "vcard", _("Export vCard"), "contacts.vcf", _("vCard (*.vcf)"))
            if not chosen:
                return None
            path = Path(chosen)
        from wtdc_desktop.exchange.vcard import contacts_to_vcf  # vobject: loaded for an export only

        text = contacts_to_vcf(self.selected_contacts())
        try:
            atomic_write_text(path, text, "utf-8", newline="", fsync=False)  # no fsync, as before
        except OSError as exc:
            QMessageBox.warning(self, _("Export vCard"), _("Could not write {path}: {reason}.").format(
                path=path, reason=exc.strerror or exc))
            return None
        return path

    def import_vcf(self, path: Path | None = None) -> int:
        if path is None:
            chosen, _sel = QFileDialog.getOpenFileName(self, _("Import vCard"), str(Path.home()), _("vCard (*.vcf)"))
            if not chosen:
                return 0
            path = Path(chosen)
        try:
            from wtdc_desktop.exchange.vcard import parse_vcf

            contacts = parse_vcf(read_user_text(path, "vcard"), source=str(path))
            imported = self.workspace.import_contacts(contacts)
        except (OSError, UnicodeDecodeError) as exc:
            QMessageBox.warning(self, _("Import vCard"), _("Cannot read {path}: {reason}.").format(
                path=path, reason=getattr(exc, "strerror", None) or exc))
            return 0
        except WtdcError as exc:
            QMessageBox.warning(self, _("Import vCard"), exc.message)
            return 0
        self.reload()
        self.store_changed.emit(imported.changes)
        return len(imported.value)

    def edit_contact(self, contact: dict | None) -> None:
        if contact is not None and not contact.get("private"):
            return
        dialog = ContactDialog(contact, self)
        if dialog.exec() != QDialog.Accepted:
            return
        try:
            saved = self.workspace.save_contact(dialog.value(), contact_id=contact["id"] if contact else None)
        except WtdcError as exc:
            QMessageBox.warning(self, _("Private contact"), exc.message)
            return
        self.reload()
        self.store_changed.emit(saved.changes)

    def delete_contact(self) -> None:
        contact = self._current()
        if not contact or not contact.get("private"):
            return
        answer = QMessageBox.question(self, _("Delete contact"), _("Delete the private contact {name}?").format(
            name=isolate(contact.get("name"))))
        if answer == QMessageBox.Yes:
            deleted = self.workspace.delete_contact(contact["id"])
            self.reload()
            self.store_changed.emit(deleted.changes)
