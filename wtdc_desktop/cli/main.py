"""The command line's entry point (``wtdc-desktop``): the window with no command, else the command's function."""

from __future__ import annotations

import argparse
import io
import logging
import os
import sqlite3
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
    # The language first: the parser's help texts are translated when it is built.
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--lang")
    pre.add_argument("--data-dir", type=Path)
    known, rest = pre.parse_known_args(argv)
    set_language(known.lang)
    # A closed standard output or error (``>&-``) is None: what would go there goes nowhere.
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, _devnull())
    # Warnings and tracebacks go to the log file, never to the terminal: standard error carries the
    # one sentence of a refusal.
    from wtdc_desktop.store.db import default_data_dir
    from wtdc_desktop.store.logfile import DataFolderLogHandler

    handler = DataFolderLogHandler(known.data_dir or default_data_dir())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > logging.WARNING:
        root.setLevel(logging.WARNING)
    try:
        return _parsed_and_run(argv, known, rest, handler)
    finally:
        root.removeHandler(handler)
        handler.close()
        root.setLevel(level)


def _parsed_and_run(argv, known, rest, handler) -> int:
    if not rest:
        # The window, with at most --data-dir and --lang: every command's parser is not needed.
        args = argparse.Namespace(data_dir=known.data_dir, lang=known.lang, func=cmd_gui, command=None)
    else:
        args = build_parser().parse_args(argv)
    if args.func is cmd_gui:  # the window writes the same log file through its own handler
        logging.getLogger().removeHandler(handler)
    else:
        # Text from the store (titles, names) must not drive the terminal: no control characters.
        sys.stdout, sys.stderr = PlainText(sys.stdout), PlainText(sys.stderr, keep="\t\n\r")
    try:
        return _run(args, handler)
    finally:
        for name in ("stdout", "stderr"):
            stream = getattr(sys, name)
            if isinstance(stream, PlainText):
                setattr(sys, name, stream.stream)


def _run(args, handler) -> int:
    try:
        code = args.func(args)
        sys.stdout.flush()  # a closed pipe is found here, not at exit after a traceback-like warning
        return code
    except WtdcError as exc:
        return _refuse(exc)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into a program that stopped reading (head, less)
        _silence_stdout()
        return 0
    except sqlite3.Error as exc:  # raised by a query outside Store.execute: classified by its code
        from wtdc_desktop.cli.output import data_dir_of
        from wtdc_desktop.store.db import STORE_FILENAME, refusal_for, sqlite_error_kind

        known = refusal_for(sqlite_error_kind(exc), data_dir_of(args) / STORE_FILENAME)
        if known is not None:
            logging.getLogger("wtdc_desktop.cli").warning("%s", exc)
            return _refuse(known)
        return _unexpected(args, exc, handler)
    except Exception as exc:  # a bug: the traceback to the log file, one sentence to the user
        return _unexpected(args, exc, handler)


def _refuse(exc: WtdcError) -> int:
    try:
        print(_("error: {message}").format(message=exc.message), file=sys.stderr)
    except OSError:  # standard error itself is gone
        pass
    return exc.exit_code or 1


def _unexpected(args, exc: Exception, handler) -> int:
    command = " ".join(a for a in (getattr(args, "command", None),) if a) or "wtdc-desktop"
    logging.getLogger("wtdc_desktop.cli").error("unexpected error in %s", command, exc_info=exc)
    if handler.path is not None:
        message = _("Something unexpected went wrong ({error}); the details were written to {path}: please send "
                    "that file to whoever supports you.").format(error=type(exc).__name__, path=handler.path)
    else:
        message = _("Something unexpected went wrong ({error}), and no log file could be written for the "
                    "details.").format(error=type(exc).__name__)
    try:
        print(_("error: {message}").format(message=message), file=sys.stderr)
    except OSError:
        pass
    return 1


def _silence_stdout() -> None:
    """Standard output is a closed pipe: what is still buffered, and anything later, goes nowhere
    (otherwise Python's flush at exit reports the broken pipe on standard error)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass
    sys.stdout = _devnull()


class _Nowhere(io.TextIOBase):
    """Where closed output goes: everything written is dropped (no file is opened for it)."""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        return len(text)


def _devnull() -> io.TextIOBase:
    return _Nowhere()
