"""Translation of user-visible text: ``_``, ``N_``, ``ngettext`` and ``pgettext``.

Catalogs are gettext ``.po`` files in ``i18n/`` (one per language, made from
``i18n/wtdc_desktop.pot`` by ``scripts/update_catalogs.py``). An installed
package and the frozen build carry compiled ``.mo`` files (the build compiles
them, see ``setup.py`` and ``build_spec.spec``); a checkout without them, or
with a ``.mo`` older than its ``.po``, compiles the ``.po`` in memory with
Babel, so no manual step is ever needed.

Rules for code that shows text (checked by tests/test_i18n.py):

- every user-visible string goes through ``_()``; strings defined at import
  time are marked with ``N_()`` and translated where they are shown;
- placeholders are named: ``_("{count} records").format(count=n)``, never an
  f-string inside ``_()``; plurals go through ``ngettext``;
- the interface language is chosen at start-up (``--lang``, else the
  Settings choice, else the system's language if supported, else English);
  a language chosen in Settings re-translates the open window at once
  (ui/language.py);
- text of unknown or other direction (a name, a title, a path, a date) put
  into a translated sentence goes through :func:`isolate`, so an Arabic line
  keeps "Amina K." and "[Exemple] Titre" in their own order.

Tests can record every message id the interface asked for (:func:`recording`)
and check that each one is in the template.

The pseudo-locale (environment variable ``WTDC_PSEUDO=1``) lengthens every
translated string by about 40 % and wraps it in ``⟦…⟧``: a label that is
cut off, or a string that never went through ``_()``, is then easy to see
(tests/test_i18n.py renders every view under it).
"""

from __future__ import annotations

import contextlib
import functools
import gettext
import io
import locale
import logging
import math
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path

from wtdc_desktop.atomic import atomic_write
from wtdc_desktop.domain.constants import LANGUAGES
from wtdc_desktop.resources import i18n_path

log = logging.getLogger(__name__)

DOMAIN = "wtdc_desktop"
#: Each language's name in itself (what a language menu shows, never translated).
LANGUAGE_NAMES = {
    "ar": "العربية", "zh": "中文", "en": "English", "fr": "Français", "ru": "Русский", "es": "Español",
}
RTL_LANGUAGES = frozenset({"ar"})
DEFAULT_LANGUAGE = "en"
#: The locale used for formatting (Babel) and by Qt (QLocale) for each interface language.
#: Arabic uses Modern Standard Arabic with Western digits ("ar_001"), as ITU and UN
#: Arabic texts do; Chinese is Simplified Chinese.
FORMAT_LOCALES = {"ar": "ar_001", "zh": "zh_Hans_CN", "en": "en", "fr": "fr", "ru": "ru", "es": "es"}

PSEUDO_ENV = "WTDC_PSEUDO"
PSEUDO_OPEN, PSEUDO_CLOSE = "⟦", "⟧"

_lock = threading.Lock()
_translations: gettext.NullTranslations = gettext.NullTranslations()
_language = DEFAULT_LANGUAGE
_pseudo = False
#: While a test records (:func:`recording`): the (context, msgid[, msgid_plural]) asked for.
_recorded: set[tuple] | None = None


# --- catalogs -----------------------------------------------------------------------------

def _po_to_translations(po: Path, lang: str) -> gettext.GNUTranslations:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as fp:
        catalog = read_po(fp, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def _load_catalog(lang: str) -> gettext.NullTranslations:
    mo = i18n_path(lang, "LC_MESSAGES", f"{DOMAIN}.mo")
    po = i18n_path(f"{lang}.po")
    # A compiled catalog wins unless its source is newer (a checkout where
    # someone edited the .po after compiling).
    if mo.is_file() and not (po.is_file() and po.stat().st_mtime > mo.stat().st_mtime):
        with mo.open("rb") as fp:
            return gettext.GNUTranslations(fp)
    if not po.is_file():
        log.warning("no message catalog for %r", lang)
        return gettext.NullTranslations()
    return _po_to_translations(po, lang)


def compile_catalogs(source_dir: Path, dest_dir: Path) -> list[Path]:
    """Compile every ``<lang>.po`` in ``source_dir`` to ``dest_dir/<lang>/LC_MESSAGES/wtdc_desktop.mo``.

    Used by the package build (setup.py), the PyInstaller build and
    scripts/update_catalogs.py. Fuzzy entries are left out.
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(Path(source_dir).glob("*.po")):
        lang = po.stem
        with po.open("rb") as fp:
            catalog = read_po(fp, locale=lang)
        target = Path(dest_dir) / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(target) as fp:
            write_mo(fp, catalog, use_fuzzy=False)
        written.append(target)
    return written


# --- choosing the language -------------------------------------------------------------------

def normalize_language(code: str | None) -> str | None:
    """``"fr_CH.UTF-8"`` → ``"fr"``; ``None`` for anything we do not support."""
    if not code:
        return None
    code = code.strip().lower().replace("-", "_").split(".")[0].split("@")[0].split("_")[0]
    return code if code in LANGUAGES else None


def system_language() -> str:
    """The laptop's language if it is one we support, else English."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            for part in value.split(":"):
                code = normalize_language(part)
                if code:
                    return code
            if var != "LANGUAGE":  # the first variable set decides (POSIX order)
                break
    try:
        code = normalize_language(locale.getlocale()[0])
    except ValueError:
        code = None
    return code or DEFAULT_LANGUAGE


def set_pseudo(enabled: bool | None = None) -> bool:
    """Turn the pseudo-locale on or off (``None``: follow ``WTDC_PSEUDO``)."""
    global _pseudo
    if enabled is None:
        enabled = os.environ.get(PSEUDO_ENV, "").strip().lower() not in ("", "0", "false", "no")
    _pseudo = bool(enabled)
    return _pseudo


def set_language(lang: str | None) -> str:
    """Switch the interface language; returns the language now in use.

    ``None`` means the system's language (if supported, else English). An
    unsupported code falls back to English with a warning. Also re-reads
    ``WTDC_PSEUDO``.
    """
    global _translations, _language
    requested = lang
    lang = normalize_language(lang) if lang else system_language()
    if lang is None:
        log.warning("unsupported interface language %r, using English", requested)
        lang = DEFAULT_LANGUAGE
    with _lock:
        try:
            _translations = _load_catalog(lang)
        except Exception:  # a broken catalog must never stop the app
            log.exception("could not load the %s catalog", lang)
            _translations = gettext.NullTranslations()
        _language = lang
        set_pseudo()
    return lang


def current_language() -> str:
    return _language


def format_locale(lang: str | None = None) -> str:
    """The Babel / QLocale locale name for an interface language."""
    return FORMAT_LOCALES.get(lang or _language, "en")


def is_rtl(lang: str | None = None) -> bool:
    return (lang or _language) in RTL_LANGUAGES


# --- the pseudo-locale ---------------------------------------------------------------------

_PSEUDO_MAP = str.maketrans(
    "aAcCdDeEgGhHiIkKlLnNoOrRsStTuUwWyYzZ",
    "áÁçÇďĎéÉĝĜĥĤíÍķĶłŁñÑóÓřŘšŠťŤúÚŵŴýÝžŽ",
)
#: What the pseudo-locale must leave alone: placeholders, %-formats, HTML tags and entities.
_PSEUDO_KEEP = re.compile(r"(\{[^{}]*\}|%\([^)]*\)[a-z]|%[a-z%]|<[^>]*>|&[a-zA-Z]+;|&#\d+;)")


def pseudo_marked(func: Callable[..., str]) -> Callable[..., str]:
    """Decorate a formatter: under the pseudo-locale its result is marked like a translated
    string, so a value shown without the formatting helpers stands out."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs) -> str:
        text = func(*args, **kwargs)
        return pseudo(text) if _pseudo and text else text

    return wrapper


def pseudo(text: str) -> str:
    """``"Open {name}"`` → ``"⟦Óƥéñ {name}·····⟧"``: accented, ~40 % longer, marked."""
    if not text:
        return text
    parts = _PSEUDO_KEEP.split(text)
    for i in range(0, len(parts), 2):  # even indexes: ordinary text
        parts[i] = parts[i].translate(_PSEUDO_MAP)
    padding = "·" * max(1, math.ceil(0.4 * len(text)) - 2)  # with the two markers: +40 %
    return f"{PSEUDO_OPEN}{''.join(parts)}{padding}{PSEUDO_CLOSE}"


# --- translating ------------------------------------------------------------------------------

@contextlib.contextmanager
def recording():
    """Record every message asked for while the block runs: yields a set of
    ``(context, msgid)`` and ``(context, singular, plural)`` keys, the form
    scripts/update_catalogs.py gives the template's entries (for tests)."""
    global _recorded
    previous, _recorded = _recorded, set()
    try:
        yield _recorded
    finally:
        _recorded = previous


def _(message: str) -> str:
    """Translate ``message`` into the interface language."""
    if _recorded is not None:
        _recorded.add((None, message))
    text = _translations.gettext(message)
    return pseudo(text) if _pseudo else text


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated where it is shown, with ``_()``."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The plural form for ``n`` (``{count}`` in the message is filled by the caller)."""
    if _recorded is not None:
        _recorded.add((None, singular, plural))
    text = _translations.ngettext(singular, plural, n)
    return pseudo(text) if _pseudo else text


def pgettext(context: str, message: str) -> str:
    """Translate ``message`` in a context, for words with two meanings (a noun and a verb)."""
    if _recorded is not None:
        _recorded.add((context, message))
    text = _translations.pgettext(context, message)
    return pseudo(text) if _pseudo else text


# --- text of another direction inside a sentence ------------------------------------------------

#: Unicode's directional isolates: first strong (FSI), left to right (LRI), pop (PDI).
FSI, LRI, RLI, PDI = "\u2068", "\u2066", "\u2067", "\u2069"
_ISOLATES = frozenset((FSI, LRI, RLI, PDI))


def isolate(text, *, ltr: bool = False) -> str:
    """``text`` wrapped in a Unicode isolate, to be put into a translated sentence or label.

    Inside an Arabic line a Latin name ("Amina K."), a French title ("[Exemple] Titre"), a
    path or a date otherwise takes part in the sentence's right-to-left ordering: its final
    full stop or its opening bracket moves to the wrong end. An isolate lays it out on its
    own, in the direction of its first strong letter (FSI…PDI), or left to right (LRI…PDI)
    with ``ltr`` for things that always read so (paths, addresses, symbols, numbers with
    signs). Only needed, and only added, when the interface is right to left: in the other
    languages the text comes back unchanged (the marks are invisible but are characters,
    and copied text, tests and logs stay clean). Empty text and already isolated text are
    returned as they are.
    """
    text = "" if text is None else str(text)
    if not text or not is_rtl() or (text[0] in _ISOLATES and text[-1] == PDI):
        return text
    return f"{LRI if ltr else FSI}{text}{PDI}"


def strip_isolates(text: str) -> str:
    """``text`` without directional isolates (for copying to the clipboard, comparing)."""
    return "".join(c for c in text if c not in _ISOLATES)


# --- argparse's own words ("usage:", "options", its error messages) ---------------------------

#: argparse translates its messages with gettext; they are in our catalogs.
ARGPARSE_MESSAGES = (
    # Translators: argparse's own messages: keep the %-placeholders exactly.
    N_("usage: "), N_("positional arguments"), N_("options"), N_("show this help message and exit"),
    # Translators: argparse's own messages: keep the %-placeholders exactly.
    N_("argument %(argument_name)s: %(message)s"), N_("%(prog)s: error: %(message)s\n"),
    # Translators: argparse's own messages: keep the %-placeholders exactly.
    N_("invalid choice: %(value)r (choose from %(choices)s)"), N_("invalid %(type)s value: %(value)r"),
    # Translators: argparse's own messages: keep the %-placeholders exactly.
    N_("the following arguments are required: %s"), N_("unrecognized arguments: %s"),
    # Translators: argparse's own messages: keep the %-placeholders exactly.
    N_("expected one argument"),
)


def _translate_argparse() -> None:
    """Route argparse's gettext calls through our catalogs (it looks ``_`` up at call time)."""
    import argparse

    argparse._ = _
    argparse.ngettext = ngettext


set_pseudo()
_translate_argparse()
