"""Re-extract the interface strings and bring every catalog up to date.

    python scripts/update_catalogs.py            # extract, update i18n/*.po, compile .mo
    python scripts/update_catalogs.py --check    # exit 1 if i18n/wtdc_desktop.pot is stale

Extraction follows i18n/babel.cfg (every ``_()``, ``N_()``, ``ngettext()`` and
``pgettext()`` in wtdc_desktop/ and scripts/). Each ``<lang>.po`` gains the new
strings, untranslated (no fuzzy guesses) and loses the ones no longer in the
code; the English catalog is filled with the source text. Then every catalog is
compiled to ``i18n/<lang>/LC_MESSAGES/wtdc_desktop.mo`` (not committed: the
package build and the PyInstaller build compile their own, and the application
compiles a ``.po`` in memory when no ``.mo`` is there). tests/test_i18n.py fails
while a string is untranslated.
"""

from __future__ import annotations

import argparse
import copy
import datetime
import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
I18N = ROOT / "i18n"
POT = I18N / "wtdc_desktop.pot"
sys.path.insert(0, str(ROOT))

#: A comment in the code that starts with this is passed on to the translators.
COMMENT_TAGS = ("Translators:",)


def extract():
    """A fresh catalog template from the code (no dates, no line numbers: diffs stay small)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    from wtdc_desktop import __version__

    with (I18N / "babel.cfg").open(encoding="utf-8") as fp:
        method_map, options_map = parse_mapping_cfg(fp)
    template = Catalog(project="WTDC Desktop", version=__version__, charset="utf-8", fuzzy=False)
    for filename, _lineno, message, comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=DEFAULT_KEYWORDS, comment_tags=COMMENT_TAGS,
            strip_comment_tags=True):
        template.add(message, None, [(filename.replace(os.sep, "/"), None)], auto_comments=comments,
                     context=context)
    return template


def message_keys(catalog) -> set[tuple]:
    """What makes a catalog's set of messages: (context, msgid[, msgid_plural]) of each entry."""
    keys = set()
    for message in catalog:
        if not message.id:
            continue
        mid = message.id if isinstance(message.id, tuple) else (message.id,)
        keys.add((message.context, *mid))
    return keys


def untranslated(message) -> bool:
    s = message.string
    return not s or (isinstance(s, tuple) and not all(s))


def read_catalog(path: Path, lang: str | None = None):
    from babel.messages.pofile import read_po

    with path.open("rb") as fp:
        return read_po(fp, locale=lang)


_DATE_LINES = (b'"POT-Creation-Date:', b'"PO-Revision-Date:')


def _without_dates(data: bytes) -> list[bytes]:
    return [line for line in data.splitlines() if not line.startswith(_DATE_LINES)]


def _write(catalog, path: Path, **options) -> bool:
    """Write a catalog unless only its dates would change; True when the file changed."""
    from babel.messages.pofile import write_po

    buf = io.BytesIO()
    write_po(buf, catalog, width=100, include_lineno=False, ignore_obsolete=True, **options)
    data = buf.getvalue()
    if path.exists() and _without_dates(path.read_bytes()) == _without_dates(data):
        return False
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return True


def _header(catalog, lang: str | None):
    from wtdc_desktop import __version__
    from wtdc_desktop.i18n import LANGUAGE_NAMES

    catalog.project = "WTDC Desktop"
    catalog.version = __version__
    catalog.copyright_holder = "the WTDC Desktop contributors"
    catalog.msgid_bugs_address = ""
    catalog.last_translator = "WTDC Desktop translators"
    catalog.language_team = LANGUAGE_NAMES.get(lang, "") if lang else ""
    name = f"{LANGUAGE_NAMES[lang]} ({lang})" if lang else "Template"
    catalog.revision_date = datetime.datetime.now(datetime.timezone.utc)
    catalog.header_comment = (f"# {name} messages of WTDC Desktop.\n"
                              "# Updated by scripts/update_catalogs.py; see README.md, Languages.\n#")
    return catalog


def update() -> list[str]:
    from babel.messages.catalog import Catalog

    from wtdc_desktop.i18n import LANGUAGES, compile_catalogs

    template = _header(extract(), None)
    _write(template, POT)
    report = [f"{POT.relative_to(ROOT)}: {len(message_keys(template))} messages"]
    for lang in LANGUAGES:
        path = I18N / f"{lang}.po"
        if path.exists():
            catalog = read_catalog(path, lang)
        else:
            catalog = Catalog(locale=lang, project="WTDC Desktop", charset="utf-8", fuzzy=False)
        # A copy: update() adopts the template's message objects.
        catalog.update(copy.deepcopy(template), no_fuzzy_matching=True)
        catalog.fuzzy = False
        _header(catalog, lang)
        if lang == "en":  # the source language: the text itself, unless someone edited the wording
            for message in catalog:
                if message.id and untranslated(message):
                    message.string = message.id
        _write(catalog, path)
        missing = sum(1 for m in catalog if m.id and untranslated(m))
        report.append(f"{path.relative_to(ROOT)}: {missing} untranslated")
    for mo in compile_catalogs(I18N, I18N):
        report.append(f"compiled {mo.relative_to(ROOT)}")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true",
                        help="only compare the template with a fresh extraction (exit 1 when stale)")
    args = parser.parse_args(argv)
    if args.check:
        fresh, committed = message_keys(extract()), message_keys(read_catalog(POT))
        for key in sorted(fresh - committed, key=str):
            print(f"not in the template: {key}")
        for key in sorted(committed - fresh, key=str):
            print(f"no longer in the code: {key}")
        return 1 if fresh != committed else 0
    for line in update():
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
