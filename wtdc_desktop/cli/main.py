"""The command line's entry point (``wtdc-desktop``): the window with no command, else the command's function."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from wtdc_desktop.cli.app import cmd_gui
from wtdc_desktop.cli.output import PlainText
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import _, set_language


def build_parser() -> argparse.ArgumentParser:
    """Every command's parser (their modules are imported only when a command is given)."""
    from wtdc_desktop.cli import parser

    return parser.build_parser()


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # The language first: the parser's help texts are translated when it is built.
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--lang")
    pre.add_argument("--data-dir", type=Path)
    known, rest = pre.parse_known_args(argv)
    set_language(known.lang)
    if not rest:
        # The window, with at most --data-dir and --lang: every command's parser is not needed.
        args = argparse.Namespace(data_dir=known.data_dir, lang=known.lang, func=cmd_gui, command=None)
    else:
        args = build_parser().parse_args(argv)
    if args.func is not cmd_gui:
        # Text from the store (titles, names) must not drive the terminal: no control characters.
        sys.stdout, sys.stderr = PlainText(sys.stdout), PlainText(sys.stderr, keep="\t\n\r")
    try:
        return _run(args)
    finally:
        for name in ("stdout", "stderr"):
            stream = getattr(sys, name)
            if isinstance(stream, PlainText):
                setattr(sys, name, stream.stream)


def _run(args) -> int:
    try:
        return args.func(args)
    except WtdcError as exc:
        print(_("error: {message}").format(message=exc.message), file=sys.stderr)
        return exc.exit_code or 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into a program that stopped reading (head, less)
        sys.stdout = open(os.devnull, "w")
        return 0


if __name__ == "__main__":
    sys.exit(main())
