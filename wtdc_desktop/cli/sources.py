"""The remembered sources that ``sync`` without SOURCE syncs (``sources add|list|remove``)."""

from __future__ import annotations

from pathlib import Path

from wtdc_desktop.cli.output import fmt_when, open_store, print_json, print_table, workspace
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import N_, _


_OUTCOMES = {
    "applied": N_("applied"), "up_to_date": N_("up to date"), "refused": N_("refused"),
    "unreachable": N_("unreachable"), "cancelled": N_("cancelled"), "failed": N_("failed"),
}


def cmd_sources_add(args) -> int:
    from wtdc_desktop.bundles.sources import check_url, is_url, normalize_location

    location = normalize_location(args.location)
    if is_url(location):
        check_url(location)
    elif not Path(location).exists():
        raise WtdcError(_("{path} does not exist; give a bundle file, a folder of bundles or an https feed address.").format(
            path=location))
    with open_store(args, create=True) as store:
        source = workspace(store).add_source(location).value
    if source.added:
        print(_("Added the source {location} ({kind}).").format(location=source.location, kind=source.kind))
    else:
        print(_("The source {location} was already remembered.").format(location=source.location))
    return 0


def cmd_sources_list(args) -> int:
    from wtdc_desktop.store import sources

    with open_store(args) as store:
        rows = sources.list_sources(store)
    if args.json:
        print_json([{k: v for k, v in r.as_dict().items() if k not in ("etag", "last_modified")} for r in rows])
        return 0
    if not rows:
        print(_("No source is remembered; add one with “sources add LOCATION”."))
        return 0
    print_table([_("source"), _("kind"), _("last checked"), _("outcome"), _("message")],
                 [[r.location, r.kind, fmt_when(r.last_checked),
                   _(_OUTCOMES[r.last_outcome]) if r.last_outcome in _OUTCOMES else (r.last_outcome or ""),
                   r.last_message] for r in rows], max_width=70)
    return 0


def cmd_sources_remove(args) -> int:
    with open_store(args) as store:
        removed = workspace(store).remove_source(args.location).value
    if not removed:
        raise WtdcError(_("{location} is not a remembered source; see “sources list”.").format(location=args.location))
    print(_("Removed the source {location}.").format(location=args.location))
    return 0


def register(sub, add, common) -> None:
    """Add these commands to the main parser (``add`` is parser.build_parser's helper)."""
    sources_parser = sub.add_parser("sources", help=_("the sources synced by “sync” without SOURCE"),
                                    parents=[common])
    sources_sub = sources_parser.add_subparsers(dest="sources_command", metavar=_("COMMAND"), required=True)
    p = sources_sub.add_parser("add", help=_("remember a bundle, a folder of bundles or an https feed"),
                               parents=[common])
    p.set_defaults(func=cmd_sources_add)
    p.add_argument("location")
    p = sources_sub.add_parser("list", help=_("list the remembered sources with their last result"),
                               parents=[common])
    p.set_defaults(func=cmd_sources_list)
    p.add_argument("--json", action="store_true", help=_("print JSON instead of a table"))
    p = sources_sub.add_parser("remove", help=_("forget a source"), parents=[common])
    p.set_defaults(func=cmd_sources_remove)
    p.add_argument("location")
