"""Six languages: complete catalogs, ITU terminology, right to left, Qt's own strings, Babel
formats, collation, content language, the pseudo-locale and ``--lang``."""

from __future__ import annotations

import ast
import datetime as dt
import importlib.util
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import run_cli

ROOT = Path(__file__).resolve().parent.parent
I18N = ROOT / "i18n"
TRANSLATED = ("ar", "zh", "fr", "ru", "es")
ALL = ("ar", "zh", "en", "fr", "ru", "es")


def _load_script():
    spec = importlib.util.spec_from_file_location("update_catalogs", ROOT / "scripts" / "update_catalogs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def catalogs():
    script = _load_script()
    return script, script.read_catalog(script.POT), {lang: script.read_catalog(I18N / f"{lang}.po", lang)
                                                    for lang in ALL}


_PERCENT = re.compile(r"%\(\w+\)[a-z]|%[a-z]")


def _placeholders(text: str) -> set[str]:
    """Named {placeholders}, and %-placeholders (argparse's own messages use them)."""
    try:
        fields = {field for _lit, field, _spec, _conv in string.Formatter().parse(text) if field is not None}
    except ValueError:  # not a format string at all
        fields = {"<unbalanced braces>"}
    return fields | set(_PERCENT.findall(text))


def _forms(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def _ids(message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


_MNEMONIC = re.compile(r"&(?!&)\w")


# --- catalogs ---------------------------------------------------------------------------------------

def test_template_matches_a_fresh_extraction_of_the_code(catalogs):
    script, pot, _pos = catalogs
    fresh, committed = script.message_keys(script.extract()), script.message_keys(pot)
    assert sorted(fresh - committed, key=str) == [], "new strings: run python scripts/update_catalogs.py"
    assert sorted(committed - fresh, key=str) == [], "strings gone from the code: run scripts/update_catalogs.py"


def test_source_strings_use_named_placeholders_only(catalogs):
    _script, pot, _pos = catalogs
    argparse_own = {"wtdc_desktop/i18n.py"}  # argparse's messages keep its %-placeholders
    bad = [m.id for m in pot if m.id and not {loc for loc, _line in m.locations} <= argparse_own and any(
        re.search(r"\{\d*\}|%[sd]", text) for text in _ids(m))]
    assert bad == [], "use named placeholders: _(\"{count} records\").format(count=n)"


def test_no_fstring_or_concatenation_inside_translation_calls():
    offenders = []
    for path in sorted((ROOT / "wtdc_desktop").rglob("*.py")) + sorted((ROOT / "scripts").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("_", "N_", "ngettext", "pgettext") and node.args):
                if any(isinstance(arg, (ast.JoinedStr, ast.BinOp)) for arg in node.args):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_no_translation_call_inside_an_fstring():
    """Translate first, then format: a call of _() written inside an f-string is easy to misread as
    translated text (and, with a literal, is never extracted)."""
    offenders = []
    for path in sorted((ROOT / "wtdc_desktop").rglob("*.py")) + sorted((ROOT / "scripts").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.JoinedStr):
                offenders += [f"{path.relative_to(ROOT)}:{sub.lineno}" for sub in ast.walk(node)
                              if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name)
                              and sub.func.id in ("_", "N_", "ngettext", "pgettext")]
    assert offenders == []


@pytest.mark.parametrize("lang", ALL)
def test_catalog_is_complete_and_consistent(catalogs, lang):
    """Complete: every string of the template is there, not fuzzy, every plural form filled,
    the same named placeholders as the source and a mnemonic where the source has one. For
    English (the source language) the same rules hold: the catalog repeats the source text
    (scripts/update_catalogs.py fills it), and it may reword a string but not leave one out."""
    script, pot, pos = catalogs
    po = pos[lang]
    by_key = {(m.context, *_ids(m)): m for m in po if m.id}
    problems = []
    for key in sorted(script.message_keys(pot), key=str):
        message = by_key.get(key)
        source = key[1:]
        if message is None:
            problems.append(f"missing: {source[0]!r}")
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {source[0]!r}")
        forms = _forms(message)
        if len(source) == 2 and len(forms) != po.num_plurals:
            problems.append(f"{len(forms)} plural forms instead of {po.num_plurals}: {source[0]!r}")
        if not all(forms):
            problems.append(f"untranslated: {source[0]!r}")
            continue
        wanted = set().union(*(_placeholders(s) for s in source))
        for form in forms:
            got = _placeholders(form)
            # A plural form used for one exact number (Arabic "one", "two") may spell the number out.
            allowed_missing = {"count"} if len(source) == 2 else set()
            if not (got <= wanted and wanted - got <= allowed_missing):
                problems.append(f"placeholders {sorted(got)} instead of {sorted(wanted)}: {source[0]!r}")
        if any(_MNEMONIC.search(s) for s in source) and not all(len(_MNEMONIC.findall(f)) == 1 for f in forms):
            problems.append(f"mnemonic (&) missing or repeated: {source[0]!r}")
    extra = sorted(set(by_key) - script.message_keys(pot), key=str)
    problems += [f"not in the template: {k[1]!r}" for k in extra]
    assert problems == []


@pytest.mark.parametrize("lang", ["ar", "zh", "ru"])
def test_non_latin_catalogs_hold_no_english_left_over(catalogs, lang):
    """A string copied unchanged into Arabic, Chinese or Russian is an oversight, unless it is an
    acronym, a code or a placeholder (no English word of two or more lowercase letters)."""
    _script, _pot, pos = catalogs
    leftovers = []
    for m in pos[lang]:
        if not m.id:
            continue
        for source, form in zip(_ids(m) * 6, _forms(m), strict=False):
            bare = re.sub(r"\{[^}]*\}|%\([^)]*\)[a-z]|<[^>]*>|https?://\S+|\.wtdc\.zip|\.[a-z]{2,5}\b", "",
                          form)
            if form and re.search(r"\b[a-z]{2,}\b", bare) and form == source:
                leftovers.append(form)
    assert leftovers == []


#: ITU's own terms: wherever the English text uses one, each translation uses ITU's term
#: (document symbols such as WTDC-21/25 or WTDC/37 are identifiers and stay as they are).
TERMS = {
    r"\bResolutions?\b": {"fr": r"[Rr]ésolution", "es": r"[Rr]esoluci[oó]n", "ru": r"[Рр]езолюци",
                          "ar": r"قرار", "zh": r"决议"},
    r"(?i)\bhead of delegation\b": {"fr": r"chef de (la )?délégation", "es": r"[Jj]efe de (la )?[Dd]elegación",
                                "ru": r"[Гг]лав\w* делегаци", "ar": r"رئيس (ال)?وفد", "zh": r"团长"},
    r"(?i)\bregional telecommunication organizations?\b": {
        "fr": r"organisations? régionales? de télécommunications?",
        "es": r"organizaci(ón|ones) regional(es)? de telecomunicaciones",
        "ru": r"региональн\w+ организаци\w+ электросвязи", "ar": r"منظم\w+ إقليمي\w* للاتصالات",
        "zh": r"区域性电信组织"},
    r"(?i)\bstudy groups?\b": {"fr": r"[Cc]ommissions? d[’']études", "es": r"[Cc]omisi(ón|ones) de [Ee]studio",
                           "ru": r"[Ии]сследовательск\w+ комисси", "ar": r"لجن\w* (ال)?دراسات", "zh": r"研究组"},
    r"\bWTDC\b(?! Desktop)(?![-/])": {"fr": r"CMDT", "es": r"CMDT", "ru": r"ВКРЭ",
                             "ar": r"WTDC|المؤتمر العالمي لتنمية الاتصالات", "zh": r"世界电信发展大会|WTDC"},
    r"\bTDAG\b(?![-/])": {"fr": r"GCDT", "es": r"GADT", "ru": r"КГРЭ", "ar": r"TDAG|الفريق الاستشاري لتنمية الاتصالات",
                  "zh": r"电信发展顾问组|TDAG"},
    r"\bQuestions?\b": {"fr": r"Questions?", "es": r"[Cc]uesti(ón|ones)", "ru": r"[Вв]опрос",
                        "ar": r"مسأل|مسائل", "zh": r"课题"},
}


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_use_itu_terminology(catalogs, lang):
    _script, _pot, pos = catalogs
    wrong = []
    for m in pos[lang]:
        if not m.id:
            continue
        for pattern, targets in TERMS.items():
            for source, form in zip(_ids(m) * 6, _forms(m), strict=False):
                if re.search(pattern, source) and form and not re.search(targets[lang], form):
                    wrong.append(f"{source!r} → {form!r} (expected {targets[lang]})")
    assert wrong == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalog_declares_its_language_and_plural_rule(catalogs, lang):
    from babel.messages.plurals import get_plural

    _script, _pot, pos = catalogs
    po = pos[lang]
    assert str(po.locale) == lang
    assert po.num_plurals == get_plural(lang).num_plurals


# --- loading catalogs ---------------------------------------------------------------------------------

def test_each_language_translates_the_interface():
    from wtdc_desktop.i18n import _, set_language

    seen = {}
    for lang in ALL:
        assert set_language(lang) == lang
        seen[lang] = _("Resolutions")
    assert seen["fr"] == "Résolutions" and seen["es"] == "Resoluciones" and seen["en"] == "Resolutions"
    assert "Резолюции" in seen["ru"] and "قرارات" in seen["ar"] and "决议" in seen["zh"]


def test_unsupported_or_regional_codes(monkeypatch, caplog):
    from wtdc_desktop.i18n import set_language, system_language

    assert set_language("fr_CH.UTF-8") == "fr"
    assert set_language("zh-Hans") == "zh"
    assert set_language("de") == "en"
    assert "unsupported" in caplog.text
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "ru_RU.UTF-8")
    assert system_language() == "ru"
    monkeypatch.setenv("LANGUAGE", "de:es")
    assert system_language() == "es"
    monkeypatch.setenv("LANGUAGE", "")
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    assert system_language() == "en"


@pytest.fixture
def private_catalogs(tmp_path, monkeypatch):
    """A catalog folder of our own, with a Russian plural entry."""
    import wtdc_desktop.i18n as i18n

    folder = tmp_path / "i18n"
    folder.mkdir()
    (folder / "ru.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n'
        '"Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && '
        '(n%100<10 || n%100>=20) ? 1 : 2);\\n"\n\n'
        'msgid "Hello"\nmsgstr "Здравствуйте"\n\n'
        'msgid "{count} record"\nmsgid_plural "{count} records"\n'
        'msgstr[0] "{count} запись"\nmsgstr[1] "{count} записи"\nmsgstr[2] "{count} записей"\n',
        "utf-8")
    monkeypatch.setattr(i18n, "i18n_path", lambda *parts: folder.joinpath(*parts))
    yield folder
    monkeypatch.undo()
    i18n.set_language("en")


def test_plural_forms_follow_the_language(private_catalogs):
    from wtdc_desktop.i18n import ngettext, set_language

    set_language("ru")
    shown = {n: ngettext("{count} record", "{count} records", n).format(count=n) for n in (1, 2, 5, 11, 21, 22)}
    assert shown == {1: "1 запись", 2: "2 записи", 5: "5 записей", 11: "11 записей", 21: "21 запись",
                     22: "22 записи"}


def test_compiled_catalog_is_used_unless_its_po_is_newer(private_catalogs):
    import os

    from wtdc_desktop.i18n import _, compile_catalogs, set_language

    po = private_catalogs / "ru.po"
    (mo,) = compile_catalogs(private_catalogs, private_catalogs)
    po.unlink()  # the frozen build ships only the .mo
    set_language("ru")
    assert _("Hello") == "Здравствуйте"
    # Someone edits the .po after compiling: the edit shows at once.
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
                  'msgid "Hello"\nmsgstr "Привет"\n', "utf-8")
    os.utime(po, (mo.stat().st_mtime + 10, mo.stat().st_mtime + 10))
    set_language("ru")
    assert _("Hello") == "Привет"


def test_a_broken_catalog_falls_back_to_english(private_catalogs):
    from wtdc_desktop.i18n import _, set_language

    broken = private_catalogs / "fr" / "LC_MESSAGES" / "wtdc_desktop.mo"
    broken.parent.mkdir(parents=True)
    broken.write_bytes(b"not a catalog at all")
    assert set_language("fr") == "fr"
    assert _("Hello") == "Hello"


def test_package_build_compiles_the_catalogs(tmp_path):
    """``pip install .`` builds through setup.py's build_py hook: the .mo files land in the package."""
    import shutil

    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for folder in ("wtdc_desktop", "resources", "i18n"):
        shutil.copytree(ROOT / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    out = tmp_path / "build"
    proc = subprocess.run([sys.executable, "setup.py", "-q", "build_py", "--build-lib", str(out)], cwd=src,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    import gettext

    for lang in ALL:
        mo = out / "wtdc_desktop" / "data" / "i18n" / lang / "LC_MESSAGES" / "wtdc_desktop.mo"
        with mo.open("rb") as fp:
            catalog = gettext.GNUTranslations(fp)
        assert catalog.gettext("Resolutions") != "" and (lang == "en" or catalog.gettext("Resolutions") != "Resolutions")


# --- the pseudo-locale ------------------------------------------------------------------------------

def test_pseudo_locale_lengthens_marks_and_keeps_placeholders(monkeypatch):
    from wtdc_desktop.i18n import PSEUDO_CLOSE, PSEUDO_OPEN, _, set_language

    monkeypatch.setenv("WTDC_PSEUDO", "1")
    set_language("en")
    try:
        for source in ("Resolutions", "Filter…", "{count} records", "&Open a bundle…", "OK"):
            shown = _(source)
            assert shown.startswith(PSEUDO_OPEN) and shown.endswith(PSEUDO_CLOSE)
            assert len(shown) >= 1.4 * len(source)
            assert _placeholders(shown) == _placeholders(source)
            assert shown.count("&") == source.count("&")
        assert "12" in _("{count} records").format(count=12)
    finally:
        monkeypatch.delenv("WTDC_PSEUDO")
        set_language("en")
    assert _("Resolutions") == "Resolutions"


_WORD = re.compile(r"[^\W\d_]{2,}")


def _strip_marked(text: str) -> str:
    from wtdc_desktop.i18n import PSEUDO_CLOSE, PSEUDO_OPEN

    inner = re.compile(f"{PSEUDO_OPEN}[^{PSEUDO_OPEN}{PSEUDO_CLOSE}]*{PSEUDO_CLOSE}")
    while True:
        stripped = inner.sub(" ", text)
        if stripped == text:
            return text
        text = stripped


def _plain(text: str) -> str:
    from PySide6.QtGui import QTextDocumentFragment

    return QTextDocumentFragment.fromHtml(text).toPlainText() if re.search(r"<[a-zA-Z/!]", text) else text


def _ui_texts(window):
    """(where, text) for every string a user sees or hears in the window as it is now:
    titles, menus and actions, labels, buttons, placeholders, tabs, headers, tooltips,
    status tips, accessible names, item-widget entries, the status bar. Cell data of model
    views and the text of read-only text panes is record data and not collected (the
    caller adds detail panes separately)."""
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QAbstractItemView, QMenu, QWidget

    found = [("window title", window.windowTitle()), ("status bar", window.statusBar().currentMessage())]
    for w in [window, *window.findChildren(QWidget)]:
        if w is not window and not w.isVisibleTo(window):
            continue
        where = type(w).__name__ + (f"#{w.objectName()}" if w.objectName() else "")
        texts = [w.toolTip(), w.statusTip(), w.whatsThis(), w.accessibleName(), w.accessibleDescription()]
        texts += _widget_texts(w)
        if isinstance(w, QAbstractItemView) and w.model() is not None:
            texts += _item_view_texts(w, window)
        found += [(where, t) for t in texts if t]
    menus = [a.menu() for a in window.menuBar().actions() if a.menu()] if window.menuBar() else []
    for action in window.findChildren(QAction) + [a for m in menus for a in m.actions()]:
        if action.isSeparator() or not action.text():
            continue
        found += [(f"action {action.objectName()}", t) for t in (action.text(), action.toolTip(), action.statusTip())
                  if t]
    found += [("menu", m.title()) for m in window.findChildren(QMenu) if m.title()]
    return found


def _widget_texts(w) -> list[str]:
    """The texts a widget of one of the usual kinds shows itself (label, button, title, placeholder, tabs,
    choices)."""
    from PySide6.QtWidgets import (
        QAbstractButton, QComboBox, QDockWidget, QGroupBox, QLabel, QLineEdit, QTabBar, QTextEdit,
    )

    if isinstance(w, QLabel):
        return [_plain(w.text())]
    if isinstance(w, QAbstractButton):
        return [w.text()]
    if isinstance(w, QGroupBox):
        return [w.title()]
    if isinstance(w, QDockWidget):
        return [w.windowTitle()]
    if isinstance(w, QLineEdit):
        return [w.placeholderText()]
    if isinstance(w, QTextEdit) and not w.isReadOnly():
        return [w.placeholderText()]
    if isinstance(w, QTabBar):
        return [w.tabText(i) for i in range(w.count())] + [w.tabToolTip(i) for i in range(w.count())]
    if isinstance(w, QComboBox):
        return [w.itemText(i) for i in range(w.count())]
    return []


def _item_view_texts(w, window) -> list[str]:
    """An item view's visible column headers, and the entries of item widgets (built by the code:
    navigation, choices; not record rows)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QListWidget, QTableWidget, QTreeWidget

    texts = []
    model = w.model()
    header = (w.horizontalHeader() if hasattr(w, "horizontalHeader")
              else w.header() if hasattr(w, "header") else None)
    if header is not None and header.isVisibleTo(window):
        for c in range(header.count()):
            texts += [str(model.headerData(c, Qt.Horizontal, role) or "")
                      for role in (Qt.DisplayRole, Qt.ToolTipRole)]
    if isinstance(w, QListWidget):
        items = [w.item(i) for i in range(min(w.count(), 200))]
        texts += [t for item in items for t in (item.text(), item.toolTip())]
    elif isinstance(w, QTreeWidget):
        stack = [w.topLevelItem(i) for i in range(w.topLevelItemCount())]
        while stack:
            item = stack.pop()
            texts += [t for c in range(item.columnCount()) for t in (item.text(c), item.toolTip(c))]
            stack += [item.child(i) for i in range(item.childCount())]
    elif isinstance(w, QTableWidget):
        texts += [t for r in range(min(w.rowCount(), 200)) for c in range(w.columnCount())
                  if w.item(r, c) for t in (w.item(r, c).text(), w.item(r, c).toolTip())]
    return texts


def _unmarked(found, corpus: set[str]) -> list[str]:
    """Texts with a word (two letters or more) outside every ⟦…⟧ that is not record data."""
    bad = []
    for where, text in found:
        rest = _strip_marked(text)
        words = [w for w in _WORD.findall(rest) if w not in corpus]
        if words:
            bad.append(f"{where}: {text!r}")
    return sorted(set(bad))


def _record_words(store) -> set[str]:
    from wtdc_desktop import APP_NAME
    from wtdc_desktop.domain.records import PUBLISHED_TYPES
    from wtdc_desktop.store import positions, published, syncs

    words = set(_WORD.findall(APP_NAME))  # the product's name is the same in every language
    # Dates and times formatted by Babel (month and day names, AM/PM, zone names) are not strings
    # of ours; a date shown raw (ISO) has no word in it and passes anyway.
    from babel import Locale

    english = Locale.parse("en")
    for table in (english.months, english.days, english.day_periods):
        for context in table.values():
            for names in context.values():
                for name in names.values():
                    words.update(_WORD.findall(str(name)))
    words.update({"UTC", "GMT"})

    def walk(value):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(k)
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif value is not None:
            words.update(_WORD.findall(str(value)))

    for type_name in PUBLISHED_TYPES:
        walk(published.list_records(store, type_name, include_withdrawn=True))
    # Also data that is not a record: where the store is, what was synced from where.
    walk([vars(c) for c in syncs.all_channel_states(store)])
    walk(syncs.sync_log(store))
    walk(positions.list_positions(store))
    walk(str(getattr(store, "data_dir", "")))
    return words


def _close_window(win) -> None:
    """Close the window and let Qt delete it before its store is closed (timers stop first)."""
    from PySide6.QtCore import QCoreApplication, QEvent

    store = win.store
    win.close()
    win.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    store.close()


@pytest.fixture
def pseudo_window(qtbot, data_dir, monkeypatch):
    from wtdc_desktop.i18n import set_language, set_pseudo
    from wtdc_desktop.ui.app import open_window

    monkeypatch.setenv("WTDC_PSEUDO", "1")
    set_language("en")
    win = open_window(data_dir)
    win.resize(1280, 800)
    win.show()
    qtbot.waitUntil(lambda: bool(win.statusBar().currentMessage()))  # the counts come after the first paint
    yield win
    _close_window(win)
    set_pseudo(False)


class _Dialogs:
    """While the walk runs: dialogs shown modally (``exec``) are shown, looked at and cancelled, file
    and input choosers answer "cancelled", message boxes "no"; every top-level window a step opened
    is looked at, then closed."""

    def __init__(self, monkeypatch, look) -> None:
        from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QMessageBox

        self.look, self.seen = look, []

        def fake_exec(dialog, *_args):
            dialog.show()
            self._look_at(dialog)
            dialog.hide()
            return QMessageBox.Cancel if isinstance(dialog, QMessageBox) else QDialog.Rejected

        for cls in (QDialog, QMessageBox, QFileDialog, QInputDialog):
            monkeypatch.setattr(cls, "exec", fake_exec)
        for name in ("getOpenFileName", "getSaveFileName"):
            monkeypatch.setattr(QFileDialog, name, staticmethod(lambda *a, **k: ("", "")))
        monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: ([], "")))
        monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: ""))
        for name in ("getText", "getItem", "getInt", "getMultiLineText"):
            monkeypatch.setattr(QInputDialog, name, staticmethod(lambda *a, **k: ("", False)))
        for name in ("question", "information", "warning", "critical"):
            monkeypatch.setattr(QMessageBox, name, staticmethod(lambda *a, **k: QMessageBox.No))
        monkeypatch.setattr(QMessageBox, "about", staticmethod(lambda *a, **k: None))

    def _look_at(self, dialog) -> None:
        from PySide6.QtWidgets import QApplication

        QApplication.processEvents()
        self.seen.append(type(dialog).__name__)
        self.look(dialog)

    def close_new_windows(self, main) -> None:
        """Look at, then close, every window a step opened (non-modal dialogs)."""
        from PySide6.QtWidgets import QApplication

        for w in QApplication.topLevelWidgets():
            if w is not main and w.isVisible() and w.isWindow() and not w.inherits("QMenu"):
                self._look_at(w)
                w.close()
        QApplication.processEvents()


def _dialog_texts(dialog) -> list[tuple[str, str]]:
    """What a dialog shows; its standard buttons (OK, Cancel, Close) are Qt's, in Qt's catalogs."""
    from PySide6.QtWidgets import QDialogButtonBox, QWidget

    name = type(dialog).__name__
    found = [(name, dialog.windowTitle())]
    standard = {box.button(b) for box in dialog.findChildren(QDialogButtonBox) for b in box.standardButtons()}
    for w in [dialog, *dialog.findChildren(QWidget)]:
        if w not in standard and (w is dialog or w.isVisibleTo(dialog)):
            found += [(f"{name} {type(w).__name__}", t)
                      for t in [w.toolTip(), w.accessibleName(), *_widget_texts(w)] if t]
    return found


def _opens_a_dialog(button) -> bool:
    """Buttons that open a dialog say so with "…" (the interface's convention)."""
    return "…" in button.text()


def _walk_view(win, key: str, corpus: set[str], dialogs: _Dialogs) -> tuple[int, list[str]]:
    """Each tab of the view ``key`` with its first rows selected, and the dialogs its buttons open:
    (texts checked, texts not marked)."""
    from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QApplication, QTabWidget, QTextBrowser,
                                   QToolButton)

    view = win.views[key]
    checked, bad = 0, []
    tab_widgets = [t for t in view.findChildren(QTabWidget) if t.isVisibleTo(win)]
    for tabs, index in [(None, None)] + [(t, i) for t in tab_widgets for i in range(t.count())]:
        if tabs is not None:
            tabs.setCurrentIndex(index)
        for table in view.findChildren(QAbstractItemView):
            if table.isVisibleTo(win) and table.model() is not None and table.model().rowCount() > 0:
                table.setCurrentIndex(table.model().index(0, 0))
        QApplication.processEvents()
        found = _ui_texts(win)
        # Detail panes: record data plus labels; labels must be marked, data is in the corpus.
        found += [(f"{key} detail", line) for pane in view.findChildren(QTextBrowser)
                  if pane.isVisibleTo(win) for line in pane.toPlainText().splitlines()]
        checked += len(found)
        bad += [f"[{key}] {b}" for b in _unmarked(found, corpus)]
        # The view's own dialogs: its buttons that open one, and each entry of its Export ▾ menus.
        for button in view.findChildren(QAbstractButton):
            if not (button.isVisibleTo(win) and button.isEnabled()):
                continue
            menu = button.menu() if isinstance(button, QToolButton) else None
            for action in menu.actions() if menu is not None else []:
                if action.isEnabled() and not action.isSeparator():
                    action.trigger()
                    dialogs.close_new_windows(win)
            if menu is None and _opens_a_dialog(button):
                button.click()
                dialogs.close_new_windows(win)
    return checked, bad


@pytest.mark.gui
@pytest.mark.slow
# A popup opened by a dialog grabs the keyboard; the offscreen platform has no keyboard to grab.
@pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard")
def test_every_view_shows_only_translated_text_under_the_pseudo_locale(pseudo_window, qtbot, monkeypatch):
    """Every view (each of its tabs, a record selected) and every dialog reachable from the menus
    and from the views' "…" buttons, under the pseudo-locale: every text a user sees went through
    _() (marked), and every message asked for is in the template i18n/wtdc_desktop.pot, so it is
    translated (a message missing there stays English in every language)."""
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QApplication

    from wtdc_desktop.i18n import _, recording
    from wtdc_desktop.store import published
    from wtdc_desktop.ui.main_window import NAVIGATION

    win = pseudo_window
    corpus = _record_words(win.store)
    bad, checked, dialog_texts = [], 0, []
    dialogs = _Dialogs(monkeypatch, lambda d: dialog_texts.extend(_dialog_texts(d)))
    with recording() as asked:
        for key, *_rest in NAVIGATION:
            win.show_view(key)
            view_checked, view_bad = _walk_view(win, key, corpus, dialogs)
            checked += view_checked
            bad += view_bad
        # A record no view lists opens in a dialog of its own.
        meeting = next(iter(published.list_records(win.store, "meeting")), None)
        if meeting is not None:
            win.open_record("meeting", meeting["id"])
            dialogs.close_new_windows(win)
        # The dialogs of the menus (not Quit, and not the actions that change the store).
        leave_alone = {_("Quit"), _("Sync now"), _("Load the demo content")}
        for menu in [a.menu() for a in win.menuBar().actions() if a.menu()]:
            for action in menu.actions():
                if isinstance(action, QAction) and action.text() and action.text() not in leave_alone:
                    action.trigger()
                    QApplication.processEvents()
                    dialogs.close_new_windows(win)
    from wtdc_desktop.i18n import LANGUAGE_NAMES

    corpus |= {word for name in LANGUAGE_NAMES.values() for word in _WORD.findall(name)}  # each in itself
    bad += [f"[dialog] {b}" for b in _unmarked(dialog_texts, corpus)]
    assert checked > 10 * len(NAVIGATION)
    assert {"SettingsDialog", "SearchDialog", "RecordDialog", "NewPositionDialog", "ContactDialog"} <= \
        set(dialogs.seen), dialogs.seen
    assert bad == [], "strings that do not go through _(): " + "\n".join(bad)
    script = _load_script()
    template = script.message_keys(script.read_catalog(script.POT))
    missing = sorted((key for key in asked if key[1] and key not in template), key=str)
    assert missing == [], "asked for but not in i18n/wtdc_desktop.pot (never extracted): " + \
        "\n".join(map(repr, missing))
    assert len(asked) > 300


def test_the_recording_catches_a_message_missing_from_the_template():
    from wtdc_desktop.i18n import _, ngettext, pgettext, recording

    with recording() as asked:
        _("Resolutions")
        ngettext("{count} position", "{count} positions", 2)
        pgettext("verb", "Open")
        message = "Prepare for this session"
        _(f"{message}")  # noqa: INT001 - what Babel cannot extract
    assert {(None, "Resolutions"), (None, "{count} position", "{count} positions"), ("verb", "Open"),
            (None, "Prepare for this session")} <= asked


@pytest.mark.gui
def test_the_pseudo_check_catches_a_hard_coded_label(pseudo_window):
    from PySide6.QtWidgets import QLabel

    from wtdc_desktop.i18n import _

    win = pseudo_window
    corpus = _record_words(win.store)
    current = win.stack.currentWidget() if hasattr(win, "stack") else win.centralWidget()
    QLabel("Hard-coded text", current).show()
    QLabel(_("Resolutions"), current).show()
    bad = _unmarked(_ui_texts(win), corpus)
    assert any("Hard-coded text" in b for b in bad)
    assert not any("Resolutions" in b for b in bad)


# --- Qt: locale, Qt's own strings, right to left -------------------------------------------------------

@pytest.fixture
def qt_language(qapp):
    from wtdc_desktop.ui.app import apply_language

    yield lambda lang: apply_language(qapp, lang)
    apply_language(qapp, "en")


@pytest.mark.gui
@pytest.mark.parametrize("lang, cancel", [("fr", "Annuler"), ("es", "Cancelar"), ("ru", "Отмена"),
                                          ("zh", "取消"), ("ar", "ألغِ")])
def test_standard_dialogs_speak_the_interface_language(qt_language, qtbot, lang, cancel):
    from PySide6.QtCore import QLocale
    from PySide6.QtWidgets import QDialogButtonBox

    qt_language(lang)
    assert QLocale().language() == QLocale(lang).language()
    box = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
    qtbot.addWidget(box)
    assert box.button(QDialogButtonBox.Cancel).text().replace("&", "") == cancel


@pytest.mark.gui
def test_arabic_mirrors_the_window_and_uses_western_digits(qt_language, qtbot, data_dir):
    from PySide6.QtCore import QLocale, QPoint, Qt

    from wtdc_desktop.ui.app import open_window

    qt_language("ar")
    assert QLocale().toString(1234) == "1,234"  # as ITU's Arabic texts write numbers
    win = open_window(data_dir)
    win.resize(1200, 700)
    win.show()
    try:
        assert win.layoutDirection() == Qt.RightToLeft
        view = win.views["documents"]
        win.show_view("documents")
        nav_x = win.nav.mapTo(win, QPoint(0, 0)).x()
        stack_x = win.stack.mapTo(win, QPoint(0, 0)).x()
        assert nav_x > stack_x  # the navigation is on the right
        assert view.table.horizontalHeader().isRightToLeft()
    finally:
        _close_window(win)
    qt_language("fr")
    assert qapp_direction() == Qt.LeftToRight


def qapp_direction():
    from PySide6.QtWidgets import QApplication

    return QApplication.layoutDirection()


@pytest.fixture
def isolated_settings(tmp_path):
    from PySide6.QtCore import QSettings

    QSettings.setPath(QSettings.NativeFormat, QSettings.UserScope, str(tmp_path / "settings"))
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path / "settings"))
    QSettings().clear()
    yield
    QSettings().clear()


@pytest.mark.gui
def test_language_precedence(qapp, isolated_settings, monkeypatch):
    from wtdc_desktop.ui import language as app_module

    monkeypatch.setattr(app_module, "qt_system_language", lambda: "es")
    assert app_module.startup_language(None) == "es"  # nothing chosen: the system's
    app_module.save_language("ru")
    assert app_module.startup_language(None) == "ru"  # chosen in Settings
    assert app_module.startup_language("zh") == "zh"  # --lang wins


@pytest.fixture
def back_to_english(qapp):
    from wtdc_desktop.ui.app import apply_language

    yield
    apply_language(qapp, "en")


@pytest.mark.gui
def test_choosing_a_language_in_settings_retranslates_the_open_window(own_settings, back_to_english, window,
                                                                      qtbot, monkeypatch):
    """No restart: the menus, the navigation, the view shown, the status bar and the store's banners
    are in French as soon as Settings is accepted; views shown later too."""
    from PySide6.QtWidgets import QDialog, QLineEdit

    from wtdc_desktop.ui.settings import SettingsDialog

    win = window
    win.show_view("documents")
    win.views["documents"].select_record("TDAG-WD2-20/1")
    qtbot.waitUntil(lambda: "documents" in win.statusBar().currentMessage())
    assert [a.text() for a in win.menuBar().actions()][0] == "&File"

    def choose_french(dialog):
        dialog.language.setCurrentIndex(dialog.language.findData("fr"))
        return QDialog.Accepted

    monkeypatch.setattr(SettingsDialog, "exec", choose_french)
    monkeypatch.setattr(win, "offer_restart", lambda: pytest.fail("a language change needs no restart"))
    win.open_settings()

    menus = [a.text() for a in win.menuBar().actions()]
    assert menus[:2] == ["&Fichier", "É&dition"] and "&File" not in menus
    file_actions = [a.text() for a in win.menuBar().actions()[0].menu().actions() if a.text()]
    file_actions = [text.replace("&", "") for text in file_actions]  # without their access letters
    assert "Synchroniser" in file_actions and "Sync now" not in file_actions
    assert win.nav.item(0).text() == "Aujourd’hui" and win.nav.item(1).text() == "Nouveautés"
    assert win.current_key() == "documents"
    view = win.views["documents"]
    assert view.isVisible()
    assert view.detail.record_id == "TDAG-WD2-20/1"  # the record shown stays shown
    placeholders = [e.placeholderText() for e in view.findChildren(QLineEdit) if e.isVisibleTo(win)]
    assert "Filtrer (mots, cotes)…" in placeholders, placeholders
    assert "propositions" in win.statusBar().currentMessage() and "séances" in win.statusBar().currentMessage()
    assert win.sync_status.button.text() == "Synchroniser"
    assert any("démonstration" in text for text in win.banner_texts()), win.banner_texts()
    win.show_view("today")  # a view built before the change is built again in French
    from wtdc_desktop.i18n import _

    assert _("Today") == "Aujourd’hui"


# --- the command line ---------------------------------------------------------------------------------

def test_cli_lang_translates_help_and_output(data_dir, store):
    code, out, _err = run_cli("--lang", "fr", "--help")
    assert code == 0
    from wtdc_desktop.i18n import _, set_language

    set_language("fr")
    assert _("interface language: ar, zh, en, fr, ru or es") in out
    assert "interface language" not in out
    code, out, _err = run_cli("stats", "--data-dir", data_dir, "--lang", "ru")
    assert code == 0
    set_language("ru")
    assert _("records") in out.splitlines()[0]


def test_cli_unknown_language_falls_back_to_english(data_dir, store):
    code, out, err = run_cli("--lang", "xx", "stats", "--data-dir", data_dir)
    assert code == 0
    assert "records" in out.splitlines()[0]


# --- formats ------------------------------------------------------------------------------------------

KIGALI_9AM = "2026-11-28T07:00:00Z"


def test_times_are_shown_in_the_meeting_zone_and_the_laptop_zone():
    from wtdc_desktop.instants import format_instant, format_time, zone_label

    assert format_time(KIGALI_9AM, "Africa/Kigali", lang="fr") == "09:00"
    text = format_instant(KIGALI_9AM, "Africa/Kigali", laptop="Europe/Zurich", lang="fr")
    assert "09:00" in text and "Kigali (UTC+2)" in text and "08:00" in text and "Zurich (UTC+1)" in text
    assert text.count("2026") == 1  # the same day is not repeated
    same = format_instant(KIGALI_9AM, "Africa/Kigali", laptop="Africa/Kigali", lang="en")
    assert same.count("Kigali") == 1
    assert zone_label("Europe/Moscow", dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc), lang="ru") == \
        "Москва (UTC+3)"
    assert "日内瓦" in zone_label("Europe/Zurich", lang="zh") or "苏黎世" in zone_label("Europe/Zurich", lang="zh")
    with pytest.raises(ValueError):
        format_time("2026-11-28T07:00:00", "Africa/Kigali")


def test_summer_time_changes_the_offset():
    from wtdc_desktop.instants import zone_label

    winter = zone_label("Europe/Zurich", dt.datetime(2026, 1, 15, tzinfo=dt.timezone.utc), lang="en")
    summer = zone_label("Europe/Zurich", dt.datetime(2026, 7, 15, tzinfo=dt.timezone.utc), lang="en")
    assert winter.endswith("(UTC+1)") and summer.endswith("(UTC+2)")


@pytest.mark.parametrize("lang, expected", [("fr", "1\u202f500\u202f000,00\xa0CHF"), ("en", "CHF1,500,000.00"),
                                            ("es", "1.500.000,00\xa0CHF"), ("ru", "1\xa0500\xa0000,00\xa0CHF")])
def test_money_follows_the_language(lang, expected):
    from wtdc_desktop.formatting import format_money

    assert format_money({"amount": 1500000, "currency": "CHF"}, lang=lang) == expected


def test_arabic_and_chinese_formats():
    from wtdc_desktop.formatting import format_number
    from wtdc_desktop.instants import format_date

    assert format_number(1234567, lang="ar") == "1,234,567"
    assert "نوفمبر" in format_date("2026-11-28", "long", lang="ar")
    assert format_date("2026-11-28", "long", lang="zh") == "2026年11月28日"


def test_names_and_titles_sort_by_the_language_rules():
    from wtdc_desktop.ui.collation import sorted_by

    assert sorted_by(["Zambie", "Égypte", "Espagne", "États-Unis", "eau"], lang="fr") == \
        ["eau", "Égypte", "Espagne", "États-Unis", "Zambie"]
    assert sorted_by(["Résolution 37", "Résolution 9", "Résolution 140"], lang="fr") == \
        ["Résolution 9", "Résolution 37", "Résolution 140"]
    assert sorted_by(["中国", "阿富汗", "德国", "巴西"], lang="zh") == ["阿富汗", "巴西", "德国", "中国"]  # pinyin
    assert sorted_by(["ñu", "nube", "oso"], lang="es") == ["nube", "ñu", "oso"]
    records = [{"name": "Жуков"}, {"name": "Ёлкин"}, {"name": "Егоров"}]
    assert [r["name"] for r in sorted_by(records, key=lambda r: r["name"], lang="ru")] == ["Егоров", "Ёлкин", "Жуков"]


def test_formats_default_to_the_interface_language():
    from wtdc_desktop.formatting import format_number
    from wtdc_desktop.i18n import set_language

    set_language("fr")
    assert format_number(1234.5) == "1\u202f234,5"
    set_language("en")
    assert format_number(1234.5) == "1,234.5"


# --- content language ---------------------------------------------------------------------------------

DOC = {"id": "WTDC-25/12", "title": "Proposals of the African States",
       "languages": {"en": {"title": "Proposals of the African States", "file": "e.pdf"},
                     "fr": {"title": "Propositions des États d'Afrique", "file": "f.pdf"},
                     "ar": {"title": "مقترحات الدول الأفريقية", "file": "a.pdf"}}}


def test_content_is_shown_in_the_interface_language_else_the_user_order():
    from wtdc_desktop.domain.languages import choose_language, localized_title, localized_version

    assert localized_title(DOC, "ar") == "مقترحات الدول الأفريقية"
    assert localized_version(DOC, "fr")[1]["file"] == "f.pdf"
    assert localized_version(DOC, "ru", ["fr", "en"])[0] == "fr"  # no Russian: the user's order
    assert localized_version(DOC, "ru", ["es", "ar"])[0] == "ar"
    assert localized_version(DOC, "zh")[0] == "en"  # no order set: English first
    assert localized_title({"id": "x", "title": "Only this"}, "fr") == "Only this"
    assert choose_language(["E", "F"], "fr") == "F"  # ITU symbol letters
    assert choose_language(["de"], "fr") == "de"  # the only version there is
    assert choose_language([], "fr") is None


@pytest.mark.gui
def test_document_version_follows_the_interface_then_the_order_set_in_settings(qapp, isolated_settings, qtbot):
    from wtdc_desktop.i18n import set_language
    from wtdc_desktop.ui.language import ContentLanguageOrder, content_language_order, preferred_version

    set_language("ru")
    assert preferred_version({"fr": {}, "es": {}}) == "fr"  # nothing set: English, French, Spanish…
    order = ContentLanguageOrder()
    qtbot.addWidget(order)
    order.list.setCurrentRow(order.order().index("es"))
    for _step in range(3):
        order.up.click()
    assert order.order()[0] == "es"
    assert content_language_order()[0] != "es"  # kept only when Settings is accepted
    order.save()
    assert content_language_order()[0] == "es"
    assert preferred_version({"fr": {}, "es": {}}) == "es"
    assert preferred_version({"fr": {}, "es": {}, "ru": {}}) == "ru"  # the interface language first


@pytest.mark.gui
def test_arabic_detail_pane_puts_labels_right_of_their_values(qt_language, qtbot, data_dir):
    from wtdc_desktop.i18n import _
    from wtdc_desktop.ui.app import open_window

    qt_language("ar")
    win = open_window(data_dir)
    win.resize(1200, 700)
    win.show()
    try:
        win.show_view("documents")
        view = win.views["documents"]
        label = _("Date")
        lines = []
        for row in range(view.model.rowCount()):
            view.select_record(view.model.record_id(row))
            lines = [line for line in view.detail.browser.toPlainText().splitlines() if label in line]
            if lines:
                break
        (line,) = lines
        # Cells come out in reading order: the value first, then (to its right) the label.
        assert line.strip().endswith(label)
    finally:
        _close_window(win)


def test_rich_text_tables_are_mirrored_for_right_to_left():
    from wtdc_desktop.ui.language import mirror_tables

    html = "<table cellspacing='4'><tr><th align='left'>Date</th><td>2020-04-30</td></tr></table><p>x</p>"
    mirrored = mirror_tables(html)
    assert mirrored.index("2020-04-30") < mirrored.index("Date")
    assert 'align="right"' in mirrored and "align='left'" not in mirrored
    assert mirrored.endswith("<p>x</p>")


def test_arabic_sentences_read_right_to_left_even_when_they_start_with_a_french_title():
    from wtdc_desktop.ui.language import rtl_blocks

    html = ("<ul><li><a href='wtdc:session/S1'>Séance plénière</a> — 09:30, التغطية: لا أحد بعد</li></ul>"
            "<p>Le résumé présente 20 propositions.</p><h2>جلساتي اليوم</h2>")
    out = rtl_blocks(html)
    assert '<li dir="rtl">' in out and '<h2 dir="rtl">' in out
    assert "<p>Le résumé" in out  # French text keeps its own direction


def test_no_message_is_translated_inside_an_f_string():
    """Babel does not extract ``_("...")`` written inside an f-string: such a text stays English."""
    import ast

    offenders = []
    for path in (ROOT / "wtdc_desktop").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.JoinedStr):
                continue
            for sub in ast.walk(node):
                if (isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name)
                        and sub.func.id in ("_", "N_", "ngettext") and sub.args
                        and isinstance(sub.args[0], ast.Constant)):
                    offenders.append(f"{path.relative_to(ROOT)}:{sub.lineno}")
    assert offenders == []


@pytest.mark.gui
def test_a_new_data_folder_offers_to_restart_now(own_settings, window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QDialog

    from wtdc_desktop.ui.settings import SettingsDialog

    offered = []

    def new_folder(dialog):
        dialog.data_dir.setText(str(tmp_path / "elsewhere"))
        return QDialog.Accepted

    monkeypatch.setattr(SettingsDialog, "exec", new_folder)
    monkeypatch.setattr(window, "offer_restart", lambda: offered.append(True))
    window.open_settings()
    assert offered == [True]


#: A count followed by a plural noun: "{count} positions", "{documents} documents".
_COUNTED_NOUN = re.compile(r"\{(count|n|number|total|read)\}\s+[a-z-]+s\b|\{(\w+s)\}\s+\2\b")


def test_counts_of_things_go_through_ngettext():
    """"{count} positions" through _() says "1 positions": a count followed by a plural noun is
    an ngettext call, so each language gets its plural forms (one, few, many…)."""
    offenders = []
    for path in sorted((ROOT / "wtdc_desktop").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "N_")
                    and node.args and isinstance(node.args[0], ast.Constant)
                    and _COUNTED_NOUN.search(str(node.args[0].value))):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.args[0].value!r}")
    assert offenders == []


@pytest.mark.gui
@pytest.mark.parametrize("lang, one, two", [("en", "1 position", "2 positions"), ("ru", "1 позиция", "2 позиции")])
def test_the_positions_list_counts_one_position_in_the_singular(window, lang, one, two, qtbot):
    from wtdc_desktop.i18n import set_language

    assert run_cli("position", "set", "proposal", "WD2/1.1", "--stance", "support",
                   "--data-dir", window.store.data_dir)[0] == 0
    set_language(lang)
    window.show_view("positions")
    view = window.views["positions"].positions
    view.reload()
    assert view.count.text() == one
    assert run_cli("position", "set", "proposal", "WD2/1.2", "--stance", "oppose",
                   "--data-dir", window.store.data_dir)[0] == 0
    set_language(lang)  # the command line, run in-process, chose its own
    view.reload()
    assert view.count.text() == two


def _needed_width(button) -> int:
    """The width a button needs to show all it draws: its size hint, and for a tool button that
    opens its menu when pressed the arrow Qt draws over its text but leaves out of the hint."""
    from PySide6.QtWidgets import QStyle, QToolButton

    need = button.sizeHint().width()
    if (isinstance(button, QToolButton) and button.menu() is not None and button.text()
            and button.popupMode() == QToolButton.InstantPopup):
        need = max(need, QToolButton.sizeHint(button).width()
                   + button.style().pixelMetric(QStyle.PM_MenuButtonIndicator, None, button))
    return need


@pytest.mark.gui
@pytest.mark.slow
@pytest.mark.parametrize("lang", ALL)
def test_no_button_is_clipped_at_1280_by_800(qt_language, own_settings, data_dir, lang):
    """Each view (each tab) at 1280×800 in each language: every visible button is as wide as what
    it shows, and the window keeps its size (no layout pushes it wider than the screen)."""
    from PySide6.QtWidgets import QApplication, QPushButton, QTabWidget, QToolButton

    from helpers import dispose
    from wtdc_desktop.ui.app import open_window
    from wtdc_desktop.ui.main_window import NAVIGATION

    qt_language(lang)
    win = open_window(data_dir)
    win.resize(1280, 800)
    win.show()
    clipped, looked_at = set(), 0
    try:
        for key, *_rest in NAVIGATION:
            win.show_view(key)
            view = win.views[key]
            tabs = [t for t in view.findChildren(QTabWidget) if t.isVisibleTo(win)]
            for tab, index in [(None, None)] + [(t, i) for t in tabs for i in range(t.count())]:
                if tab is not None:
                    tab.setCurrentIndex(index)
                QApplication.processEvents()
                assert win.width() <= 1280, f"[{key}] the window grew to {win.width()} px"
                for button in win.findChildren(QPushButton) + win.findChildren(QToolButton):
                    if button.isVisibleTo(win):
                        looked_at += 1
                        if button.width() < _needed_width(button):
                            clipped.add(f"[{key}] {button.text() or button.accessibleName()!r}: "
                                        f"{button.width()} px < {_needed_width(button)} px")
    finally:
        dispose(win)
    assert looked_at > 50
    assert sorted(clipped) == []


# --- mixed directions: Latin names and titles inside Arabic -----------------------------------------

def test_isolate_wraps_text_of_another_direction_only_in_a_right_to_left_interface():
    from wtdc_desktop.i18n import FSI, LRI, PDI, isolate, set_language, strip_isolates

    set_language("en")
    assert isolate("Amina K.") == "Amina K."  # nothing added where nothing is needed
    set_language("ar")
    assert isolate("Amina K.") == f"{FSI}Amina K.{PDI}"
    assert isolate("C:/Users/amina/wtdc", ltr=True) == f"{LRI}C:/Users/amina/wtdc{PDI}"
    assert isolate(isolate("x")) == isolate("x") and isolate("") == "" and isolate(None) == ""
    assert strip_isolates(isolate("Amina K.")) == "Amina K."


from helpers import drawn as _drawn  # noqa: E402 - the visible order of a line, shared with tests/ui


@pytest.mark.gui
def test_a_french_title_in_an_arabic_list_keeps_its_order(qt_language, own_settings, data_dir, qtbot):
    """"[Exemple] Coordonnateur AFR" in the Arabic contacts list reads as written, not
    "Coordonnateur AFR ]Exemple[", and "Amina K." keeps its full stop at its end."""
    from PySide6.QtWidgets import QStyleOptionViewItem

    from helpers import dispose
    from wtdc_desktop.i18n import isolate
    from wtdc_desktop.ui.app import open_window

    qt_language("ar")
    assert _drawn("[Exemple] Coordonnateur AFR") != "[Exemple] Coordonnateur AFR"  # the trap
    assert _drawn("Amina K.") == ".Amina K"
    win = open_window(data_dir)
    win.resize(1280, 800)
    win.show()
    try:
        win.show_view("contacts")
        qtbot.waitUntil(lambda: not win.views["contacts"].loading)  # the window's view reads them on a worker
        table = win.views["contacts"].table
        model = table.model()
        index = next(model.index(r, c) for r in range(model.rowCount()) for c in range(model.columnCount())
                     if str(model.index(r, c).data()).startswith("[Exemple]"))
        option = QStyleOptionViewItem()
        option.initFrom(table)
        table.itemDelegateForIndex(index).initStyleOption(option, index)
        assert _drawn(option.text) == index.data(), option.text
        assert _drawn(isolate("Amina K.")) == "Amina K."
    finally:
        dispose(win)


@pytest.mark.gui
def test_the_arabic_status_bar_keeps_the_source_and_the_date_apart(qt_language, own_settings, data_dir):
    """"آخر مزامنة: demo، 3/12/2026، 1:25 م": the source's name and the date's digits no longer
    interleave ("2026/12/demo، 3")."""
    from helpers import dispose
    from wtdc_desktop.ui.app import open_window

    qt_language("ar")
    win = open_window(data_dir)
    try:
        drawn = _drawn(win.sync_label.text())
        assert "demo" in drawn and re.search(r"2026/\d{1,2}/\d{1,2}", drawn), drawn
    finally:
        dispose(win)


def test_links_inside_arabic_sentences_are_isolated():
    from wtdc_desktop.i18n import FSI, PDI
    from wtdc_desktop.ui.language import rtl_blocks

    out = rtl_blocks("<p>منسق إقليمي لـ <a href='wtdc:contact/x'>Amina K.</a></p><p><a href='x'>Only Latin</a></p>")
    assert f"{FSI}Amina K.{PDI}</a>" in out
    assert "<a href='x'>Only Latin</a>" in out  # a block in a left-to-right script is left alone


@pytest.mark.gui
def test_an_arabic_session_pane_keeps_a_french_committee_name_in_order(qt_language, own_settings, data_dir):
    """"اللجنة: [Exemple] Séance plénière", not "اللجنة: Séance plénière [Exemple]"."""
    from helpers import dispose
    from wtdc_desktop.i18n import _
    from wtdc_desktop.ui.app import open_window

    qt_language("ar")
    win = open_window(data_dir)
    win.resize(1280, 800)
    win.show()
    try:
        assert win.open_record("session", "WTDC-21/S01")
        pane = win.views["agenda"].pane.details
        label = _("Committee: {name}").split("{name}")[0].strip()
        (line,) = [line for line in pane.toPlainText().splitlines() if label in line]
        assert "[Exemple] Séance plénière" in _drawn(line), _drawn(line)
    finally:
        dispose(win)


@pytest.mark.gui
def test_elided_text_loses_its_own_end(qt_language):
    """A French title cut short in an Arabic list ends with "…" on its right, where it ends; an Arabic
    title ends with "…" on its left."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QFont, QFontMetrics

    from wtdc_desktop.i18n import isolate

    qt_language("ar")
    metrics = QFontMetrics(QFont())
    french = metrics.elidedText(isolate("[Exemple] Séance plénière d'ouverture de la Conférence"), Qt.ElideRight, 150)
    drawn = _drawn(french)
    assert drawn.startswith("[Exemple]") and drawn.endswith("…"), drawn
    arabic = metrics.elidedText(isolate("الجلسة العامة الافتتاحية للمؤتمر العالمي لتنمية الاتصالات"), Qt.ElideRight, 150)
    assert _drawn(arabic).startswith("…"), _drawn(arabic)


@pytest.mark.gui
@pytest.mark.parametrize("lang, shown", [("en", "30 April 2020"), ("fr", "30 avril 2020")])
def test_a_record_day_is_shown_with_the_month_by_its_name(own_settings, window, lang, shown):
    """A document dated 2020-04-30 shows "30 April 2020" in its detail pane, the way a conference
    reads a date in English (and the French way in French), not a bare ISO or US numeric date."""
    from wtdc_desktop.i18n import set_language

    set_language(lang)
    window.show_view("documents")
    view = window.views["documents"]
    view.select_record("TDAG-WD2-20/1")
    text = view.detail.browser.toPlainText()
    assert shown in text and "2020-04-30" not in text and "4/30/20" not in text, text


@pytest.mark.gui
def test_restart_now_starts_the_application_again_without_the_one_run_language(own_settings, window, monkeypatch):
    """After a new data folder, "Restart now" starts the application again with the same arguments
    but ``--lang`` (the language chosen in Settings applies), and closes the window."""
    import sys

    from PySide6.QtCore import QProcess

    started = []
    monkeypatch.setattr(sys, "argv", ["wtdc-desktop", "gui", "--lang", "fr", "--data-dir", "/elsewhere", "--lang=ru"])
    monkeypatch.setattr(QProcess, "startDetached", staticmethod(lambda program, args: started.append(
        (program, list(args))) or (True, 1)))
    assert window.restart() is True
    assert not window.isVisible()
    ((program, args),) = started
    assert program == sys.executable and args[-3:] == ["gui", "--data-dir", "/elsewhere"]
    assert not any(a.startswith("--lang") or a in ("fr", "ru") for a in args)


@pytest.mark.gui
def test_a_latin_name_saved_in_arabic_keeps_its_full_stop(qt_language, own_settings, data_dir):
    """"Amina K." saved in the Arabic members tab is confirmed as "Amina K.", never ".Amina K"."""
    from helpers import dispose
    from wtdc_desktop.ui.app import open_window

    qt_language("ar")
    win = open_window(data_dir)
    win.show()
    try:
        win.show_view("agenda")
        panel = win.views["agenda"].members
        panel.name_edit.setText("Amina K.")
        panel.save()
        assert "Amina K." in _drawn(panel.status.text()), _drawn(panel.status.text())
    finally:
        dispose(win)
