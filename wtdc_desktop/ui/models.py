"""Table models over the store's list queries: ids only, rows fetched lazily."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QFont, QGuiApplication

from wtdc_desktop.domain.records import PUBLISHED_TYPES
from wtdc_desktop.i18n import _
from wtdc_desktop.store import changes, list_rows

PAGE = 200

# Item roles as plain ints, looked up once: data() runs for every cell painted, and each
# ``Qt.DisplayRole`` goes through PySide's fallback for unscoped enum names (5 µs), and comparing
# the int Qt passes with an enum member costs more again (a 100k list view spent 28 ms of a
# 130 ms filter in data()).
DISPLAY = int(Qt.ItemDataRole.DisplayRole)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
FONT = int(Qt.ItemDataRole.FontRole)
ACCESSIBLE_TEXT = int(Qt.ItemDataRole.AccessibleTextRole)
ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_RECORD_ROLES = frozenset((DISPLAY, TOOLTIP, FONT, ACCESSIBLE_TEXT))
HORIZONTAL = Qt.Orientation.Horizontal

MARKS = "_marks"

class RecordTableModel(QAbstractTableModel):
    """Rows of one published type; sorting and filtering run in SQL, rows load by page."""

    def __init__(self, store, type_name: str, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.type_name = type_name
        rtype = PUBLISHED_TYPES[type_name]
        self.columns = (MARKS, *rtype.list_columns)
        #: the header (untranslated) and the words of coded values of each column
        self._labels = ("", *(rtype.column_label(c) for c in rtype.list_columns))
        self._words = ({}, *(rtype.value_words(c) for c in rtype.list_columns))
        self.filter_text = ""
        self.sort_column: str | None = None
        self.descending = False
        self._ids: list[str] = []
        self._rows: dict[str, tuple] = {}
        self._marks: dict[str, dict] = {}
        self._badges: dict[str, str | None] = {}
        #: row -> (font, text of each column, marks first) of the rows painted so far, made once per
        #: row: data() runs for seven roles of every cell painted, and a filter repaints the whole table
        self._lines: dict[int, tuple] = {}
        self._bold_font: QFont | None = None
        self._total = 0
        #: rows read from the store so far (ids and row contents), for tests and benchmarks
        self.ids_fetched = 0
        self.rows_fetched = 0
        self.reload()
        from wtdc_desktop.ui.language import language_changed

        language_changed().changed.connect(self.forget_texts)
        QGuiApplication.instance().fontChanged.connect(self.forget_texts)

    # -- loading ------------------------------------------------------------------

    def reload(self) -> None:
        self.beginResetModel()
        self._total = list_rows.view_count(self.store, self.type_name, self.filter_text)
        self._ids = []
        self._rows = {}
        self._marks = {}
        self._badges = {}
        self._lines = {}
        self._fetch_page()
        self.endResetModel()

    def forget_texts(self, _changed=None) -> None:
        """The interface language or the application's font changed: make the cells' text and font again."""
        self._lines = {}
        self._bold_font = None
        if self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, len(self.columns) - 1))

    def _fetch_page(self) -> list[str]:
        ids = list_rows.view_ids(self.store, self.type_name, self.filter_text, sort_column=self.sort_column,
                                 descending=self.descending, limit=PAGE, offset=len(self._ids))
        self._ids.extend(ids)
        self.ids_fetched += len(ids)
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
        if self.columns[column] == MARKS:
            column = 1
        wanted, descending = self.columns[column], order == Qt.DescendingOrder
        if wanted == (self.sort_column or "id") and descending == self.descending:
            return  # already in this order: nothing to read again
        self.sort_column = wanted
        self.descending = descending
        self.reload()

    # -- model API ------------------------------------------------------------------

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def row_of(self, record_id: str) -> int | None:
        """The row of a record under the current filter and order, loading pages up to it."""
        try:
            return self._ids.index(record_id)
        except ValueError:
            pass
        pos = list_rows.view_position(self.store, self.type_name, record_id, self.filter_text,
                                      sort_column=self.sort_column, descending=self.descending)
        if pos is None:
            return None
        while len(self._ids) <= pos and self.canFetchMore():
            self.fetchMore()
        return pos if pos < len(self._ids) and self._ids[pos] == record_id else None

    def record_id(self, row: int) -> str | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def _row(self, row: int) -> tuple | None:
        rid = self._ids[row]
        if rid not in self._rows:
            # Fetch the visible neighbourhood in one query.
            start = max(0, row - 50)
            missing = [i for i in self._ids[start:row + 100] if i not in self._rows]
            fetched = list_rows.view_rows(self.store, self.type_name, missing)
            self.rows_fetched += len(fetched)
            self._rows.update(fetched)
            self._marks.update(list_rows.layer_marks(self.store, self.type_name, missing))
            self._badges.update(_badges(self.store, self.type_name, missing))
        return self._rows.get(rid)

    def _line(self, row: int) -> tuple | None:
        """(font, the text of each column) of a row; None: no such row, or a record gone from the store."""
        if not 0 <= row < len(self._ids):
            return None
        values = self._row(row)
        if values is None:
            return None
        rid = self._ids[row]
        marks = self._marks.get(rid) or {}
        font = None
        if not marks.get("read") or marks.get("stale_read"):  # a new or changed record's row is bold
            if self._bold_font is None:
                self._bold_font = QFont()  # the application's font as it is now (forget_texts when it changes)
                self._bold_font.setBold(True)
            font = self._bold_font
        line = self._lines[row] = (font, self.marks_text(rid), *(
            "" if value is None else _(words[value]) if words and value in words else str(value)
            for value, words in zip(values, self._words[1:], strict=True)))
        return line

    def marks_text(self, rid: str) -> str:
        marks = self._marks.get(rid) or {}
        parts = []
        if marks.get("star"):
            parts.append("★")
        if marks.get("note"):
            parts.append("✎")
        badge = self._badges.get(rid)
        if badge == "new":
            parts.append(_("new"))
        elif badge == "changed":
            parts.append(_("changed"))
        return " ".join(parts)

    def refresh_marks(self, rid: str | None = None) -> None:
        """Re-read the delegation's marks (all loaded rows, or one)."""
        ids = [rid] if rid else [i for i in self._ids if i in self._rows]
        self._marks.update(list_rows.layer_marks(self.store, self.type_name, ids))
        self._badges.update(_badges(self.store, self.type_name, ids))
        self._lines = {}
        if self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, len(self.columns) - 1))  # bold: every column

    def data(self, index: QModelIndex, role: int = DISPLAY):
        if role not in _RECORD_ROLES:
            return None
        row = index.row()
        line = self._lines.get(row) or self._line(row)
        if line is None or not index.isValid():
            return None
        if role == DISPLAY:
            return line[index.column() + 1]
        if role == FONT:
            return line[0]
        column = index.column()
        if self.columns[column] == MARKS:  # the tooltip and accessible text of the marks
            rid = self._ids[row]
            marks = self._marks.get(rid) or {}
            words = [w for w, on in ((_("starred"), marks.get("star")), (_("has notes"), marks.get("note")),
                                     (_("unread"), not marks.get("read"))) if on]
            return ", ".join(words + ([line[1]] if self._badges.get(rid) else []))
        return line[column + 1]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY):
        if role == DISPLAY and orientation == HORIZONTAL:
            label = self._labels[section]
            return _(label) if label else ""
        return None


def _badges(store, type_name: str, ids: list[str]) -> dict[str, str | None]:
    """"new" / "changed" since the last sync, when the store can tell."""
    if not ids:
        return {}
    return changes.badge_state(store, type_name, ids)


_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class RowsTableModel(QAbstractTableModel):
    """A read-only table of plain rows (tuples of text): light where thousands of rows are shown
    (a QStandardItemModel keeps one object per cell)."""

    def __init__(self, headers: list[str], parent=None, *, right_aligned: tuple[int, ...] = (),
                 formatters: dict | None = None) -> None:
        super().__init__(parent)
        self.headers = headers
        self.rows: list[tuple] = []
        self.right_aligned = set(right_aligned)
        #: column -> function turning the stored value into its text, called only for the rows
        #: shown (formatting thousands of amounts up front costs seconds)
        self.formatters = formatters or {}
        self._texts: dict[tuple[int, int], str] = {}

    def set_rows(self, rows: list[tuple]) -> None:
        self.beginResetModel()
        self.rows = rows
        self._texts = {}
        self.endResetModel()

    def text(self, row: int, column: int) -> str:
        value = self.rows[row][column]
        fmt = self.formatters.get(column)
        if fmt is None:
            return value
        key = (row, column)
        if key not in self._texts:
            self._texts[key] = fmt(value)
        return self._texts[key]

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: QModelIndex, role: int = DISPLAY):
        if role == DISPLAY:
            return self.text(index.row(), index.column()) if index.isValid() else None
        if role == ALIGNMENT and index.isValid() and index.column() in self.right_aligned:
            return _RIGHT
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY):
        if role == DISPLAY and orientation == HORIZONTAL and 0 <= section < len(self.headers):
            return self.headers[section]
        return None
