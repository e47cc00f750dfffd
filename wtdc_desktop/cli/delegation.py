"""The delegation's bundle: export, import from a colleague, conflicts and their resolution."""

from __future__ import annotations

import sys
from pathlib import Path

from wtdc_desktop.cli.output import (
    cell, fmt_number, open_store, print_json, print_table, trust_key_arg,
)
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import _, ngettext


def cmd_export_delegation(args) -> int:
    from wtdc_desktop.bundles.delegation import export_delegation

    with open_store(args) as store:
        result = export_delegation(store, Path(args.out), delegation=args.delegation, sign_key=args.sign_key,
                                   sequence=args.sequence, member=args.member)
    if args.json:
        print_json({"path": result.path, "publisher": result.publisher, "channel": result.channel,
                     "sequence": result.sequence, "counts": result.counts, "signed_by": result.signed_by})
        return 0
    print(_("Wrote {out}: {publisher}/{channel} sequence {sequence}, {positions}, {notes}, {assignments}.").format(
        out=result.path, publisher=result.publisher, channel=result.channel, sequence=result.sequence,
        positions=ngettext("{count} position", "{count} positions", result.counts["position"]).format(
            count=fmt_number(result.counts["position"])),
        notes=ngettext("{count} note", "{count} notes", result.counts["note"]).format(
            count=fmt_number(result.counts["note"])),
        assignments=ngettext("{count} assignment", "{count} assignments", result.counts["assignment"]).format(
            count=fmt_number(result.counts["assignment"]))))
    if result.signed_by:
        print(_("Signed with the key {fingerprint}.").format(fingerprint=result.signed_by))
    return 0


def cmd_import_delegation(args) -> int:
    from wtdc_desktop.bundles.delegation import import_delegation

    trust_key = trust_key_arg(args)
    with open_store(args, create=True) as store:
        result = import_delegation(store, Path(args.file), source=args.file, force=args.force, trust_key=trust_key)
    if args.json:
        print_json(result.as_dict())
        return 0
    if result.outcome == "already_applied":
        print(_("{publisher}/{channel} sequence {sequence} is already imported; nothing changed.").format(
            publisher=result.publisher, channel=result.channel, sequence=result.sequence))
        return 0
    print(_("Imported {publisher}/{channel} sequence {sequence}.").format(
        publisher=result.publisher, channel=result.channel, sequence=result.sequence))
    print_table([_("type"), _("new"), _("changed"), _("unchanged"), _("conflicts"), _("deleted")],
                 [[t, fmt_number(c["new"]), fmt_number(c["changed"]), fmt_number(c["unchanged"]),
                   fmt_number(c["conflicts"]), fmt_number(c["deleted"])] for t, c in result.counts.items()])
    if result.conflicts:
        print(ngettext(
            "{count} record was changed both here and by a colleague: both versions are kept; see “conflicts”.",
            "{count} records were changed both here and by a colleague: both versions are kept; see “conflicts”.",
            len(result.conflicts)).format(count=len(result.conflicts)), file=sys.stderr)
    return 0


def cmd_conflicts(args) -> int:
    from wtdc_desktop.store.conflicts import all_conflicts

    with open_store(args) as store:
        items = all_conflicts(store)
    if args.json:
        print_json(items)
        return 0
    if not items:
        print(_("No open conflicts."))
        return 0
    print_table([_("conflict"), _("kind"), _("type"), _("about"), _("member"), _("from"), _("fields")],
                 [[c.get("conflict_id"), c.get("kind"), c.get("type"),
                   cell(c.get("subject")) or ", ".join(c.get("sessions") or []) or c.get("id"),
                   c.get("member"), c.get("channel"), ", ".join(c.get("fields") or [])] for c in items])
    return 0


def cmd_resolve_conflict(args) -> int:
    from wtdc_desktop.store.conflicts import RESOLVERS, resolve

    if args.kind not in RESOLVERS:
        raise WtdcError(_("“{kind}” is not a kind of conflict that can be resolved here; choose one of: {choices}.").format(
            kind=args.kind, choices=", ".join(sorted(RESOLVERS))))
    with open_store(args) as store:
        done = resolve(store, args.kind, args.id, args.keep)
    if args.json:
        print_json(done)
    elif args.keep == "local":
        print(_("Conflict {id} resolved: the local version of {type} “{record}” is kept.").format(
            id=args.id, type=done.get("type"), record=done.get("id")))
    else:
        print(_("Conflict {id} resolved: the colleague's version of {type} “{record}” is kept.").format(
            id=args.id, type=done.get("type"), record=done.get("id")))
    return 0


def register(sub, add, common) -> None:
    """Add these commands to the main parser (``add`` is parser.build_parser's helper)."""
    p = add("export-delegation", _("write the delegation's positions, notes and assignments as a bundle"),
            cmd_export_delegation)
    p.add_argument("--out", required=True, help=_("the bundle file to write (.wtdc.zip)"))
    p.add_argument("--delegation", help=_("the delegation, e.g. KEN (remembered for the next exports)"))
    p.add_argument("--member", help=_("this member's name, the channel of its own stream (remembered)"))
    p.add_argument("--sign-key", help=_("sign with this Ed25519 private key file"))
    p.add_argument("--sequence", type=int, help=_("sequence number (default: one more than the last)"))
    p = add("import-delegation", _("merge a colleague's delegation bundle into the delegation's own records"),
            cmd_import_delegation)
    p.add_argument("file", help=_("a delegation bundle (.wtdc.zip or folder)"))
    p.add_argument("--force", action="store_true", help=_("import even an older sequence (rollback)"))
    p.add_argument("--trust", help=_("pin this public key file for the delegation; the bundle must be signed with it"))
    add("conflicts", _("list records changed both here and by a colleague, waiting for a choice"), cmd_conflicts)
    p = add("resolve-conflict", _("settle a conflict by keeping the local or the colleague's version"),
            cmd_resolve_conflict)
    p.add_argument("id", type=int, help=_("the conflict number (see conflicts)"))
    p.add_argument("--keep", required=True, choices=["local", "remote"])
    p.add_argument("--kind", default="delegation_edit", help=_("the kind of conflict (default: delegation_edit)"))
