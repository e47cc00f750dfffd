"""The interface language on the Qt side: chosen at start-up, changed live from Settings.

``--lang CODE`` wins over Settings for one run; with neither, the system's
language is used if it is one of the six, else English. A language chosen in
Settings is applied at once (:func:`switch_language`): our catalogs, Qt's own
strings, the locale and the layout direction change, and :func:`language_changed`
emits ``changed(code)``; the main window then re-translates itself (its menus,
navigation, status bar and banners, and it rebuilds its views), as Frescobaldi
does. What cannot follow live (the data folder) is applied at the next start,
and Settings offers to restart now.
"""

from __future__ import annotations

import logging
import re

from PySide6.QtCore import QLibraryInfo, QLocale, QObject, QSettings, Qt, QTranslator, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QApplication, QHBoxLayout, QListWidget, QListWidgetItem, QStyledItemDelegate, QToolButton,
    QVBoxLayout, QWidget,
)

from wtdc_desktop.domain.constants import LANGUAGES
from wtdc_desktop.domain.languages import DEFAULT_FALLBACK, choose_language
from wtdc_desktop.i18n import (
    FSI, PDI, N_, _, current_language, format_locale, is_rtl, isolate, normalize_language, set_language,
)

log = logging.getLogger(__name__)

#: The QSettings key holding the interface language chosen in Settings.
LANGUAGE_SETTING = "interface/language"
#: The QSettings key holding the order in which document languages are preferred.
CONTENT_ORDER_SETTING = "content/languages"
#: What Settings says of a change that only a restart applies (the data folder).
RESTART_NOTICE = N_("The new data folder is used the next time you start WTDC Desktop. Restart now?")
#: Qt's own catalogs are named by Qt's locale names.
_QT_CATALOG_NAMES = {"zh": "zh_CN"}
#: Translators installed by apply_language (kept referenced: Qt does not own them).
_qt_translators: list[QTranslator] = []


def qt_system_language() -> str | None:
    """The first of the system's preferred interface languages that we support (Windows and
    macOS set no LANG variable; Qt asks the system)."""
    for name in QLocale.system().uiLanguages():
        code = normalize_language(name)
        if code:
            return code
    return None


def saved_language() -> str | None:
    value = QSettings().value(LANGUAGE_SETTING)
    return value if isinstance(value, str) and normalize_language(value) else None


def startup_language(cli_lang: str | None = None) -> str | None:
    """``--lang``, else the language chosen in Settings, else the system's (None if unsupported)."""
    return cli_lang or saved_language() or qt_system_language()


def save_language(lang: str) -> None:
    """Remember the interface language for the next starts."""
    QSettings().setValue(LANGUAGE_SETTING, normalize_language(lang) or lang)


class LanguageNotifier(QObject):
    """Emits ``changed(code)`` after :func:`switch_language` changed the interface language."""

    changed = Signal(str)


_notifier: LanguageNotifier | None = None


def language_changed() -> LanguageNotifier:
    """The one notifier of language changes (connect to its ``changed`` signal)."""
    global _notifier
    if _notifier is None:
        _notifier = LanguageNotifier(QApplication.instance())
    return _notifier


def switch_language(lang: str) -> str:
    """Change the interface language of the running application and tell every window
    (``language_changed().changed``); returns the language now in use."""
    app = QApplication.instance()
    lang = apply_language(app, lang)
    language_changed().changed.emit(lang)
    return lang


def apply_language(app: QApplication, lang: str | None) -> str:
    """Set the interface language for our strings and for Qt: the default QLocale (number and
    date widgets), Qt's own translations (standard buttons and dialogs, context menus) and the
    layout direction (right to left for Arabic). Returns the language in use."""
    lang = set_language(lang)
    QLocale.setDefault(QLocale(format_locale(lang)))
    for translator in _qt_translators:
        app.removeTranslator(translator)
    _qt_translators.clear()
    if lang != "en":
        folder = QLibraryInfo.path(QLibraryInfo.TranslationsPath)
        translator = QTranslator(app)
        if translator.load(f"qtbase_{_QT_CATALOG_NAMES.get(lang, lang)}", folder):
            app.installTranslator(translator)
            _qt_translators.append(translator)
        else:
            log.info("no Qt translation for %s in %s", lang, folder)
    app.setLayoutDirection(Qt.RightToLeft if is_rtl(lang) else Qt.LeftToRight)
    return lang


# --- right to left in rich text --------------------------------------------------------------

_TABLE = re.compile(r"<table\b([^>]*)>", re.IGNORECASE)
_ROW = re.compile(r"(<tr\b[^>]*>)(.*?)(</tr>)", re.IGNORECASE | re.DOTALL)
_CELL = re.compile(r"<(t[hd])\b[^>]*>.*?</\1>", re.IGNORECASE | re.DOTALL)


def mirror_tables(html: str) -> str:
    """Qt's rich text lays tables out left to right whatever the language; for a right-to-left
    interface, put each table on the right and its cells in reverse order, so a label sits to
    the right of its value. Paragraphs need nothing: Qt gives each its own text's direction."""

    def table(match: re.Match) -> str:
        attrs = re.sub(r"\balign\s*=\s*(['\"]?)\w+\1", "", match.group(1))
        return f"<table{attrs} align=\"right\">"

    def cell(html_cell: str) -> str:
        if re.match(r"<t[hd]\b[^>]*\balign\s*=", html_cell, re.IGNORECASE):
            return re.sub(r"\balign\s*=\s*(['\"]?)left\1", "align='right'", html_cell, count=1)
        return re.sub(r"^<(t[hd])\b", r"<\1 align='right'", html_cell, count=1, flags=re.IGNORECASE)

    def row(match: re.Match) -> str:
        found = [m.group(0) for m in _CELL.finditer(match.group(2))]
        if not found:
            return match.group(0)
        return match.group(1) + "".join(cell(c) for c in reversed(found)) + match.group(3)

    return _ROW.sub(row, _TABLE.sub(table, html))


_BLOCK = re.compile(r"<(li|p|h[1-6]|dt|dd)\b([^>]*)>", re.IGNORECASE)
_BLOCK_END = re.compile(r"</?(?:li|p|h[1-6]|dt|dd|ul|ol|dl|table|div|blockquote)\b", re.IGNORECASE)
_RTL_LETTER = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


def rtl_blocks(html: str) -> str:
    """Mark as right to left every paragraph, list item and heading whose own text holds a
    right-to-left letter: an Arabic sentence that starts with a French title is still an Arabic
    sentence. Blocks in other scripts only (record text in French, say) keep their direction."""

    def block(match: re.Match) -> str:
        if re.search(r"\bdir\s*=", match.group(2), re.IGNORECASE):
            return match.group(0)
        end = _BLOCK_END.search(html, match.end())
        segment = html[match.end():end.start() if end else len(html)]
        text = re.sub(r"<[^>]*>", "", segment)
        if not _RTL_LETTER.search(text):
            return match.group(0)
        return f'<{match.group(1)}{match.group(2)} dir="rtl">'

    marked = _BLOCK.sub(block, html)
    # In each right-to-left block, the titles and names it links to are laid out on their own.
    out, last = [], 0
    for match in re.finditer(r'<(?:li|p|h[1-6]|dt|dd)\b[^>]*\bdir="rtl"[^>]*>', marked):
        end = _BLOCK_END.search(marked, match.end())
        stop = end.start() if end else len(marked)
        out += [marked[last:match.end()], _isolate_links(marked[match.end():stop])]
        last = stop
    return "".join(out) + marked[last:]


_LINK = re.compile(r"(<a\b[^>]*>)(.*?)(</a>)", re.IGNORECASE | re.DOTALL)


def _isolate_links(segment: str) -> str:
    """Each link's text in a Unicode isolate: a Latin title ("[Exemple] Titre") inside an Arabic
    sentence keeps its brackets and its full stop where its own direction puts them."""
    return _LINK.sub(lambda m: m.group(1) + FSI + m.group(2) + PDI + m.group(3)
                     if m.group(2) and not m.group(2).startswith(FSI) else m.group(0), segment)


def directed_html(html: str) -> str:
    """``html`` ready for a text browser in the interface's direction."""
    return mirror_tables(rtl_blocks(html)) if is_rtl() else html


# --- right to left in item views ------------------------------------------------------------

class IsolatingDelegate(QStyledItemDelegate):
    """Draws each cell's text in a Unicode isolate when the view is right to left: a name
    ("Amina K."), a French title ("[Exemple] Titre") or a symbol keeps its own order, and its
    elision ("…") falls where the text itself ends."""

    def initStyleOption(self, option, index) -> None:  # noqa: N802 - Qt's name
        super().initStyleOption(option, index)
        if option.direction == Qt.RightToLeft and option.text:
            option.text = isolate(option.text)


def isolate_item_views(widget: QWidget) -> int:
    """In a right-to-left interface, give every item view under ``widget`` that draws with Qt's
    default delegate an :class:`IsolatingDelegate`; returns how many."""
    if not is_rtl():
        return 0
    views = widget.findChildren(QAbstractItemView)
    if isinstance(widget, QAbstractItemView):
        views.append(widget)
    count = 0
    for view in views:
        if type(view.itemDelegate()) is QStyledItemDelegate:  # noqa: E721 - exactly Qt's own
            view.setItemDelegate(IsolatingDelegate(view))
            count += 1
    return count


# --- content language: which version of a document to show ---------------------------------------

def content_language_order() -> list[str]:
    """The user's order of preference for document languages (after the interface language)."""
    value = QSettings().value(CONTENT_ORDER_SETTING)
    codes = [normalize_language(c) for c in str(value).split(",")] if value else []
    codes = [c for c in codes if c]
    return codes + [c for c in DEFAULT_FALLBACK if c not in codes] if codes else list(DEFAULT_FALLBACK)


def save_content_language_order(codes: list[str]) -> None:
    QSettings().setValue(CONTENT_ORDER_SETTING, ",".join(codes))


def preferred_version(available) -> str | None:
    """Of the language versions ``available`` (codes or a mapping), the one to show first:
    the interface language's, else the first in the user's order."""
    return choose_language(available, current_language(), content_language_order())


#: The label of the order in Settings.
CONTENT_ORDER_LABEL = N_("Document languages")


class ContentLanguageOrder(QWidget):
    """The six languages in the user's order of preference for documents, with buttons to
    move one up or down; :meth:`save` keeps the order (Settings calls it when accepted), and
    it applies to the next record shown.

    Signals:
        changed(list): the new order of language codes
    """

    changed = Signal(list)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        from wtdc_desktop.formatting import language_name

        self.list = QListWidget(self)
        self.list.setAccessibleName(_("Languages of documents, in order of preference"))
        self.list.setToolTip(_("When a document exists in several languages, the first one available in this order "
                               "is shown; a version in the interface language always comes first."))
        for code in content_language_order():
            if code in LANGUAGES:
                item = QListWidgetItem(language_name(code), self.list)
                item.setData(Qt.UserRole, code)
        self.list.setFixedHeight(self.list.sizeHintForRow(0) * len(LANGUAGES) + 2 * self.list.frameWidth() + 4)
        self.up = QToolButton(self)
        self.up.setText(_("Move up"))
        self.up.setAccessibleName(_("Move the language up"))
        self.down = QToolButton(self)
        self.down.setText(_("Move down"))
        self.down.setAccessibleName(_("Move the language down"))
        buttons = QVBoxLayout()
        buttons.addWidget(self.up)
        buttons.addWidget(self.down)
        buttons.addStretch(1)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.list, 1)
        lay.addLayout(buttons)
        self.up.clicked.connect(lambda: self._move(-1))
        self.down.clicked.connect(lambda: self._move(1))
        self.list.setCurrentRow(0)

    def order(self) -> list[str]:
        return [self.list.item(i).data(Qt.UserRole) for i in range(self.list.count())]

    def _move(self, step: int) -> None:
        row = self.list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.list.count():
            return
        item = self.list.takeItem(row)
        self.list.insertItem(target, item)
        self.list.setCurrentRow(target)
        self.changed.emit(self.order())

    def save(self) -> None:
        save_content_language_order(self.order())
