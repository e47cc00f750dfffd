"""Translation of user-visible text: ``_``, ``N_`` and ``ngettext``.

Catalogs are gettext ``.po`` files in ``i18n/``; compiled ``.mo`` files are
used when the build produced them, otherwise the ``.po`` file is compiled in
memory with Babel, so a checkout works without a manual step.
"""

from __future__ import annotations

import gettext
import io
import locale
import logging
import os
import threading

from wtdc_desktop.resources import i18n_path

log = logging.getLogger(__name__)

DOMAIN = "wtdc_desktop"
#: Interface languages, in the order ITU lists its official languages.
LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")
RTL_LANGUAGES = frozenset({"ar"})
DEFAULT_LANGUAGE = "en"

_lock = threading.Lock()
_translations: gettext.NullTranslations = gettext.NullTranslations()
_language = DEFAULT_LANGUAGE


def _load_catalog(lang: str) -> gettext.NullTranslations:
    mo = i18n_path(lang, "LC_MESSAGES", f"{DOMAIN}.mo")
    if mo.is_file():
        with mo.open("rb") as fp:
            return gettext.GNUTranslations(fp)
    po = i18n_path(f"{lang}.po")
    if not po.is_file():
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as fp:
        catalog = read_po(fp, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def system_language() -> str:
    """The laptop's language if it is one we support, else English."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            code = value.split(":")[0].split("_")[0].split(".")[0].lower()
            if code in LANGUAGES:
                return code
    try:
        code = (locale.getlocale()[0] or "").split("_")[0].lower()
    except ValueError:
        code = ""
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def set_language(lang: str | None) -> str:
    """Switch the interface language; returns the language now in use."""
    global _translations, _language
    lang = (lang or system_language()).lower().replace("-", "_").split("_")[0]
    if lang not in LANGUAGES:
        log.warning("unsupported interface language %r, using English", lang)
        lang = DEFAULT_LANGUAGE
    with _lock:
        try:
            _translations = _load_catalog(lang) if lang != DEFAULT_LANGUAGE else gettext.NullTranslations()
        except Exception:  # a broken catalog must never stop the app
            log.exception("could not load the %s catalog", lang)
            _translations = gettext.NullTranslations()
        _language = lang
    return lang


def current_language() -> str:
    return _language


def is_rtl(lang: str | None = None) -> bool:
    return (lang or _language) in RTL_LANGUAGES


def _(message: str) -> str:
    """Translate ``message`` into the interface language."""
    return _translations.gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated where it is shown."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations.ngettext(singular, plural, n)
