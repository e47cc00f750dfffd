"""What every command shares: opening the store, and printing numbers, dates, tables and JSON."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import _, current_language


def fmt_number(n: int) -> str:
    from babel.numbers import format_decimal

    return format_decimal(n, locale=current_language())


#: C0 control characters, DEL and the C1 controls: a title carrying ESC [ 2 J (or the
#: one-character CSI, U+009B) must not drive the terminal.
CONTROL_CHARACTERS = "".join(chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)])


def _controls_but(keep: str) -> re.Pattern:
    return re.compile("[" + "".join(re.escape(c) for c in CONTROL_CHARACTERS if c not in keep) + "]")


_CONTROL = _controls_but("\t\n")
_LAYOUT = re.compile("[\t\n\r]")


def plain(text: str) -> str:
    """Text without the control characters that a terminal acts on (tab and newline kept)."""
    return _CONTROL.sub("", text)


def plain_cell(value) -> str:
    """A table cell on one line: no control characters, tabs and line breaks as spaces."""
    return plain(_LAYOUT.sub(" ", "" if value is None else str(value)))


class PlainText:
    """A text stream that drops control characters from everything written to it: the command
    line's standard output and error while a command runs. ``keep`` are the layout characters let
    through (tab and newline; a progress line on standard error also needs its carriage return)."""

    def __init__(self, stream, keep: str = "\t\n") -> None:
        self.stream = stream
        self._strip = _CONTROL if keep == "\t\n" else _controls_but(keep)

    def write(self, text: str) -> int:
        self.stream.write(self._strip.sub("", text))
        return len(text)

    def __getattr__(self, name):
        return getattr(self.stream, name)


def print_json(value) -> None:
    # json escapes C0 controls itself; DEL and the C1 controls are escaped too, so that the JSON
    # keeps every character of the data and the terminal is sent none of them.
    text = json.dumps(value, ensure_ascii=False, indent=2)
    sys.stdout.write(re.sub("[\x7f-\x9f]", lambda m: f"\\u{ord(m.group()):04x}", text))
    sys.stdout.write("\n")


def print_table(headers: list[str], rows: list[list], max_width: int = 60) -> None:
    cells = [[plain_cell(c) for c in row] for row in rows]
    cells = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in row] for row in cells]
    widths = [max([len(h)] + [len(row[i]) for row in cells]) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


class NoStore(WtdcError):
    """A command that only reads was pointed at a folder that holds no store."""


def open_store(args, create: bool = False):
    """The store of --data-dir (or the default folder). Only a command that writes (``create``)
    makes a new one: a command that only reads refuses a folder without a store, so that a typo in
    the folder's name does not look like an empty conference."""
    from wtdc_desktop.store import Store
    from wtdc_desktop.store.db import STORE_FILENAME

    folder = data_dir_of(args)
    if not create and not (folder / STORE_FILENAME).exists():
        raise NoStore(_("There is no store in {path}: check --data-dir (a command that only reads does not create one).").format(
            path=folder))
    return Store(folder)


def workspace(store):
    from wtdc_desktop.workspace import Workspace

    return Workspace(store)


def data_dir_of(args) -> Path:
    from wtdc_desktop.store.db import default_data_dir

    return Path(args.data_dir) if args.data_dir else default_data_dir()


def fmt_when(iso: str | None) -> str:
    """A stored UTC instant, shown in the laptop's zone."""
    if not iso:
        return ""
    from wtdc_desktop.instants import format_datetime

    return format_datetime(iso, fmt="short")


def cell(value) -> str:
    if isinstance(value, dict):
        if "amount" in value:
            return f"{fmt_number(value['amount'])} {value.get('currency') or ''}".strip()
        if "type" in value and "id" in value:
            return f"{value['type']} {value['id']}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def trust_key_arg(args) -> bytes | None:
    """The public key given with --trust, read from its file."""
    from wtdc_desktop.bundles.signing import load_public_key

    path = getattr(args, "trust", None)
    return load_public_key(path) if path else None


def whoami(args) -> str | None:
    import getpass

    if getattr(args, "by", None):
        return args.by
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return None
