"""Publishing bundles as a feed for a web server (``publish BUNDLE... --to FOLDER``)."""

from __future__ import annotations

from pathlib import Path

from wtdc_desktop.cli.output import fmt_number, print_json, print_table, trust_key_arg
from wtdc_desktop.i18n import _, ngettext


def cmd_publish(args) -> int:
    from wtdc_desktop.bundles.publish import publish

    result = publish([Path(b) for b in args.bundles], Path(args.to), trust_key=trust_key_arg(args))
    if args.json:
        print_json(result.as_dict())
        return 0
    count = len(result.published)
    print(ngettext("Published {count} bundle of {publisher}/{channel} to {folder}.",
                   "Published {count} bundles of {publisher}/{channel} to {folder}.", count).format(
        count=fmt_number(count), publisher=result.publisher, channel=result.channel, folder=result.folder))
    kinds = {"full": _("full"), "delta": _("delta")}
    print_table([_("sequence"), _("kind"), _("file"), _("bytes")],
                [[e["sequence"], kinds.get(e["kind"], e["kind"]), e["url"], fmt_number(e["size"])]
                 for e in result.listed])
    print(_("The feed {feed} lists these bundles; serve the folder and give its address to delegates.").format(
        feed=result.feed))
    if result.unlisted:
        print(_("No longer listed (left in place, may be removed once readers have moved on): {files}").format(
            files=", ".join(result.unlisted)))
    for note in result.notes:
        print(note)
    return 0


def register(sub, add, common) -> None:
    """Add this command to the main parser (``add`` is parser.build_parser's helper)."""
    p = add("publish", _("place bundles in a folder and write its feed, for a web server (for publishers)"),
            cmd_publish)
    p.epilog = _("Each bundle is verified first; one whose sequence is not newer than those the feed lists is refused, and then nothing in the folder changes.")
    p.add_argument("bundles", nargs="+", metavar=_("BUNDLE"), help=_("a bundle file (.wtdc.zip) to publish"))
    p.add_argument("--to", required=True, metavar=_("FOLDER"),
                   help=_("the folder to serve: the bundles and feed.json are written there"))
    p.add_argument("--trust", metavar=_("PUBKEYFILE"), help=_("require a signature by this public key"))
