"""Agenda commands of the command line: members, assignments, priorities, calendars.

Registered into the main parser by :func:`register` (see ``cli/parser.py``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from wtdc_desktop.cli.output import open_store, print_json, print_table, workspace
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import _, ngettext



def _split(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [x.strip() for x in text.split(",") if x.strip()]


def _days(text: str | None) -> list[dt.date] | None:
    if text is None:
        return None
    out = []
    for part in _split(text) or []:
        try:
            out.append(dt.date.fromisoformat(part))
        except ValueError:
            raise WtdcError(_("“{value}” is not a day YYYY-MM-DD (in --days).").format(value=part)) from None
    return out


def cmd_member_add(args) -> int:
    from wtdc_desktop.store import sessions

    with open_store(args, create=True) as store:
        workspace(store).save_member(args.name, role=args.role, languages=_split(args.languages),
                                     days_present=_days(args.days), me=args.me)
        m = sessions.member(store, args.name.strip())
    if args.json:
        print_json(_member_dict(m))
    else:
        print(_("Member {name} saved.").format(name=m.name))
    return 0


def _member_dict(m) -> dict:
    return {"name": m.name, "role": m.role, "languages": list(m.languages),
            "days_present": [d.isoformat() for d in m.days_present]}


def cmd_member_list(args) -> int:
    from wtdc_desktop.store import sessions

    with open_store(args) as store:
        members = sessions.members(store)
        me = sessions.me(store)
    if args.json:
        print_json([{**_member_dict(m), "me": m.name == me} for m in members])
        return 0
    print_table([_("name"), _("role"), _("languages"), _("days present")],
                        [[m.name + (" *" if m.name == me else ""), m.role or "", ", ".join(m.languages),
                          ", ".join(d.isoformat() for d in m.days_present) or _("all")] for m in members])
    return 0


def cmd_member_remove(args) -> int:
    from wtdc_desktop.store import sessions

    with open_store(args) as store:
        if sessions.member(store, args.name) is None:
            raise sessions.AgendaError(_("“{name}” is not a member of the delegation.").format(name=args.name))
        workspace(store).remove_member(args.name)
    print(_("Member {name} removed with their assignments.").format(name=args.name))
    return 0


def cmd_assign(args) -> int:
    from wtdc_desktop.store import sessions

    with open_store(args, create=True) as store:
        if args.remove:
            workspace(store).unassign(args.session, args.member)
        else:
            workspace(store).assign_member(args.session, args.member, args.role)
        current = [a for a in sessions.assignments(store, args.session)]
    if args.json:
        print_json([{"session": a.session, "member": a.member, "role": a.role} for a in current])
    elif args.remove:
        print(_("{member} no longer covers {session}.").format(member=args.member, session=args.session))
    else:
        print(_("{member} covers {session} as {role}.").format(member=args.member, session=args.session,
                                                              role=args.role))
    return 0


def cmd_session_priority(args) -> int:
    with open_store(args, create=True) as store:
        workspace(store).set_session_priority(args.session, None if args.priority == "none" else args.priority)
    if args.json:
        print_json({"session": args.session, "priority": None if args.priority == "none" else args.priority})
    else:
        print(_("Priority of {session}: {priority}.").format(session=args.session, priority=args.priority))
    return 0


def cmd_session_language(args) -> int:
    from wtdc_desktop.store import sessions

    with open_store(args, create=True) as store:
        if sessions.session(store, args.session) is None:
            raise sessions.AgendaError(_("There is no session “{id}” in the store.").format(id=args.session))
        workspace(store).note_session_languages(args.session, _split(args.languages), args.interpretation)
    print(_("Languages of {session} noted.").format(session=args.session))
    return 0


def cmd_export_ics(args) -> int:
    from wtdc_desktop.exchange.coverage import export_ics
    from wtdc_desktop.store import sessions

    with open_store(args) as store:
        member = args.member
        if member is None and not args.all and not args.covered:
            member = sessions.me(store)
        n = export_ics(store, Path(args.out), member=member, everything=args.all, meeting=args.meeting)
    print(_("Wrote {count} sessions to {out}.").format(count=n, out=args.out))
    return 0


def cmd_export_coverage(args) -> int:
    from wtdc_desktop.workspace import Workspace

    out = Path(args.out)
    fmt = args.format or ("pdf" if out.suffix.lower() == ".pdf" else "csv")
    with open_store(args) as store:
        n = Workspace(store).export_coverage(out, fmt, meeting=args.meeting).value
    print(_("Wrote the coverage board ({count} sessions) to {out}.").format(count=n, out=out))
    return 0


def cmd_import_schedule(args) -> int:
    from wtdc_desktop.store.db import default_data_dir
    from wtdc_desktop.workspace import Workspace

    data_dir = Path(args.data_dir) if args.data_dir else default_data_dir()
    result = Workspace.import_schedule(data_dir, args.source, args.into or args.meeting, force=args.force,
                                       confirmed=bool(args.into)).value
    if args.json:
        print_json({"outcome": result.outcome, "meeting": result.meeting, "channel": result.channel,
                            "format": result.format, "events": result.events, "counts": result.counts,
                            "meeting_created": result.meeting_created, "zone_note": result.zone_note,
                            "moved": result.moved})
        return 0
    if result.zone_note:
        print(result.zone_note)
    if result.outcome == "not_modified":
        print(_("{source} has not changed since the last import.").format(source=args.source))
    elif result.outcome == "unchanged":
        print(_("{source}: {count} events, nothing changed.").format(source=args.source, count=result.events))
    else:
        print(_("Imported {count} events from {source} into {meeting}.").format(
            count=result.events, source=args.source, meeting=result.meeting))
        if result.moved:
            print(ngettext("{count} session moved from the meeting of the earlier import.",
                           "{count} sessions moved from the meeting of the earlier import.",
                           result.moved).format(count=result.moved))
        rows = [[t, c["new"], c["changed"], c["withdrawn"], c["unchanged"]] for t, c in result.counts.items()]
        print_table([_("type"), _("new"), _("changed"), _("withdrawn"), _("unchanged")], rows)
    return 0


def cmd_agenda_settings(args) -> int:
    from wtdc_desktop.store import sessions

    with open_store(args, create=args.me is not None or args.reminder_minutes is not None) as store:
        if args.me is not None:
            if args.me and sessions.member(store, args.me) is None:
                raise sessions.AgendaError(_("“{name}” is not a member of the delegation.").format(name=args.me))
            workspace(store).set_me(args.me or None)
        if args.reminder_minutes is not None:
            if args.reminder_minutes < 0:
                raise WtdcError(_("--reminder-minutes must be zero or more."))
            workspace(store).set_reminder_minutes(args.reminder_minutes)
        value = {"me": sessions.me(store), "reminder_minutes": sessions.reminder_minutes(store)}
    if args.json:
        print_json(value)
    else:
        print_table([_("setting"), _("value")], [[k, v if v is not None else ""] for k, v in value.items()])
    return 0


def register(sub, add, common) -> None:
    """Add the agenda commands to the main parser (``add`` is parser.build_parser's helper)."""
    member = sub.add_parser("member", help=_("delegation members"), parents=[common])
    member_sub = member.add_subparsers(dest="member_command", metavar=_("COMMAND"), required=True)
    p = member_sub.add_parser("add", help=_("add or update a member"), parents=[common])
    p.set_defaults(func=cmd_member_add)
    p.add_argument("name")
    p.add_argument("--languages", help=_("languages the member works in, e.g. en,fr"))
    p.add_argument("--role", help=_("role in the delegation, e.g. head of delegation"))
    p.add_argument("--days", help=_("days present, e.g. 2021-11-08,2021-11-09 (default: every day)"))
    p.add_argument("--me", action="store_true", help=_("this member is the user of this computer"))
    p.add_argument("--json", action="store_true", help=_("print JSON instead of a table"))
    p = member_sub.add_parser("list", help=_("list the members"), parents=[common])
    p.set_defaults(func=cmd_member_list)
    p.add_argument("--json", action="store_true", help=_("print JSON instead of a table"))
    p = member_sub.add_parser("remove", help=_("remove a member and their assignments"), parents=[common])
    p.set_defaults(func=cmd_member_remove)
    p.add_argument("name")

    p = add("assign", _("assign a member to cover a session"), cmd_assign)
    p.add_argument("session", metavar="SESSION_ID")
    p.add_argument("member", metavar="MEMBER")
    p.add_argument("--role", choices=["lead", "support", "observer"], default="lead")
    p.add_argument("--remove", action="store_true", help=_("remove the assignment instead"))

    p = add("session-priority", _("how much the delegation needs to cover a session"), cmd_session_priority)
    p.add_argument("session", metavar="SESSION_ID")
    p.add_argument("priority", choices=["must", "should", "optional", "none"])

    p = add("session-language", _("note the languages of a session and its interpretation"),
            cmd_session_language, json_flag=False)
    p.add_argument("session", metavar="SESSION_ID")
    p.add_argument("--languages", help=_("languages the session is held in, e.g. en,fr"))
    p.add_argument("--interpretation", help=_("interpretation available, e.g. all six languages"))

    p = add("export-ics", _("export sessions as an iCalendar file"), cmd_export_ics, json_flag=False)
    p.add_argument("--member", help=_("this member's sessions (default: yours, set with agenda-settings --me)"))
    p.add_argument("--covered", action="store_true", help=_("every session the delegation covers"))
    p.add_argument("--all", action="store_true", help=_("every session, covered or not (the coverage board)"))
    p.add_argument("--meeting", help=_("only this meeting's sessions"))
    p.add_argument("--out", required=True, help=_("the .ics file to write"))

    p = add("export-coverage", _("export the coverage board as CSV or PDF"), cmd_export_coverage, json_flag=False)
    p.add_argument("--out", required=True, help=_("the file to write (.csv or .pdf)"))
    p.add_argument("--format", choices=["csv", "pdf"])
    p.add_argument("--meeting", help=_("only this meeting's sessions"))

    p = add("import-schedule", _("import a published timetable (frab XML or JSON, iCalendar)"), cmd_import_schedule)
    p.add_argument("source", metavar="FILE_OR_URL", help=_("a file, a folder or an https URL"))
    target = p.add_mutually_exclusive_group()
    target.add_argument("--meeting", metavar="M", help=_(
        "the meeting the sessions belong to (created if new; refused if it is another conference's); "
        "default: a meeting named from the file's own conference"))
    target.add_argument("--into", metavar="M", help=_(
        "add the sessions to the meeting M even though the file names another conference or zone, "
        "or move them there from the meeting of an earlier import"))
    p.add_argument("--force", action="store_true", help=_("import again even if nothing changed"))

    p = add("agenda-settings", _("who you are in the delegation, and reminders"), cmd_agenda_settings)
    p.add_argument("--me", help=_("the member who uses this computer (empty to clear)"))
    p.add_argument("--reminder-minutes", type=int, help=_("remind this many minutes before your sessions"))

