"""The chosen session: its details (rendered by domain/session_details.py), the languages it is held
in, and the delegation's controls on it (priority, who covers it in which role).

Edits go through the workspace; the pane then says ``edited`` so the view refreshes the day (coverage
marks, conflicts) and shows the session again, and ``store_changed`` with what the edit wrote.

Signals:
    navigate(str, str): a record link in the details was followed (type, id)
    edited(): the session's priority, coverage or language notes were saved
    store_changed(Changes): what such an edit wrote (for the window's other views)
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from wtdc_desktop.domain import sessions as session_model
from wtdc_desktop.domain.session_details import no_session_html, priority_label, role_label, session_html
from wtdc_desktop.instants import laptop_zone
from wtdc_desktop.i18n import _
from wtdc_desktop.store.sessions import session_details
from wtdc_desktop.ui.browser import SafeTextBrowser
from wtdc_desktop.ui.language import directed_html
from wtdc_desktop.workspace import Workspace


class SessionPane(QWidget):
    navigate = Signal(str, str)
    edited = Signal()
    store_changed = Signal(object)

    def __init__(self, store, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.workspace = Workspace(store)
        self.session_id: str | None = None
        self.details = SafeTextBrowser(self)
        self.details.setAccessibleName(_("Session details"))
        # Changes and conflicts are marked with <mark> and <em> (the sanitiser keeps no style attribute).
        self.details.document().setDefaultStyleSheet(
            "mark { background: #ffe0b2; font-weight: bold; } em { color: #c62828; font-style: normal; }")
        self.priority_box = QComboBox(self)
        self.priority_box.setAccessibleName(_("Priority of the session"))
        self.priority_box.addItem(_("No priority"), None)
        for key in session_model.PRIORITIES:
            self.priority_box.addItem(priority_label(key), key)
        self.member_box = QComboBox(self)
        self.member_box.setAccessibleName(_("Member"))
        self.role_box = QComboBox(self)
        self.role_box.setAccessibleName(_("Role"))
        for key in session_model.ROLES:
            self.role_box.addItem(role_label(key), key)
        self.assign_button = QPushButton(_("Assign"), self)
        self.unassign_button = QPushButton(_("Remove"), self)
        self.unassign_button.setToolTip(_("Remove this member's assignment to the session"))
        controls = QWidget(self)
        clay = QHBoxLayout(controls)
        clay.setContentsMargins(0, 0, 0, 0)
        clay.addWidget(self.priority_box)
        clay.addWidget(self.member_box, 1)
        clay.addWidget(self.role_box)
        clay.addWidget(self.assign_button)
        clay.addWidget(self.unassign_button)
        self.language_edit = QLineEdit(self)
        self.language_edit.setPlaceholderText(_("Held in (e.g. en, fr)"))
        self.language_edit.setAccessibleName(_("Languages the session is held in"))
        self.interpretation_edit = QLineEdit(self)
        self.interpretation_edit.setPlaceholderText(_("Interpretation (e.g. all six languages)"))
        self.interpretation_edit.setAccessibleName(_("Interpretation available"))
        self.language_button = QPushButton(_("Note"), self)
        self.language_button.setToolTip(_("Keep these language notes for the session"))
        language_row = QWidget(self)
        llay = QHBoxLayout(language_row)
        llay.setContentsMargins(0, 0, 0, 0)
        llay.addWidget(self.language_edit, 1)
        llay.addWidget(self.interpretation_edit, 2)
        llay.addWidget(self.language_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.details, 1)
        lay.addWidget(language_row)
        lay.addWidget(controls)

        self.details.navigate.connect(self.navigate)
        self.priority_box.activated.connect(self._on_priority)
        self.assign_button.clicked.connect(self._on_assign)
        self.unassign_button.clicked.connect(self._on_unassign)
        self.language_button.clicked.connect(self._on_language)

    def set_members(self, members: list[session_model.Member], me: str | None) -> None:
        """The members offered for assignments (keeping the chosen one, else the user's own name)."""
        current = self.member_box.currentData() or getattr(self, "_last_member", None)
        self.member_box.clear()
        for m in members:
            self.member_box.addItem(m.name, m.name)
        index = self.member_box.findData(current or me)
        self.member_box.setCurrentIndex(max(0, index))
        if self.session_id is None:
            self._clear_member()
        has = bool(members)
        self.assign_button.setEnabled(has and self.session_id is not None)
        self.unassign_button.setEnabled(has and self.session_id is not None)
        if not has:
            self.member_box.setPlaceholderText(_("No member yet"))

    def show_session(self, sid: str | None, conflicts: list[session_model.Conflict], tz: dt.tzinfo) -> None:
        """Show a session (None: none chosen), with those of the meeting's ``conflicts`` that name it."""
        self.session_id = sid
        has = sid is not None
        for w in (self.priority_box, self.member_box, self.role_box, self.assign_button, self.unassign_button):
            w.setEnabled(has and (w is self.priority_box or self.member_box.count() > 0))
        for w in (self.language_edit, self.interpretation_edit, self.language_button):
            w.setEnabled(has)
        if not has:
            self._clear_member()
        else:
            self.member_box.setToolTip("")
        if has and self.member_box.currentIndex() < 0 and self.member_box.count():
            self.member_box.setCurrentIndex(max(0, self.member_box.findData(getattr(self, "_last_member", None))))
        details = session_details(self.store, sid) if has else None
        session = details.session if details else None
        self.language_edit.setText(", ".join(session.language) if session else "")
        self.interpretation_edit.setText((session.interpretation or "") if session else "")
        if not has:
            self.details.setHtml(no_session_html())
            return
        self.details.setHtml(directed_html(session_html(details, conflicts, tz, laptop_zone())))
        index = self.priority_box.findData(details.priority if details else None)
        self.priority_box.setCurrentIndex(max(0, index))

    def _clear_member(self) -> None:
        """No session chosen: no member shows as if chosen for it (the last one comes back with a session)."""
        if self.member_box.currentIndex() >= 0:
            self._last_member = self.member_box.currentData()
        self.member_box.setCurrentIndex(-1)
        if self.member_box.count():
            # a dash in the box (the sentence does not fit its width in every language), the sentence
            # in its tooltip
            self.member_box.setPlaceholderText("—")
            self.member_box.setToolTip(_("Choose a session first"))

    # -- edits

    def _on_priority(self, index: int) -> None:
        if self.session_id:
            self._edited(self.workspace.set_session_priority(self.session_id, self.priority_box.itemData(index)))

    def _on_assign(self) -> None:
        member = self.member_box.currentData()
        if self.session_id and member:
            self._edited(self.workspace.assign_member(self.session_id, member, self.role_box.currentData()))

    def _on_unassign(self) -> None:
        member = self.member_box.currentData()
        if self.session_id and member:
            self._edited(self.workspace.unassign(self.session_id, member))

    def _on_language(self) -> None:
        if not self.session_id:
            return
        languages = [x.strip() for x in self.language_edit.text().replace(";", ",").split(",") if x.strip()]
        self._edited(self.workspace.note_session_languages(self.session_id, languages,
                                                           self.interpretation_edit.text().strip() or None))

    def _edited(self, outcome) -> None:
        self.edited.emit()
        self.store_changed.emit(outcome.changes)
