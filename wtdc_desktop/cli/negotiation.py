"""Positions and negotiation: positions, the proposals matrix, brief packs, contacts, budget, overlaps."""

from __future__ import annotations

from pathlib import Path

from wtdc_desktop.cli.output import (
    fmt_number, open_store, print_json, print_table, whoami, workspace,
)
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import _, current_language
from wtdc_desktop.userfiles import read_user_text


def cmd_position_set(args) -> int:
    from wtdc_desktop.store import positions

    if not args.id.strip():
        raise WtdcError(_("The record id is empty: give the id of the {type} the position is on.").format(type=args.type))
    brief = None
    if args.brief_file:
        try:
            brief = read_user_text(args.brief_file, "brief")
        except (OSError, UnicodeDecodeError) as exc:
            raise WtdcError(_("Cannot read the brief file {path}: {reason}.").format(
                path=args.brief_file, reason=getattr(exc, "strerror", None) or exc)) from None
    with open_store(args, create=True) as store:
        pid = workspace(store).set_position(
            args.type, args.id, changed_by=whoami(args), stance=args.stance, priority=args.priority,
            brief=brief, red_lines=args.red_lines, fallback=args.fallback, owner=args.owner, status=args.status).value
        record = next(p for p in positions.list_positions(store) if p["id"] == pid)
    if args.json:
        print_json(record)
    else:
        print(_("Position on {type} {id}: {stance} ({status}).").format(
            type=args.type, id=args.id, stance=record["stance"], status=record["status"]))
    return 0


def _position_when(iso: str) -> str:
    """A UTC instant from the store, shown in the laptop's zone."""
    from wtdc_desktop.instants import format_datetime

    return format_datetime(iso, fmt="short")


def cmd_position_history(args) -> int:
    from wtdc_desktop.store import positions

    with open_store(args) as store:
        history = positions.history_for(store, args.type, args.id)
    if not history:
        raise WtdcError(_("There is no position on {type} “{id}”.").format(type=args.type, id=args.id))
    if args.json:
        print_json(history)
        return 0
    print_table([_("when"), _("who"), _("stance"), _("priority"), _("status"), _("owner")],
                 [[_position_when(h["changed_at"]), h.get("changed_by"), h.get("stance"), h.get("priority"),
                   h.get("status"), h.get("owner")] for h in history])
    return 0


def cmd_matrix(args) -> int:
    from wtdc_desktop.domain.matrix import ASSESSMENT_LABELS, COLUMNS
    from wtdc_desktop.store import proposal_matrix

    with open_store(args) as store:
        rows = proposal_matrix.matrix(store, meeting=args.meeting, committee=args.committee)
    if args.json:
        print_json([r.as_dict() for r in rows])
        return 0
    used = [c for c in COLUMNS if any(r.cells.get(c) for r in rows)]
    print_table([_("target"), *used, _("ours"), _("assessment")],
                 [[r.target_id, *["/".join(r.actions(c)) + (f" ×{len(r.cells[c])}" if len(r.cells.get(c, [])) > 1
                                                             else "") for c in used],
                   r.ours or "", _(ASSESSMENT_LABELS[r.assessment])] for r in rows])
    return 0


def cmd_export_brief(args) -> int:
    from wtdc_desktop.store import brief_packs

    out = Path(args.out)
    if not out.parent.is_dir():
        raise WtdcError(_("The folder {path} does not exist.").format(path=out.parent))
    with open_store(args) as store:
        pack = brief_packs.brief_pack(store, meeting=args.meeting, committee=args.committee, session=args.session)
    from wtdc_desktop.workspace import write_brief

    write_brief(pack, out, args.format)
    print(_("Wrote {out}: {count} positions.").format(out=out, count=fmt_number(len(pack["entries"]))))
    return 0


def cmd_export_vcf(args) -> int:
    from wtdc_desktop.exchange.vcard import contacts_to_vcf
    from wtdc_desktop.store import contact_book

    with open_store(args) as store:
        contacts = contact_book.search_contacts(store, region=args.region,
                                               include_private=args.which in ("all", "private"),
                                               include_published=args.which in ("all", "published"))
    text = contacts_to_vcf(contacts)
    out = Path(args.out)
    from wtdc_desktop.atomic import atomic_write_text

    try:
        atomic_write_text(out, text, "utf-8", newline="")
    except OSError as exc:
        raise WtdcError(_("Could not write {path}: {reason}.").format(path=out, reason=exc.strerror or exc)) from None
    print(_("Wrote {out}: {count} contacts.").format(out=out, count=fmt_number(len(contacts))))
    return 0


def cmd_import_vcf(args) -> int:
    from wtdc_desktop.exchange.vcard import parse_vcf

    try:
        text = read_user_text(args.file, "vcard")
    except (OSError, UnicodeDecodeError) as exc:
        raise WtdcError(_("Cannot read {path}: {reason}.").format(
            path=args.file, reason=getattr(exc, "strerror", None) or exc)) from None
    contacts = parse_vcf(text, source=str(args.file))
    with open_store(args, create=True) as store:
        ids = workspace(store).import_contacts(contacts).value
    if args.json:
        print_json({"imported": ids})
    else:
        print(_("Imported {count} contacts into the delegation's private contacts.").format(
            count=fmt_number(len(ids))))
    return 0


def _money(amount: float, currency: str) -> str:
    from babel.numbers import format_currency

    return format_currency(amount, currency, locale=current_language())


def cmd_budget(args) -> int:
    from wtdc_desktop.store import budget

    with open_store(args, create=bool(args.available)) as store:
        if args.available:
            amount_text, currency = args.available
            try:
                amount = float(amount_text.replace(",", ""))
            except ValueError:
                raise WtdcError(_("“{value}” is not an amount.").format(value=amount_text)) from None
            workspace(store).set_available_budget(amount, currency)
        summary = budget.budget_summary(store)
        costed = budget.costed_proposals(store)
    if args.json:
        value = summary.as_dict()
        value["proposals_with_cost"] = [{"id": p["id"], "cost": p.get("cost"), "regions": p["regions"]}
                                        for p in costed]
        print_json(value)
        return 0
    rows = []
    for region, per in sorted(summary.by_region.items()):
        for currency, t in sorted(per.items()):
            rows.append([region, _money(t.estimated, currency), _money(t.announced, currency),
                         _money(t.confirmed, currency), _money(t.unfunded, currency)])
    for currency, t in sorted(summary.overall.items()):
        rows.append([_("total"), _money(t.estimated, currency), _money(t.announced, currency),
                     _money(t.confirmed, currency), _money(t.unfunded, currency)])
    print_table([_("region"), _("estimated"), _("announced"), _("confirmed"), _("unfunded")], rows)
    if summary.available:
        print(_("Available budget: {amount}; after unfunded needs: {balance}.").format(
            amount=_money(*summary.available), balance=_money(summary.balance(), summary.available[1])))
    return 0


def cmd_overlaps(args) -> int:
    from wtdc_desktop.store import overlaps

    with open_store(args) as store:
        if args.confirm or args.dismiss:
            a, b = args.confirm or args.dismiss
            kinds = []
            for rid in (a, b):
                kind = "question" if store.execute("SELECT 1 FROM question WHERE id = ?", (rid,)).fetchone() \
                    else "resolution"
                kinds.append(kind)
            workspace(store).decide_overlap((kinds[0], a), (kinds[1], b),
                                            "confirmed" if args.confirm else "dismissed", decided_by=whoami(args))
        suggestions = overlaps.overlap_suggestions(store, threshold=args.threshold)
        links = overlaps.declared_links(store)
    if args.json:
        print_json({"declared": links, "suggestions": suggestions})
        return 0
    if links:
        print_table([_("from"), _("to"), _("kind")], [[link["from"]["id"], link["to"], link["kind"]] for link in links])
        print()
    if not suggestions:
        print(_("No likely overlap found."))
        return 0
    print(_("Suggestions from title and text similarity (to be checked, not a finding):"))
    print_table([_("a"), _("b"), _("score"), _("shared words"), _("decision")],
                 [[s["a"]["id"], s["b"]["id"], fmt_number(round(s["score"], 2)), ", ".join(s["shared_words"]),
                   s["decision"] or ""] for s in suggestions])
    return 0


def register(sub, add, common) -> None:
    """Add these commands to the main parser (``add`` is parser.build_parser's helper)."""
    # positions and negotiation
    position = sub.add_parser("position", help=_("the delegation's positions: set one, show its history"),
                              parents=[common])
    position_sub = position.add_subparsers(dest="position_command", metavar=_("COMMAND"), required=True)
    p = position_sub.add_parser("set", help=_("create or change the position on a record"), parents=[common])
    p.set_defaults(func=cmd_position_set)
    p.add_argument("type", help=_("resolution, question, proposal, agenda_item, document, declaration…"))
    p.add_argument("id")
    p.add_argument("--stance", required=True,
                   choices=["support", "support_with_amendments", "oppose", "neutral", "undecided"])
    p.add_argument("--priority", choices=["high", "medium", "low"])
    p.add_argument("--brief-file", help=_("a Markdown file holding the brief"))
    p.add_argument("--red-lines", help=_("red lines (Markdown)"))
    p.add_argument("--fallback", help=_("fallback position (Markdown)"))
    p.add_argument("--owner", help=_("who in the delegation follows this item"))
    p.add_argument("--status", choices=["draft", "approved"])
    p.add_argument("--by", help=_("who makes the change (default: the user name)"))
    p.add_argument("--json", action="store_true", help=_("print JSON instead of a table"))
    p = position_sub.add_parser("history", help=_("every saved version of a position, with who and when"),
                                parents=[common])
    p.set_defaults(func=cmd_position_history)
    p.add_argument("type")
    p.add_argument("id")
    p.add_argument("--json", action="store_true", help=_("print JSON instead of a table"))
    p = add("matrix", _("the proposals matrix: targets by regions, with agreement"), cmd_matrix)
    p.add_argument("--meeting", help=_("only proposals for this meeting"))
    p.add_argument("--committee", help=_("only proposals for this committee"))
    p = add("export-brief", _("write a brief pack (PDF or DOCX) for a meeting, committee or session"),
            cmd_export_brief, json_flag=False)
    p.add_argument("--meeting")
    p.add_argument("--committee")
    p.add_argument("--session")
    p.add_argument("--format", choices=["pdf", "docx"], default="pdf")
    p.add_argument("--out", required=True, help=_("the file to write"))
    p = add("export-vcf", _("write contacts as vCard 4.0"), cmd_export_vcf, json_flag=False)
    p.add_argument("--region", help=_("only this region's contacts"))
    p.add_argument("--which", choices=["all", "published", "private"], default="all",
                   help=_("published contacts, the delegation's private ones, or both"))
    p.add_argument("--out", required=True, help=_("the .vcf file to write"))
    p = add("import-vcf", _("import a vCard file into the delegation's private contacts"), cmd_import_vcf)
    p.add_argument("file")
    p = add("budget", _("regional priorities: estimated cost against pledges, per region and overall"), cmd_budget)
    p.add_argument("--available", nargs=2, metavar=(_("AMOUNT"), _("CURRENCY")),
                   help=_("record the budget available, e.g. 1000000 CHF"))
    p = add("overlaps", _("declared cross-sector links and likely overlaps to check"), cmd_overlaps)
    p.add_argument("--threshold", type=float, default=0.5, help=_("lowest similarity shown (0 to 1)"))
    p.add_argument("--confirm", nargs=2, metavar=("A", "B"), help=_("confirm the overlap of two records"))
    p.add_argument("--dismiss", nargs=2, metavar=("A", "B"), help=_("dismiss a suggested overlap"))
