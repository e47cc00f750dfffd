"""The two banners above the Agenda view's tabs: sessions a sync changed (until marked seen), and
messages (reminders, imports, exports) until dismissed."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton

from wtdc_desktop.domain import sessions as session_model
from wtdc_desktop.domain.session_details import change_label
from wtdc_desktop.i18n import _

SHOWN_CHANGES = 8


class ChangesBanner(QFrame):
    """The sessions changed by the last syncs, and who covers them; ``button`` marks them seen."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.StyledPanel)
        self.setStyleSheet("QFrame { background: #fff3e0; }")
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.PlainText)
        self.button = QPushButton(_("Seen"), self)
        self.button.setToolTip(_("Stop highlighting these changes"))
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 4, 4, 4)
        lay.addWidget(self.label, 1)
        lay.addWidget(self.button)
        self.hide()

    def show_changes(self, changes: list[session_model.SessionChange]) -> None:
        if not changes:
            self.hide()
            return
        lines = []
        for c in changes[:SHOWN_CHANGES]:
            title = c.after.get("title") or c.session
            kinds = ", ".join(change_label(k) for k in c.kinds)
            if c.members:
                lines.append(_("{title}: {changes}. Assigned: {members}.").format(
                    title=title, changes=kinds, members=", ".join(c.members)))
            else:
                lines.append(_("{title}: {changes}.").format(title=title, changes=kinds))
        more = len(changes) - SHOWN_CHANGES
        if more > 0:
            lines.append(_("…and {count} more.").format(count=more))
        self.label.setText(_("Sessions changed by the last sync:") + "\n" + "\n".join(lines))
        self.show()


class MessageBanner(QFrame):
    """A message (a reminder, an import's or an export's outcome) until the user dismisses it."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.StyledPanel)
        self.setStyleSheet("QFrame { background: #e3f2fd; }")
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.PlainText)
        close = QToolButton(self)
        close.setText("✕")
        close.setAccessibleName(_("Dismiss this message"))
        close.clicked.connect(self.hide)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 4, 4, 4)
        lay.addWidget(self.label, 1)
        lay.addWidget(close)
        self.hide()

    def show_message(self, text: str) -> None:
        self.label.setText(text)
        self.show()
