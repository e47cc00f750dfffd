"""Global search (Ctrl+K, Ctrl+F): ranked hits over everything, grouped by type, with snippets.

What is typed is searched on a worker thread (with its own store connection), so that a query with
hundreds of hits on a large store never holds up the typing; Enter, and a change of type or meeting,
search at once.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, QTimer, Qt, Signal
from PySide6.QtGui import QAbstractTextDocumentLayout, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QComboBox, QDialog, QHBoxLayout, QLabel, QLineEdit, QStyle, QStyledItemDelegate, QStyleOptionViewItem,
    QTreeWidget, QTreeWidgetItem, QVBoxLayout,
)

from wtdc_desktop.domain.render import sanitize_html, snippet_to_html
from wtdc_desktop.i18n import N_, _, ngettext
from wtdc_desktop.store import fulltext, published
from wtdc_desktop.ui.workers import LatestRead

#: Kinds of the search index, in the order results are grouped.
KINDS = (
    ("document", N_("Documents")), ("proposal", N_("Proposals")), ("resolution", N_("Resolutions")),
    ("question", N_("Questions")), ("note", N_("My notes")), ("position", N_("Positions")),
)
ROLE_TARGET = Qt.UserRole + 1
ROLE_HTML = Qt.UserRole + 2


class HtmlDelegate(QStyledItemDelegate):
    """Paints an item's sanitised HTML (title and highlighted snippet); no resource is ever loaded."""

    def _doc(self, option, index) -> QTextDocument:
        doc = QTextDocument()
        doc.setDocumentMargin(2)
        doc.setDefaultFont(option.font)
        doc.setHtml(index.data(ROLE_HTML) or "")
        width = option.rect.width()
        view = option.widget
        if width <= 0 and view is not None and hasattr(view, "viewport"):
            width = view.viewport().width() - 8
        doc.setTextWidth(max(200, width))
        return doc

    def paint(self, painter, option, index) -> None:
        if not index.data(ROLE_HTML):
            return super().paint(painter, option, index)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else None
        if style:
            style.drawControl(QStyle.CE_ItemViewItem, opt, painter, opt.widget)
        doc = self._doc(option, index)
        ctx = QAbstractTextDocumentLayout.PaintContext()
        selected = bool(option.state & QStyle.State_Selected)
        ctx.palette.setColor(QPalette.Text, option.palette.color(
            QPalette.HighlightedText if selected else QPalette.Text))
        painter.save()
        painter.translate(option.rect.topLeft())
        doc.documentLayout().draw(painter, ctx)
        painter.restore()

    def sizeHint(self, option, index) -> QSize:
        if not index.data(ROLE_HTML):
            return super().sizeHint(option, index)
        doc = self._doc(option, index)
        return QSize(int(doc.idealWidth()), int(doc.size().height()))


class SearchDialog(QDialog):
    """Signals:
        open_record(str, str): the user chose a hit (type, id of the record to show)
    """

    open_record = Signal(str, str)
    DELAY_MS = 200

    def __init__(self, store, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle(_("Search"))
        self.query = QLineEdit(self)
        self.query.setPlaceholderText(_("Search documents, proposals, resolutions, Questions, notes…"))
        self.query.setAccessibleName(_("Search text"))
        self.query.setClearButtonEnabled(True)
        self.kind = QComboBox(self)
        self.kind.setAccessibleName(_("Type of record"))
        self.kind.addItem(_("All types"), None)
        for kind, label in KINDS:
            self.kind.addItem(_(label), kind)
        self.meeting = QComboBox(self)
        self.meeting.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.meeting.setMinimumContentsLength(18)
        self.meeting.setAccessibleName(_("Meeting"))
        self.meeting.addItem(_("All meetings"), None)
        for mid, title, *_rest in published.meetings(store):
            self.meeting.addItem(f"{mid} — {title}", mid)
        self.results = QTreeWidget(self)
        self.results.setHeaderHidden(True)
        self.results.setRootIsDecorated(False)
        self.results.setAccessibleName(_("Search results"))
        self.results.setItemDelegate(HtmlDelegate(self.results))
        self.results.setUniformRowHeights(False)
        self.status = QLabel(self)
        top = QHBoxLayout()
        top.addWidget(self.query, 3)
        top.addWidget(self.kind, 1)
        top.addWidget(self.meeting, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.results, 1)
        lay.addWidget(self.status)
        self.resize(900, 600)

        self._timer = QTimer(self, singleShot=True, interval=self.DELAY_MS)
        self._timer.timeout.connect(self.start_search)
        self.query.textChanged.connect(lambda _t: self._timer.start())
        self.kind.currentIndexChanged.connect(lambda _i: self.run_search())
        self.meeting.currentIndexChanged.connect(lambda _i: self.run_search())
        self.query.returnPressed.connect(self._enter_from_query)
        self.results.itemActivated.connect(self._activate)
        self.setTabOrder(self.query, self.kind)
        self.setTabOrder(self.kind, self.meeting)
        self.setTabOrder(self.meeting, self.results)
        self.hits: list = []
        self.reading = LatestRead(self, store, self._show)  # the search running off the GUI thread, if any

    @property
    def loading(self) -> bool:
        """True while a search runs on a worker (its results not shown yet)."""
        return self.reading.loading

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() == Qt.Key_Down and self.query.hasFocus():
            self.results.setFocus()
            self._select_first()
            return
        super().keyPressEvent(event)

    def _question(self) -> tuple[str, str | None, str | None]:
        return self.query.text(), self.kind.currentData(), self.meeting.currentData()

    def run_search(self) -> None:
        """Search now, on the GUI thread (Enter, a change of type or meeting)."""
        self._timer.stop()
        question = self._question()
        self.reading.here(question, lambda store: find(store, *question))

    def start_search(self) -> None:
        """Search on a worker thread (what is typed); the results are shown when it ends."""
        self._timer.stop()
        question = self._question()
        self.reading.off(question, lambda store: find(store, *question))

    def _show(self, text: str, _kind, _meeting, rows: list[tuple]) -> None:
        self.hits = [row[0] for row in rows]
        self.results.clear()
        groups: dict[str, list] = {}
        for row in rows:
            groups.setdefault(row[0].type, []).append(row)
        labels = dict(KINDS)
        for kind_name, _label in KINDS:
            hits = groups.get(kind_name)
            if not hits:
                continue
            label = _(labels[kind_name])
            head = QTreeWidgetItem([f"{label} ({len(hits)})"])
            head.setFlags(Qt.ItemIsEnabled)
            font = head.font(0)
            font.setBold(True)
            head.setFont(0, font)
            self.results.addTopLevelItem(head)
            items = []
            for hit, target, html in hits:
                item = QTreeWidgetItem([hit.shown_id])
                item.setData(0, ROLE_TARGET, target)
                item.setData(0, ROLE_HTML, html)
                item.setData(0, Qt.AccessibleTextRole, f"{hit.shown_id} {hit.title}")
                items.append(item)
            self.results.addTopLevelItems(items)
        n = len(self.hits)
        if text.strip():
            self.status.setText(ngettext("{count} result", "{count} results", n).format(count=n)
                                if n else _("Nothing found for “{text}”.").format(text=text))
        else:
            self.status.setText(_("Type words to search; Enter opens the selected result."))

    def _select_first(self) -> None:
        for i in range(self.results.topLevelItemCount()):
            item = self.results.topLevelItem(i)
            if item.data(0, ROLE_TARGET):
                self.results.setCurrentItem(item)
                return

    def _enter_from_query(self) -> None:
        if self._timer.isActive() or self.reading.loading:
            self.run_search()
        current = self.results.currentItem()
        if current is None or not current.data(0, ROLE_TARGET):
            self._select_first()
            current = self.results.currentItem()
        if current is not None:
            self._activate(current)

    def _activate(self, item, _column=0) -> None:
        target = item.data(0, ROLE_TARGET)
        if target:
            self.open_record.emit(target[0], target[1])
            self.accept()

    def start(self, text: str = "") -> None:
        if text:
            self.query.setText(text)
        self.query.setFocus()
        self.query.selectAll()
        self.run_search()


def _target(hit) -> tuple[str, str] | None:
    if hit.type in ("note", "position"):
        return hit.subject
    return hit.type, hit.id


def find(store, text: str, kind: str | None, meeting: str | None) -> list[tuple]:
    """The hits of a search, each as (hit, the record it opens, its sanitised HTML): no Qt, so that a
    worker thread can do it."""
    rows = []
    for hit in fulltext.search_all(store, text, types=(kind,) if kind else None, meeting=meeting, limit=300):
        # A note or a position is named by the record it is about (its symbol and title).
        html = sanitize_html(f"<b>{snippet_to_html(hit.shown_id)}</b> {snippet_to_html(hit.title)}<br>"
                             f"<span>{snippet_to_html(hit.snippet)}</span>")
        rows.append((hit, _target(hit), html))
    return rows
