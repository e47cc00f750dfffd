"""Loading the demo and syncing bundles, folders and feeds (``demo``, ``sync``)."""

from __future__ import annotations

import json
import sys

from wtdc_desktop.cli.output import (
    data_dir_of, fmt_number, open_store, print_json, print_table, trust_key_arg, workspace,
)
from wtdc_desktop.domain.constants import DEFAULT_INTERVAL_MINUTES
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import _


def _print_signer(result) -> None:
    if not getattr(result, "signed", False):
        return
    if result.signer_fingerprint is None:
        print(_("Signed, but with a key this store does not know yet; it was not checked."))
    elif result.signer_key_pinned:
        print(_("Signed by the trusted key {fingerprint}.").format(fingerprint=result.signer_fingerprint))
    else:
        print(_("Signed by the key {fingerprint}, not trusted yet (trust it with “trust add {publisher} KEYFILE”).").format(
            fingerprint=result.signer_fingerprint, publisher=result.publisher))


def _print_apply(result) -> None:
    if result.outcome == "already_applied":
        print(_("{publisher}/{channel} sequence {sequence} is already applied; nothing changed.").format(
            publisher=result.publisher, channel=result.channel, sequence=result.sequence))
        for warning in result.warnings:
            print(_("warning: {message}").format(message=warning), file=sys.stderr)
        return
    _print_signer(result)
    print(_("Applied {publisher}/{channel} sequence {sequence} ({kind}).").format(
        publisher=result.publisher, channel=result.channel, sequence=result.sequence,
        kind=_("full") if result.kind == "full" else _("delta")))
    rows = [[t, fmt_number(c["new"]), fmt_number(c["changed"]), fmt_number(c["withdrawn"]),
             fmt_number(c["unchanged"])] for t, c in result.counts.items()]
    print_table([_("type"), _("new"), _("changed"), _("withdrawn"), _("unchanged")], rows)
    for warning in result.warnings:
        print(_("warning: {message}").format(message=warning), file=sys.stderr)


def cmd_demo(args) -> int:
    with open_store(args, create=True) as store:
        result = workspace(store).load_demo().value
    if args.json:
        print_json({"outcome": result.outcome, "counts": result.counts})
    else:
        _print_apply(result)
    return 0


def _sync_options(args):
    from wtdc_desktop.bundles.sources import SyncOptions

    options = SyncOptions(force=args.force, progress=_progress_printer() if not args.json else None)
    trust_key = trust_key_arg(args)
    if trust_key is not None:
        options.apply_options["trust_key"] = trust_key
    return options


def _progress_printer():
    """Records applied out of total, on one line of the terminal (nothing when not a terminal)."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        end = "\n" if done >= total else ""
        print("\r" + _("{done} of {total} records applied").format(
            done=fmt_number(done), total=fmt_number(total)), end=end, file=sys.stderr, flush=True)

    return show


def _apply_json(result) -> dict:
    return {"outcome": result.outcome, "publisher": result.publisher, "channel": result.channel,
            "sequence": result.sequence, "kind": result.kind, "counts": result.counts,
            "warnings": result.warnings, "signed_by": result.signer_fingerprint,
            "key_pinned": result.signer_key_pinned}


def _print_source_result(result) -> None:
    for note in result.notes:
        print(_("note: {message}").format(message=note), file=sys.stderr)
    for applied in result.applied:
        _print_apply(applied)
    if result.ok and not any(a.outcome == "applied" for a in result.applied) and result.kind != "bundle":
        print(_("{source}: {message}").format(source=result.location, message=result.message))


def cmd_sync(args) -> int:
    from wtdc_desktop.store.lock import SyncLock

    if args.watch:
        return _sync_watch(args)
    if args.source is None:
        return _sync_remembered(args)
    if not args.source.strip():
        raise WtdcError(_("The source is empty: give a bundle file, a folder of bundles or an https address."))
    options = _sync_options(args)
    with SyncLock(data_dir_of(args)):
        with open_store(args, create=True) as store:
            result = workspace(store).sync_source(args.source, options).value
    if result.kind == "bundle":
        if result.error is not None:
            raise result.error
        if args.json:
            print_json(_apply_json(result.applied[0]))
        else:
            _print_apply(result.applied[0])
        return 0
    if args.json:
        print_json(result.as_dict())
    else:
        _print_source_result(result)
    if result.error is not None:
        if args.json:  # the JSON says what happened; the sentence goes to stderr
            print(_("error: {message}").format(message=result.error.message), file=sys.stderr)
            return result.error.exit_code or 1
        raise result.error
    return 0


def _sync_remembered(args) -> int:
    from wtdc_desktop.store import sessions, sources
    from wtdc_desktop.workspace import Workspace

    with open_store(args) as store:
        from wtdc_desktop.sync import itu_folders

        if not sources.list_sources(store) and not sessions.schedule_sources(store) and not itu_folders(store):
            raise WtdcError(_("No source is remembered in {path}; give a SOURCE or add one with “sources add LOCATION”.").format(
                path=store.path))
    results = Workspace.sync_all(data_dir_of(args), options=_sync_options(args),
                                 on_source=None if args.json else _print_source_result).value
    failed = [r for r in results if r.error is not None]
    if args.json:
        print_json([r.as_dict() for r in results])
    for r in failed:
        print(_("error: {message}").format(message=r.error.message), file=sys.stderr)
    return (failed[0].error.exit_code or 1) if failed else 0


def _sync_watch(args) -> int:
    from wtdc_desktop.sync import make_scheduler

    if args.source is not None:
        raise WtdcError(_("sync --watch syncs the remembered sources; remember {source} first with “sources add”.").format(
            source=args.source))
    if args.interval <= 0:
        raise WtdcError(_("--interval must be a number of minutes above 0, not {value}.").format(value=args.interval))

    def report(result) -> None:
        if args.json:
            print(json.dumps(result.as_dict(), ensure_ascii=False), flush=True)
            return
        _print_source_result(result)
        if result.error is not None:
            print(_("error: {message}").format(message=result.error.message), file=sys.stderr)
        sys.stdout.flush()

    def busy(exc) -> None:
        print(_("warning: {message}").format(message=exc.message), file=sys.stderr)

    scheduler = make_scheduler(data_dir_of(args), interval_minutes=args.interval, options=_sync_options(args),
                               on_result=report)
    if not args.json:
        print(_("Syncing the remembered sources every {minutes} minutes; press Ctrl-C to stop.").format(
            minutes=fmt_number(args.interval)), flush=True)
    try:
        scheduler.run(on_busy=busy)
    except KeyboardInterrupt:
        if not args.json:
            print(_("Stopped."))
    return 0


def register(sub, add, common) -> None:
    """Add these commands to the main parser (``add`` is parser.build_parser's helper)."""
    add("demo", _("load the built-in demo content"), cmd_demo)
    p = add("sync", _("apply a bundle, a folder of bundles or a feed; without SOURCE, every remembered source"),
            cmd_sync)
    p.add_argument("source", nargs="?",
                   help=_("a .wtdc.zip bundle, a bundle folder, a folder of bundles or an https feed address"))
    p.add_argument("--force", action="store_true", help=_("apply even an older sequence (rollback)"))
    p.add_argument("--watch", action="store_true",
                   help=_("keep syncing the remembered sources on a schedule until Ctrl-C"))
    p.add_argument("--interval", type=float, default=float(DEFAULT_INTERVAL_MINUTES), metavar=_("MIN"),
                   help=_("minutes between syncs with --watch (default 15)"))
    p.add_argument("--trust", metavar=_("PUBKEYFILE"),
                   help=_("pin this public key for the bundle's publisher; the bundle must be signed with it"))
