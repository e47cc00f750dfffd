"""The team in the Sync view: each member's last bundle read here, and a badge when colleagues' edits conflict."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from wtdc_desktop.i18n import _, ngettext
from wtdc_desktop.instants import format_instant_or_text
from wtdc_desktop.store import delegation_merge, team_state


class TeamPanel(QWidget):
    """Hidden until this store joined a team (``team join``)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.title = QLabel(self)
        self.badge = QLabel(self)
        self.badge.setObjectName("conflictBadge")
        self.badge.setStyleSheet("#conflictBadge { background: #b3261e; color: white; border-radius: 8px; "
                                 "padding: 1px 8px; font-weight: bold; }")
        self.table = QTableWidget(0, 4, self)
        self.table.setAccessibleName(_("Team members and their last sync"))
        self.table.setHorizontalHeaderLabels([_("Member"), _("Key trusted"), _("Last sync read here"), _("Sequence")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.setMaximumHeight(160)
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addWidget(self.badge)
        head.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(head)
        lay.addWidget(self.table)

    def reload(self, store) -> None:
        cfg = team_state.config(store)
        self.setVisible(cfg is not None)
        if cfg is None:
            return
        self.title.setText(_("Team at {location} (you are {member})").format(location=cfg["location"],
                                                                          member=cfg["member"]))
        conflicts = len(delegation_merge.open_edit_conflicts(store))
        self.badge.setVisible(conflicts > 0)
        self.badge.setText(ngettext("{count} conflict", "{count} conflicts", conflicts).format(count=conflicts))
        self.badge.setToolTip(_("Records changed both here and by a colleague: choose a version in Positions "
                                "(or with “resolve-conflict”)."))
        rows = team_state.members(store)
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            values = [row["name"], _("yes") if row["trusted_at"] else _("no — confirm its fingerprint"),
                      format_instant_or_text(row["last_seen"]) if row["last_seen"] else _("never"),
                      str(row["last_sequence"] or "")]
            for col, value in enumerate(values):
                self.table.setItem(i, col, QTableWidgetItem(value))
