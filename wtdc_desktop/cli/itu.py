"""ITU material in (``import-itu``): meeting catalogs, document lists, folders and files of ITU documents,
applied to the store or written as a (signed) bundle for a publisher to distribute."""

from __future__ import annotations

import sys
from pathlib import Path

from wtdc_desktop.cli.output import fmt_number, open_store, print_json, workspace
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import N_, _, ngettext

#: How a record type is named in the summary (translated when shown).
TYPE_LABELS = {"meeting": N_("meetings"), "document": N_("documents"), "proposal": N_("proposals")}


def _progress_printer():
    """Files read out of total, on one line of the terminal (nothing when not a terminal)."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int, _name: str) -> None:
        end = "\n" if done >= total else ""
        print("\r" + ngettext("{done} of {total} file read", "{done} of {total} files read", total).format(
            done=fmt_number(done), total=fmt_number(total)), end=end, file=sys.stderr, flush=True)

    return show


def counts_text(counts: dict[str, int]) -> str:
    """``documents: 5, meetings: 2``; empty when nothing was read."""
    return ", ".join(_("{label}: {count}").format(label=_(TYPE_LABELS[t]) if t in TYPE_LABELS else t,
                                                 count=fmt_number(n)) for t, n in counts.items())


def print_report(report: dict) -> None:
    """What was read, skipped (with reasons), noticed, and which proposal blocks were not imported."""
    print(_("Files read: {files}; records: {records}.").format(
        files=fmt_number(len(report["read"])), records=counts_text(report["counts"]) or _("nothing usable")))
    if report["skipped"]:
        print(_("Files skipped: {count}").format(count=fmt_number(len(report["skipped"]))))
        for item in report["skipped"]:
            print("  " + _("{path}: {reason}").format(path=item["path"], reason=item["reason"]))
    unread = {(u["document"], u["id"]) for u in report["unread_proposals"]}
    problems = report["problems"]
    if report["unread_proposals"]:
        print(_("Proposal blocks not imported (their text is kept on the document):"))
        for item in report["unread_proposals"]:
            print("  " + _("{document}: {id} ({reason})").format(
                document=item["document"], id=item["id"] or "?", reason=item["reason"]))
        # each is also among the problems, in a longer sentence
        problems = [p for p in problems if not any(doc in p and (pid or "?") in p for doc, pid in unread)]
    if problems:
        print(_("Problems:"))
        for problem in problems:
            print("  " + problem)


def _print_applied(result) -> None:
    from wtdc_desktop.cli.sync import _print_apply

    _print_apply(result)
    if not result.changed:
        print(_("Nothing changed: everything read is already in the store."))


def _print_written(result, signed: bool) -> None:
    manifest = result.manifest
    records = sum(r["count"] for r in manifest["records"])
    print(_("Wrote {out}: {publisher}/{channel} sequence {sequence}, {records}, {files}.").format(
        out=result.out, publisher=manifest["publisher"].get("id"), channel=manifest["channel"],
        sequence=manifest["sequence"], records=ngettext("{count} record", "{count} records", records).format(count=fmt_number(records)),
        files=ngettext("{count} file", "{count} files", len(manifest["files"])).format(
            count=fmt_number(len(manifest["files"])))))
    if signed:
        print(_("Signed; delegations check it with your public key (“trust add {publisher} KEYFILE”).").format(
            publisher=manifest["publisher"].get("id")))


def _json(result) -> dict:
    value = dict(result.report)
    if result.applied is not None:
        applied = result.applied
        value["applied"] = {"outcome": applied.outcome, "publisher": applied.publisher, "channel": applied.channel,
                            "sequence": applied.sequence, "counts": applied.counts, "changed": applied.changed}
    if result.manifest is not None:
        value["bundle"] = {"path": str(result.out), "publisher": result.manifest["publisher"].get("id"),
                           "channel": result.manifest["channel"], "sequence": result.manifest["sequence"]}
    return value


def cmd_import_itu(args) -> int:
    from wtdc_desktop.workspace import Workspace

    if args.out is not None and args.remember:
        raise WtdcError(_("--remember is for a folder applied to the store, not for writing a bundle with --out."))
    if args.out is None and (args.sign_key or args.publisher):
        raise WtdcError(_("--sign-key and --publisher are for writing a bundle: give --out BUNDLE as well."))
    if args.out is not None and not args.publisher:
        raise WtdcError(_("--out needs --publisher ID: the publisher id that delegations will trust for this bundle."))
    languages = [item for item in args.languages.split(",") if item.strip()] if args.languages else None
    key = None
    if args.sign_key:
        from wtdc_desktop.bundles.signing import load_private_key

        key = load_private_key(args.sign_key)  # before reading: a wrong key file is said at once
    options = dict(meeting=args.meeting, languages=languages,
                   progress=None if args.json else _progress_printer())
    if args.out is not None:
        # Writing a bundle touches no store (a publisher may have none).
        result = Workspace(None).import_itu(args.sources, out=Path(args.out), sign_key=key,
                                            publisher=args.publisher, **options).value
    else:
        with open_store(args, create=True) as store:
            result = workspace(store).import_itu(args.sources, remember=args.remember, **options).value
        if args.remember and not args.json and result.applied is not None:
            print(_("The folder is remembered: “sync” and the window's periodic sync read it again when its files change."))
    if args.json:
        print_json(_json(result))
    else:
        if result.applied is not None:
            _print_applied(result.applied)
        elif result.manifest is not None:
            _print_written(result, key is not None)
        print_report(result.report)
    if not result.usable:
        print(_("error: {message}").format(message=_(
            "Nothing usable was read from the ITU material given (the reasons are listed above).")), file=sys.stderr)
        return 1
    return 0


def register(sub, add, common) -> None:
    """Add ``import-itu`` to the main parser (``add`` is parser.build_parser's helper)."""
    p = add("import-itu", _("read ITU meeting catalogs, document lists and folders of ITU documents; apply them, "
                            "or write a bundle with --out"), cmd_import_itu)
    p.add_argument("sources", nargs="+", metavar=_("SOURCE"),
                   help=_("a meeting catalog or document list (.xml), a folder of ITU documents (read with its "
                          "subfolders), or single files"))
    p.add_argument("--meeting", metavar=_("ID"),
                   help=_("the meeting the documents belong to (e.g. WTDC-25); its symbols name the documents"))
    p.add_argument("--languages", metavar=_("E,F,..."),
                   help=_("only these languages, as ITU letters (A, C, E, F, R, S) separated by commas"))
    p.add_argument("--out", metavar=_("BUNDLE"), type=Path,
                   help=_("write a bundle (.wtdc.zip) for distribution instead of applying to the store"))
    p.add_argument("--remember", action="store_true",
                   help=_("remember the folder (one SOURCE) so that every sync reads it again when its files change"))
    p.add_argument("--sign-key", metavar=_("KEY"), help=_("sign the bundle with this private key (with --out)"))
    p.add_argument("--publisher", metavar=_("ID"),
                   help=_("the publisher id written in the bundle (with --out), e.g. citel-secretariat"))
