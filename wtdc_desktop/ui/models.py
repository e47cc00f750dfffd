"""Table models over the store's list queries: ids only, rows fetched lazily."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from wtdc_desktop.i18n import _
from wtdc_desktop.store import queries

PAGE = 200

COLUMN_LABELS = {
    "id": lambda: _("Symbol / id"), "title": lambda: _("Title"), "name": lambda: _("Name"),
    "kind": lambda: _("Kind"), "region": lambda: _("Region"), "city": lambda: _("City"),
    "starts_on": lambda: _("Starts"), "ends_on": lambda: _("Ends"), "meeting": lambda: _("Meeting"),
    "source": lambda: _("Source"), "date": lambda: _("Date"), "status": lambda: _("Status"),
    "revision": lambda: _("Revision"), "study_group": lambda: _("Study group"), "period": lambda: _("Period"),
    "action": lambda: _("Action"), "target_id": lambda: _("Target"), "starts_at": lambda: _("Starts (UTC)"),
    "ends_at": lambda: _("Ends (UTC)"), "room": lambda: _("Room"), "organization": lambda: _("Organization"),
    "email": lambda: _("E-mail"), "estimated_amount": lambda: _("Estimated cost"),
    "estimated_currency": lambda: _("Currency"), "due": lambda: _("Due"),
}


class RecordTableModel(QAbstractTableModel):
    """Rows of one published type; sorting and filtering run in SQL, rows load by page."""

    def __init__(self, store, type_name: str, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.type_name = type_name
        self.columns = queries.VIEW_COLUMNS[type_name]
        self.filter_text = ""
        self.sort_column: str | None = None
        self.descending = False
        self._ids: list[str] = []
        self._rows: dict[str, tuple] = {}
        self._total = 0
        self.reload()

    # -- loading ------------------------------------------------------------------

    def reload(self) -> None:
        self.beginResetModel()
        self._total = queries.view_count(self.store, self.type_name, self.filter_text)
        self._ids = []
        self._rows = {}
        self._fetch_page()
        self.endResetModel()

    def _fetch_page(self) -> list[str]:
        ids = queries.view_ids(self.store, self.type_name, self.filter_text, sort_column=self.sort_column,
                               descending=self.descending, limit=PAGE, offset=len(self._ids))
        self._ids.extend(ids)
        return ids

    def canFetchMore(self, parent=QModelIndex()) -> bool:
        return not parent.isValid() and len(self._ids) < self._total

    def fetchMore(self, parent=QModelIndex()) -> None:
        if parent.isValid():
            return
        start = len(self._ids)
        remaining = self._total - start
        if remaining <= 0:
            return
        self.beginInsertRows(QModelIndex(), start, start + min(PAGE, remaining) - 1)
        ids = self._fetch_page()
        if len(ids) < min(PAGE, remaining):  # the store changed under us; settle on what we have
            self._total = len(self._ids)
        self.endInsertRows()

    def set_filter(self, text: str) -> None:
        self.filter_text = text
        self.reload()

    def sort(self, column: int, order: Qt.SortOrder = Qt.AscendingOrder) -> None:
        self.sort_column = self.columns[column]
        self.descending = order == Qt.DescendingOrder
        self.reload()

    # -- model API ------------------------------------------------------------------

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def record_id(self, row: int) -> str | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def _row(self, row: int) -> tuple | None:
        rid = self._ids[row]
        if rid not in self._rows:
            # Fetch the visible neighbourhood in one query.
            start = max(0, row - 50)
            missing = [i for i in self._ids[start:row + 100] if i not in self._rows]
            self._rows.update(queries.view_rows(self.store, self.type_name, missing))
        return self._rows.get(rid)

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole):
        if not index.isValid() or role not in (Qt.DisplayRole, Qt.ToolTipRole):
            return None
        values = self._row(index.row())
        if values is None:
            return None
        value = values[index.column()]
        return "" if value is None else str(value)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.DisplayRole):
        if role == Qt.DisplayRole and orientation == Qt.Horizontal:
            label = COLUMN_LABELS.get(self.columns[section])
            return label() if label else self.columns[section]
        return None
