"""Reading the published records: counts, lists, search, history, symbols, changes, the sync log."""

from __future__ import annotations

import sys

from wtdc_desktop.cli.output import cell, fmt_number, open_store, print_json, print_table
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import _, ngettext


def cmd_stats(args) -> int:
    from wtdc_desktop.store import published, syncs

    with open_store(args) as store:
        counts = published.counts(store)
        channels = syncs.all_channel_states(store)
        stale = {(c.publisher, c.channel) for c in syncs.stale_channels(store)}
    if args.json:
        print_json({
            "counts": counts,
            "channels": [{"publisher": c.publisher, "channel": c.channel, "sequence": c.last_sequence,
                          "expires_at": c.expires_at, "stale": (c.publisher, c.channel) in stale}
                         for c in channels],
        })
        return 0
    _warn_stale(channels, stale)
    print_table([_("type"), _("records")], [[t, fmt_number(n)] for t, n in counts.items()])
    if channels:
        print()
        print_table([_("publisher"), _("channel"), _("sequence")],
                     [[c.publisher, c.channel, c.last_sequence] for c in channels])
    return 0


def _warn_stale(channels, stale) -> None:
    from wtdc_desktop.bundles.apply import expiry_warning

    for c in channels:
        if (c.publisher, c.channel) in stale:
            warning = expiry_warning(c.expires_at, f"{c.publisher}/{c.channel}")
            if warning:
                print(_("warning: {message}").format(message=warning), file=sys.stderr)


def cmd_list(args) -> int:
    from wtdc_desktop.domain.records import DELEGATION_TYPES, PUBLISHED_TYPES
    from wtdc_desktop.store import positions, published

    if args.out:
        return _export_list(args)
    with open_store(args) as store:
        if args.type == "position":
            records = positions.list_positions(store)
        elif args.type in PUBLISHED_TYPES:
            records = published.list_records(store, args.type, include_withdrawn=args.include_withdrawn,
                                             meeting=args.meeting)
        else:
            choices = ", ".join([*PUBLISHED_TYPES, *[t for t in DELEGATION_TYPES if t == "position"]])
            raise WtdcError(_("“{type}” is not a record type; choose one of: {choices}.").format(
                type=args.type, choices=choices))
    if args.json:
        print_json(records)
        return 0
    columns = list(PUBLISHED_TYPES[args.type].table) if args.type in PUBLISHED_TYPES else [
        "id", "subject", "stance", "status", "owner"]
    print_table(columns, [[cell(r.get(c)) for c in columns] for r in records])
    return 0


def _export_list(args) -> int:
    """``list TYPE --out FILE``: the list written as CSV or JSON (through sqlite-utils)."""
    from pathlib import Path

    from wtdc_desktop.domain.records import PUBLISHED_TYPES
    from wtdc_desktop.store import export

    if args.type not in PUBLISHED_TYPES:
        raise WtdcError(_("Only published records can be exported to a file; choose one of: {choices}.").format(
            choices=", ".join(PUBLISHED_TYPES)))
    out = Path(args.out)
    fmt = args.format or out.suffix.lstrip(".").lower()
    if fmt not in export.FORMATS:
        raise WtdcError(_("{path}: choose the format with --format csv or --format json.").format(path=out))
    if not out.parent.is_dir():
        raise WtdcError(_("The folder {path} does not exist.").format(path=out.parent))
    columns = [c.strip() for c in args.columns.split(",") if c.strip()] if args.columns else None
    with open_store(args) as store:
        if columns:
            known = set(export.database(store)[args.type].columns_dict)
            unknown = [c for c in columns if c not in known]
            if unknown:
                raise WtdcError(_("{type} has no column {columns}; its columns are: {known}.").format(
                    type=args.type, columns=", ".join(unknown), known=", ".join(sorted(known))))
        try:
            count = export.export_list(store, args.type, out, fmt=fmt, columns=columns,
                                       include_withdrawn=args.include_withdrawn, meeting=args.meeting)
        except OSError as exc:
            raise WtdcError(_("Could not write {path}: {reason}.").format(
                path=out, reason=exc.strerror or exc)) from None
    print(ngettext("Wrote {out}: {count} record.", "Wrote {out}: {count} records.", count).format(
        out=out, count=fmt_number(count)))
    return 0


def cmd_search(args) -> int:
    from wtdc_desktop.store import fulltext

    with open_store(args) as store:
        hits = fulltext.search(store, args.query, types=tuple(args.type) if args.type else None, limit=args.limit)
    if args.json:
        print_json([{k: v for k, v in h.as_dict().items() if k != "rank"} for h in hits])
        return 0
    if not hits:
        print(_("No results for “{query}”.").format(query=args.query))
        return 0
    # A note or a position is named by the record it is about, never by its internal id.
    print_table([_("type"), _("id"), _("title"), _("extract")],
                [[h.type, h.shown_id, h.title, h.snippet] for h in hits])
    return 0


def cmd_history(args) -> int:
    from wtdc_desktop.domain.records import PUBLISHED_TYPES
    from wtdc_desktop.store import published

    if args.type not in PUBLISHED_TYPES:
        raise WtdcError(_("“{type}” is not a record type; choose one of: {choices}.").format(
            type=args.type, choices=", ".join(PUBLISHED_TYPES)))
    with open_store(args) as store:
        current = published.get_record(store, args.type, args.id)
        if current is None:
            raise WtdcError(_("There is no {type} “{id}” in the store.").format(type=args.type, id=args.id))
        versions = published.record_history(store, args.type, args.id)
    if args.compare:
        return _print_comparison(args, current, versions)
    print_json({"current": current, "earlier_versions": versions})
    return 0


def _print_comparison(args, current: dict, versions: list[dict]) -> int:
    """``history TYPE ID --compare``: the previous version against the current one, field by field,
    word by word (``[-gone-]{+came+}``), the fields the registry compares for the type."""
    from wtdc_desktop.domain.diff import compare_fields, diff_to_text, word_diff
    from wtdc_desktop.domain.records import PUBLISHED_TYPES

    rtype = PUBLISHED_TYPES[args.type]
    if not rtype.compared:
        raise WtdcError(_("The versions of a {type} are not compared; without --compare, history shows them "
                          "all.").format(type=args.type))
    if not versions:
        print(_("{type} “{id}” has a single version: there is nothing to compare.").format(
            type=args.type, id=current["id"]))
        return 0
    before = versions[-1]["record"]
    print(_("Changes from version {a} to the current version of {type} “{id}”:").format(
        a=fmt_number(len(versions)), type=args.type, id=current["id"]))
    for name, a, b in compare_fields(before, current, rtype.compared):
        spec = rtype.spec(name)
        label = _(spec.label) if spec and spec.label else name
        print(f"\n== {label} ==")
        if spec is not None and spec.kind == "enum":
            print(b if a == b else f"[-{a or ''}-]{{+{b or ''}+}}")
        else:
            print(diff_to_text(word_diff(a, b)))
    return 0


def cmd_symbol(args) -> int:
    from wtdc_desktop.domain.symbols import parse_symbol

    symbol = parse_symbol(args.symbol)
    value = {"identity": symbol.identity, "meeting": symbol.meeting, "number": symbol.number,
             "revision": symbol.revision, "addendum": symbol.addendum, "corrigendum": symbol.corrigendum,
             "language": symbol.language}
    if args.json:
        print_json(value)
    else:
        print_table([_("field"), _("value")], [[k, v] for k, v in value.items()])
    return 0


def cmd_changes(args) -> int:
    from wtdc_desktop.store import changes

    if args.since is not None and args.since < 0:
        raise WtdcError(_("--since must be a sync number (0 or more), not {value}.").format(value=args.since))
    with open_store(args) as store:
        items = changes.changes_since(store, args.since, types=args.type, limit=args.limit)
    if args.json:
        print_json(items)
        return 0
    if not items:
        print(_("Nothing changed."))
        return 0
    labels = {"new": _("new"), "changed": _("changed"), "withdrawn": _("withdrawn"), "restored": _("restored")}
    print_table([_("mine"), _("change"), _("type"), _("id"), _("title"), _("fields")],
                 [["*" if i["mine"] else "", labels[i["change"]], i["type"], i["id"], i["title"],
                   ", ".join(i["fields"])] for i in items])
    return 0


def cmd_sync_log(args) -> int:
    from wtdc_desktop.store import syncs

    with open_store(args) as store:
        entries = syncs.sync_log(store, limit=args.limit)
    if args.json:
        print_json(entries)
        return 0

    from wtdc_desktop.instants import format_datetime

    def total(counts, key):
        return fmt_number(sum(c.get(key, 0) for c in (counts or {}).values()))

    def when(iso):  # stored in UTC, shown in the laptop's zone
        return format_datetime(iso, fmt="short")

    print_table([_("sync"), _("when"), _("source"), _("sequence"), _("outcome"), _("new"), _("changed"),
                  _("withdrawn"), _("message")],
                 [[e["sync_id"], when(e["started_at"]), e["source"], e["sequence"], e["outcome"],
                   total(e["counts"], "new"), total(e["counts"], "changed"), total(e["counts"], "withdrawn"),
                   e["message"]] for e in entries])
    return 0


def register(sub, add, common) -> None:
    """Add these commands to the main parser (``add`` is parser.build_parser's helper)."""
    add("stats", _("count the records in the store"), cmd_stats)
    p = add("list", _("list the records of one type"), cmd_list)
    p.add_argument("type", help=_("record type, e.g. document, proposal, session"))
    p.add_argument("--meeting", help=_("only this meeting's records"))
    p.add_argument("--include-withdrawn", action="store_true", help=_("also list withdrawn records"))
    p.add_argument("--out", metavar=_("FILE"), help=_("write the list to FILE (CSV or JSON, from its suffix) "
                                                      "instead of printing it"))
    p.add_argument("--format", choices=("csv", "json"), help=_("the format of --out when its suffix does not say"))
    p.add_argument("--columns", metavar=_("COL,COL"), help=_("with --out: these columns of the record's table"))
    p = add("search", _("full-text search over everything"), cmd_search)
    p.add_argument("query")
    p.add_argument("--type", action="append", help=_("only hits of this type (repeatable)"))
    p.add_argument("--limit", type=int, default=50)
    p = add("history", _("show a record with its earlier versions"), cmd_history, json_flag=False)
    p.add_argument("type")
    p.add_argument("id")
    p.add_argument("--compare", action="store_true",
                   help=_("compare the previous version with the current one, field by field, word by word"))
    p = add("symbol", _("parse an ITU document symbol"), cmd_symbol)
    p.add_argument("symbol")
    p = add("changes", _("what changed since a sync (the delegation's records first)"), cmd_changes)
    p.add_argument("--since", type=int, help=_("sync number (see sync-log); default: what the last sync changed"))
    p.add_argument("--type", action="append", help=_("only records of this type (repeatable)"))
    p.add_argument("--limit", type=int)
    p = add("sync-log", _("list the syncs: when, source, bundle, outcome, counts"), cmd_sync_log)
    p.add_argument("--limit", type=int, default=50)
