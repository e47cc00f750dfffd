"""The command line's parser: the options every command takes, and each command group's ``register``."""

from __future__ import annotations

import argparse
from pathlib import Path

from wtdc_desktop import __version__
from wtdc_desktop.cli import agenda, backups, bundles, delegation, itu, negotiation, records, sources, sync
from wtdc_desktop.cli import publish
from wtdc_desktop.cli import team
from wtdc_desktop.cli.app import cmd_gui, cmd_self_test
from wtdc_desktop.i18n import _


def build_parser() -> argparse.ArgumentParser:
    data_dir_help = _("the folder holding the store (default: the user data folder)")
    lang_help = _("interface language: ar, zh, en, fr, ru or es")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS, help=data_dir_help)
    common.add_argument("--lang", default=argparse.SUPPRESS, help=lang_help)

    parser = argparse.ArgumentParser(
        prog="wtdc-desktop",
        description=_("WTDC Desktop: conference material for delegations, offline."),
    )
    # Its own --data-dir and --lang, defaulting to None: the shared ones stay SUPPRESS, so that a
    # subcommand's parser (whose values replace the parent's) does not reset a value given before it.
    parser.add_argument("--data-dir", type=Path, default=None, help=data_dir_help)
    parser.add_argument("--lang", default=None, help=lang_help)
    parser.set_defaults(func=cmd_gui)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--self-test", dest="func", action="store_const", const=cmd_self_test,
                        help=_("check this installation offscreen (store, demo, window, search, export) and exit"))
    sub = parser.add_subparsers(dest="command", metavar=_("COMMAND"))

    def add(name: str, help_text: str, func, json_flag: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, parents=[common], description=help_text)
        p.set_defaults(func=func)
        if json_flag:
            p.add_argument("--json", action="store_true", help=_("print JSON instead of a table"))
        return p

    add("gui", _("open the window (the default)"), cmd_gui, json_flag=False)
    sync.register(sub, add, common)
    records.register(sub, add, common)
    delegation.register(sub, add, common)
    sources.register(sub, add, common)
    backups.register(sub, add, common)
    negotiation.register(sub, add, common)
    bundles.register(sub, add, common)
    publish.register(sub, add, common)
    agenda.register(sub, add, common)
    itu.register(sub, add, common)
    team.register(sub, add, common)
    return parser
