"""The command line: the same features as the window, for publishers, scripts and tests.

``wtdc-desktop`` with no command opens the window.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from wtdc_desktop import __version__
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import _, current_language, set_language

log = logging.getLogger(__name__)

DEMO_BUNDLE = "demo.wtdc.zip"


# --- output helpers ----------------------------------------------------------------

def _fmt_number(n: int) -> str:
    from babel.numbers import format_decimal

    return format_decimal(n, locale=current_language())


def _print_json(value) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _print_table(headers: list[str], rows: list[list], max_width: int = 60) -> None:
    cells = [[("" if c is None else str(c)).replace("\n", " ") for c in row] for row in rows]
    cells = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in row] for row in cells]
    widths = [max([len(h)] + [len(row[i]) for row in cells]) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip())
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())


def _open_store(args):
    from wtdc_desktop.store import Store

    return Store(args.data_dir)


def demo_bundle_path() -> Path:
    from wtdc_desktop.resources import resource_path

    return resource_path(DEMO_BUNDLE)


# --- commands ---------------------------------------------------------------------------

def _print_apply(result) -> None:
    if result.outcome == "already_applied":
        print(_("{publisher}/{channel} sequence {sequence} is already applied; nothing changed.").format(
            publisher=result.publisher, channel=result.channel, sequence=result.sequence))
        return
    print(_("Applied {publisher}/{channel} sequence {sequence} ({kind}).").format(
        publisher=result.publisher, channel=result.channel, sequence=result.sequence,
        kind=_("full") if result.kind == "full" else _("delta")))
    rows = [[t, _fmt_number(c["new"]), _fmt_number(c["changed"]), _fmt_number(c["withdrawn"]),
             _fmt_number(c["unchanged"])] for t, c in result.counts.items()]
    _print_table([_("type"), _("new"), _("changed"), _("withdrawn"), _("unchanged")], rows)
    for warning in result.warnings:
        print(_("warning: {message}").format(message=warning), file=sys.stderr)


def cmd_demo(args) -> int:
    from wtdc_desktop.bundles.apply import apply_bundle

    with _open_store(args) as store:
        result = apply_bundle(store, demo_bundle_path(), source="demo")
    if args.json:
        _print_json({"outcome": result.outcome, "counts": result.counts})
    else:
        _print_apply(result)
    return 0


def cmd_sync(args) -> int:
    from wtdc_desktop.bundles.apply import apply_bundle

    with _open_store(args) as store:
        result = apply_bundle(store, Path(args.source), source=args.source, force=args.force)
    if args.json:
        _print_json({"outcome": result.outcome, "publisher": result.publisher, "channel": result.channel,
                     "sequence": result.sequence, "kind": result.kind, "counts": result.counts,
                     "warnings": result.warnings})
    else:
        _print_apply(result)
    return 0


def cmd_stats(args) -> int:
    from wtdc_desktop.store import queries, syncs

    with _open_store(args) as store:
        counts = queries.counts(store)
        channels = syncs.all_channel_states(store)
    if args.json:
        _print_json({
            "counts": counts,
            "channels": [{"publisher": c.publisher, "channel": c.channel, "sequence": c.last_sequence,
                          "expires_at": c.expires_at} for c in channels],
        })
        return 0
    _print_table([_("type"), _("records")], [[t, _fmt_number(n)] for t, n in counts.items()])
    if channels:
        print()
        _print_table([_("publisher"), _("channel"), _("sequence")],
                     [[c.publisher, c.channel, c.last_sequence] for c in channels])
    return 0


_LIST_COLUMNS = {
    "region": ["id", "name"],
    "organization": ["id", "kind", "region", "name"],
    "meeting": ["id", "kind", "starts_on", "ends_on", "city", "title"],
    "committee": ["id", "meeting", "kind", "name"],
    "document": ["id", "date", "source", "title"],
    "resolution": ["id", "revision", "status", "title"],
    "question": ["id", "study_group", "status", "title"],
    "proposal": ["id", "action", "target", "status", "title"],
    "session": ["id", "starts_at", "ends_at", "room", "status", "title"],
    "contact": ["id", "name", "organization", "region", "email"],
    "priority": ["id", "region", "estimated_cost", "title"],
    "deadline": ["id", "due", "meeting", "title"],
}


def _cell(value) -> str:
    if isinstance(value, dict):
        if "amount" in value:
            return f"{_fmt_number(value['amount'])} {value.get('currency') or ''}".strip()
        if "type" in value and "id" in value:
            return f"{value['type']} {value['id']}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def cmd_list(args) -> int:
    from wtdc_desktop.domain.records import DELEGATION_TYPES, PUBLISHED_TYPES
    from wtdc_desktop.store import delegation, queries

    with _open_store(args) as store:
        if args.type == "position":
            records = delegation.list_positions(store)
        elif args.type in PUBLISHED_TYPES:
            records = queries.list_records(store, args.type, include_withdrawn=args.include_withdrawn,
                                           meeting=args.meeting)
        else:
            choices = ", ".join([*PUBLISHED_TYPES, *[t for t in DELEGATION_TYPES if t == "position"]])
            raise WtdcError(_("“{type}” is not a record type; choose one of: {choices}.").format(
                type=args.type, choices=choices))
    if args.json:
        _print_json(records)
        return 0
    columns = _LIST_COLUMNS.get(args.type, ["id", "subject", "stance", "status", "owner"])
    _print_table(columns, [[_cell(r.get(c)) for c in columns] for r in records])
    return 0


def cmd_search(args) -> int:
    from wtdc_desktop.store import queries

    with _open_store(args) as store:
        hits = queries.search(store, args.query, types=tuple(args.type) if args.type else None, limit=args.limit)
    if args.json:
        _print_json([{k: v for k, v in h.as_dict().items() if k != "rank"} for h in hits])
        return 0
    if not hits:
        print(_("No results for “{query}”.").format(query=args.query))
        return 0
    _print_table([_("type"), _("id"), _("title"), _("extract")], [[h.type, h.id, h.title, h.snippet] for h in hits])
    return 0


def cmd_history(args) -> int:
    from wtdc_desktop.store import queries

    with _open_store(args) as store:
        current = queries.get_record(store, args.type, args.id)
        if current is None:
            raise WtdcError(_("There is no {type} “{id}” in the store.").format(type=args.type, id=args.id))
        versions = queries.record_history(store, args.type, args.id)
    _print_json({"current": current, "earlier_versions": versions})
    return 0


def cmd_symbol(args) -> int:
    from wtdc_desktop.domain.symbols import parse_symbol

    symbol = parse_symbol(args.symbol)
    value = {"identity": symbol.identity, "meeting": symbol.meeting, "number": symbol.number,
             "revision": symbol.revision, "addendum": symbol.addendum, "corrigendum": symbol.corrigendum,
             "language": symbol.language}
    if args.json:
        _print_json(value)
    else:
        _print_table([_("field"), _("value")], [[k, v] for k, v in value.items()])
    return 0


def cmd_bundle_build(args) -> int:
    from wtdc_desktop.bundles.writer import Header, build_bundle

    header = Header(publisher_id=args.publisher, publisher_name=args.publisher_name, channel=args.channel,
                    sequence=args.sequence, kind=args.kind, created_at=args.created_at, expires_at=args.expires_at)
    manifest = build_bundle(Path(args.src), Path(args.out), header)
    records = sum(r["count"] for r in manifest["records"])
    print(_("Wrote {out}: {publisher}/{channel} sequence {sequence}, {records} records, {files} files.").format(
        out=args.out, publisher=manifest["publisher"].get("id"), channel=manifest["channel"],
        sequence=manifest["sequence"], records=_fmt_number(records), files=_fmt_number(len(manifest["files"]))))
    return 0


def cmd_changes(args) -> int:
    from wtdc_desktop.store import changes

    if args.since is not None and args.since < 0:
        raise WtdcError(_("--since must be a sync number (0 or more), not {value}.").format(value=args.since))
    with _open_store(args) as store:
        items = changes.changes_since(store, args.since, types=args.type, limit=args.limit)
    if args.json:
        _print_json(items)
        return 0
    if not items:
        print(_("Nothing changed."))
        return 0
    labels = {"new": _("new"), "changed": _("changed"), "withdrawn": _("withdrawn"), "restored": _("restored")}
    _print_table([_("mine"), _("change"), _("type"), _("id"), _("title"), _("fields")],
                 [["*" if i["mine"] else "", labels[i["change"]], i["type"], i["id"], i["title"],
                   ", ".join(i["fields"])] for i in items])
    return 0


def cmd_sync_log(args) -> int:
    from wtdc_desktop.store import syncs

    with _open_store(args) as store:
        entries = syncs.sync_log(store, limit=args.limit)
    if args.json:
        _print_json(entries)
        return 0

    import datetime as dt

    from babel.dates import format_datetime

    def total(counts, key):
        return _fmt_number(sum(c.get(key, 0) for c in (counts or {}).values()))

    def when(iso):  # stored in UTC, shown in the laptop's zone
        local = dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone()
        return format_datetime(local, "short", tzinfo=local.tzinfo, locale=current_language())

    _print_table([_("sync"), _("when"), _("source"), _("sequence"), _("outcome"), _("new"), _("changed"),
                  _("withdrawn"), _("message")],
                 [[e["sync_id"], when(e["started_at"]), e["source"], e["sequence"], e["outcome"],
                   total(e["counts"], "new"), total(e["counts"], "changed"), total(e["counts"], "withdrawn"),
                   e["message"]] for e in entries])
    return 0


def cmd_gui(args) -> int:
    from wtdc_desktop.ui.app import run

    return run(data_dir=args.data_dir, lang=args.lang)


# --- parser -----------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS,
                        help=_("the folder holding the store (default: the user data folder)"))
    common.add_argument("--lang", default=argparse.SUPPRESS, help=_("interface language: ar, zh, en, fr, ru or es"))

    parser = argparse.ArgumentParser(
        prog="wtdc-desktop",
        description=_("WTDC Desktop: conference material for delegations, offline."),
        parents=[common],
    )
    parser.set_defaults(data_dir=None, lang=None, func=cmd_gui)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar=_("COMMAND"))

    def add(name: str, help_text: str, func, json_flag: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, parents=[common], description=help_text)
        p.set_defaults(func=func)
        if json_flag:
            p.add_argument("--json", action="store_true", help=_("print JSON instead of a table"))
        return p

    add("gui", _("open the window (the default)"), cmd_gui, json_flag=False)
    add("demo", _("load the built-in demo content"), cmd_demo)
    p = add("sync", _("apply a bundle file or folder"), cmd_sync)
    p.add_argument("source", help=_("a .wtdc.zip bundle or a bundle folder"))
    p.add_argument("--force", action="store_true", help=_("apply even an older sequence (rollback)"))
    add("stats", _("count the records in the store"), cmd_stats)
    p = add("list", _("list the records of one type"), cmd_list)
    p.add_argument("type", help=_("record type, e.g. document, proposal, session"))
    p.add_argument("--meeting", help=_("only this meeting's records"))
    p.add_argument("--include-withdrawn", action="store_true", help=_("also list withdrawn records"))
    p = add("search", _("full-text search over everything"), cmd_search)
    p.add_argument("query")
    p.add_argument("--type", action="append", help=_("only hits of this type (repeatable)"))
    p.add_argument("--limit", type=int, default=50)
    p = add("history", _("show a record with its earlier versions"), cmd_history, json_flag=False)
    p.add_argument("type")
    p.add_argument("id")
    p = add("symbol", _("parse an ITU document symbol"), cmd_symbol)
    p.add_argument("symbol")
    p = add("changes", _("what changed since a sync (the delegation's records first)"), cmd_changes)
    p.add_argument("--since", type=int, help=_("sync number (see sync-log); default: what the last sync changed"))
    p.add_argument("--type", action="append", help=_("only records of this type (repeatable)"))
    p.add_argument("--limit", type=int)
    p = add("sync-log", _("list the syncs: when, source, bundle, outcome, counts"), cmd_sync_log)
    p.add_argument("--limit", type=int, default=50)

    bundle = sub.add_parser("bundle", help=_("build bundles (for publishers)"), parents=[common])
    bundle_sub = bundle.add_subparsers(dest="bundle_command", metavar=_("COMMAND"), required=True)
    p = bundle_sub.add_parser("build", help=_("build a bundle file from a folder"), parents=[common])
    p.set_defaults(func=cmd_bundle_build)
    p.add_argument("src", help=_("folder with records/*.jsonl, files/ and optionally a manifest.json header"))
    p.add_argument("--out", required=True, help=_("the bundle file to write (.wtdc.zip)"))
    p.add_argument("--publisher", help=_("publisher id"))
    p.add_argument("--publisher-name", help=_("publisher name"))
    p.add_argument("--channel")
    p.add_argument("--sequence", type=int)
    p.add_argument("--kind", choices=["full", "delta"])
    p.add_argument("--created-at")
    p.add_argument("--expires-at")

    from wtdc_desktop.cli_agenda import register as register_agenda

    register_agenda(sub, add, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    set_language(args.lang)
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
