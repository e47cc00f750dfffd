"""The interface language on the Qt side: chosen at start-up, applied once.

One rule for the whole application: the language chosen in Settings takes
effect the next time the application starts (Settings says so with
:data:`RESTART_NOTICE`); nothing is retranslated live. ``--lang CODE`` wins
over Settings for one run; with neither, the system's language is used if it
is one of the six, else English.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QLibraryInfo, QLocale, QSettings, Qt, QTranslator
from PySide6.QtWidgets import QApplication

from wtdc_desktop.i18n import N_, _, format_locale, is_rtl, normalize_language, set_language

log = logging.getLogger(__name__)

#: The QSettings key holding the interface language chosen in Settings.
LANGUAGE_SETTING = "interface/language"
#: What Settings says when the language changes.
RESTART_NOTICE = N_("The new interface language takes effect the next time you start WTDC Desktop.")
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


def save_language(lang: str) -> str:
    """Remember the interface language for the next start; returns the sentence to show."""
    QSettings().setValue(LANGUAGE_SETTING, normalize_language(lang) or lang)
    return _(RESTART_NOTICE)


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
