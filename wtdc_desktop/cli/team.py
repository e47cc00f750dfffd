"""Team sync: share the delegation's positions, notes and coverage through a folder or a WebDAV server."""

from __future__ import annotations

import os
import sys

from wtdc_desktop.cli.output import fmt_when, open_store, print_json, print_table
from wtdc_desktop.i18n import _, ngettext


def _prompt(text: str) -> str | None:
    """Ask for a password on the terminal; None when there is no terminal (a script sets the variable)."""
    if not sys.stdin or not sys.stdin.isatty():
        return None
    import getpass

    return getpass.getpass(text)


def _confirm(text: str) -> bool:
    if not sys.stdin or not sys.stdin.isatty():
        return False
    try:
        return input(text).strip().lower() in ("y", "yes", "o", "oui", "s", "si", "sí", "д", "да", "是", "نعم")
    except EOFError:
        return False


def _print_untrusted(items: list[dict], trust_all: bool, store) -> list[dict]:
    from wtdc_desktop.team import trust

    pinned = []
    for item in items:
        question = _("Trust {member}, whose key has the fingerprint {fingerprint}? Check it with {member} first "
                     "[y/N] ").format(member=item["name"], fingerprint=item["fingerprint"])
        if trust_all or _confirm(question):
            pinned.append(trust(store, item["name"], item["fingerprint"]))
        else:
            print(_("Not trusted yet: {member} ({fingerprint}); once checked: team trust {member} --fingerprint "
                    "\"{fingerprint}\"").format(member=item["name"], fingerprint=item["fingerprint"]), file=sys.stderr)
    return pinned


def cmd_team_join(args) -> int:
    from wtdc_desktop.team import join
    from wtdc_desktop.team.credentials import PASSWORD_ENV, keyring_available, stored_password
    from wtdc_desktop.team.storage import is_url

    password = None
    if is_url(args.location) and args.user:
        password = stored_password(args.location, args.user) or os.environ.get(PASSWORD_ENV) or _prompt(
            _("Password of {user} on {url}: ").format(user=args.user, url=args.location))
    with open_store(args, create=True) as store:
        result = join(store, args.location, args.member, sign_key=args.sign_key, delegation=args.delegation,
                      user=args.user, password=password)
        pinned = _print_untrusted(result.members, args.yes, store) if not args.json or args.yes else []
    if args.json:
        print_json({**result.as_dict(), "trusted_now": pinned})
        return 0
    print(_("Joined the team of delegation {delegation} at {location} as {member}.").format(
        delegation=result.delegation, location=result.location, member=result.member))
    if result.created_key:
        print(_("A signing key was created: {path}.").format(path=result.key_file))
    print(_("Your key's fingerprint is {fingerprint}: the other members confirm it with “team trust”.").format(
        fingerprint=result.fingerprint))
    if is_url(args.location) and args.user and not result.keyring:
        if not keyring_available():
            print(_("This computer has no keyring to keep the password: it is asked at each sync (scripts set {env}).").format(
                env=PASSWORD_ENV), file=sys.stderr)
    return 0


def cmd_team_trust(args) -> int:
    from wtdc_desktop.team import trust

    with open_store(args) as store:
        done = trust(store, args.member, args.fingerprint, password_prompt=_prompt)
    if args.json:
        print_json(done)
    else:
        print(_("{member}'s key {fingerprint} is trusted: its bundles are merged from now on.").format(
            member=done["member"], fingerprint=done["fingerprint"]))
    return 0


def cmd_team_members(args) -> int:
    from wtdc_desktop.errors import WtdcError
    from wtdc_desktop.team import is_joined, members, refresh

    with open_store(args) as store:
        if not is_joined(store):
            members(store)  # raises the one sentence that says how to join
        try:
            refresh(store, password_prompt=_prompt)
        except WtdcError as exc:  # the location cannot be read now: what is known here
            print(exc.message, file=sys.stderr)
        items = members(store)
    if args.json:
        print_json(items)
        return 0
    print_table([_("member"), _("fingerprint"), _("trusted"), _("last seen"), _("sequence")],
                [[item["name"] + (" *" if item["me"] else ""), item["fingerprint"] or "",
                  _("yes") if item["trusted"] else _("no"), fmt_when(item["last_seen"]) if item["last_seen"] else "",
                  item["last_sequence"] or ""] for item in items])
    return 0


def cmd_team_leave(args) -> int:
    from wtdc_desktop.team import leave

    with open_store(args) as store:
        done = leave(store)
    if args.json:
        print_json(done)
    else:
        print(_("Left the team at {location}; the delegation's records stay here.").format(location=done["location"]))
    return 0


def cmd_team_sync(args) -> int:
    from wtdc_desktop.team import sync

    with open_store(args, create=True) as store:
        result = sync(store, password_prompt=_prompt)
    if args.json:
        print_json(result.as_dict())
        return 0 if result.ok else 3
    if result.published:
        p = result.published
        counts = p["counts"]
        # Translators: the counts are "2 positions", "1 note", "3 assignments", each already with its noun.
        print(_("Published sequence {sequence} ({kind}): {positions}, {notes}, {assignments}.").format(
            sequence=p["sequence"], kind=p["kind"],
            positions=ngettext("{count} position", "{count} positions", counts["position"]).format(
                count=counts["position"]),
            notes=ngettext("{count} note", "{count} notes", counts["note"]).format(count=counts["note"]),
            assignments=ngettext("{count} assignment", "{count} assignments", counts["assignment"]).format(
                count=counts["assignment"])))
    else:
        print(_("Nothing new to publish."))
    rows = [[m.name, m.outcome, ", ".join(str(s) for s in m.sequences), m.conflicts] for m in result.members]
    if rows:
        print_table([_("member"), _("outcome"), _("sequences read"), _("conflicts")], rows)
    for item in result.new_members:
        print(_("{member} lists the key {fingerprint}, not trusted here yet: team trust {member} --fingerprint "
                "\"{fingerprint}\" once checked.").format(member=item["name"], fingerprint=item["fingerprint"]),
              file=sys.stderr)
    for problem in result.problems + [p for m in result.members for p in m.problems]:
        print(problem, file=sys.stderr)
    if result.conflicts:
        print(ngettext(
            "{count} record was changed both here and by a colleague: both versions are kept; see “conflicts”.",
            "{count} records were changed both here and by a colleague: both versions are kept; see “conflicts”.",
            result.conflicts).format(count=result.conflicts), file=sys.stderr)
    return 0 if result.ok else 3


def register(sub, add, common) -> None:
    """Add the ``team`` commands to the main parser."""
    team = sub.add_parser("team", help=_("share the delegation's work through a shared folder or a WebDAV server"),
                          parents=[common])
    team_sub = team.add_subparsers(dest="team_command", metavar=_("COMMAND"), required=True)

    def cmd(name: str, help_text: str, func):
        p = team_sub.add_parser(name, help=help_text, parents=[common], description=help_text)
        p.set_defaults(func=func)
        p.add_argument("--json", action="store_true", help=_("print JSON instead of a table"))
        return p

    p = cmd("join", _("join (or start) the team at a shared folder or a WebDAV address"), cmd_team_join)
    p.add_argument("location", help=_("a folder (synced or shared) or an https WebDAV address"))
    p.add_argument("--member", required=True, help=_("your name in the team (letters, digits, dots, hyphens)"))
    p.add_argument("--sign-key", help=_("sign with this Ed25519 private key file (default: a new key in the data folder)"))
    p.add_argument("--delegation", help=_("the delegation, e.g. KEN (needed only to start a team)"))
    p.add_argument("--user", help=_("WebDAV user name (the password is kept in the system keyring)"))
    p.add_argument("--yes", action="store_true",
                   help=_("trust every member key listed now, without asking (only when the fingerprints were checked)"))
    p = cmd("trust", _("trust a member's key after checking its fingerprint with them"), cmd_team_trust)
    p.add_argument("member")
    p.add_argument("--fingerprint", required=True, help=_("the fingerprint the member read out to you"))
    cmd("members", _("list the team's members: fingerprint, trusted, last seen"), cmd_team_members)
    cmd("leave", _("leave the team (the delegation's records stay)"), cmd_team_leave)
    cmd("sync", _("publish your changes to the team and merge the other members' changes"), cmd_team_sync)
