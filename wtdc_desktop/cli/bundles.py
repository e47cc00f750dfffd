"""Bundles for publishers and their keys (``bundle build|keygen|verify``, ``trust list|add|remove``)."""

from __future__ import annotations

from pathlib import Path

from wtdc_desktop.cli.output import fmt_number, open_store, print_json, print_table, trust_key_arg, workspace
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import _


def cmd_bundle_build(args) -> int:
    from wtdc_desktop.bundles.signing import load_private_key
    from wtdc_desktop.bundles.writer import Header, build_bundle, build_delta

    header = Header(publisher_id=args.publisher, publisher_name=args.publisher_name, channel=args.channel,
                    sequence=args.sequence, kind=args.kind, created_at=args.created_at, expires_at=args.expires_at)
    key = load_private_key(args.sign_key) if args.sign_key else None
    if args.delta_from:
        if args.kind == "full":
            raise WtdcError(_("--delta-from writes a delta; it cannot be combined with --kind full."))
        manifest = build_delta(Path(args.src), Path(args.out), Path(args.delta_from), header, sign_key=key)
    else:
        manifest = build_bundle(Path(args.src), Path(args.out), header, sign_key=key)
    records = sum(r["count"] for r in manifest["records"])
    print(_("Wrote {out}: {publisher}/{channel} sequence {sequence}, {records} records, {files} files.").format(
        out=args.out, publisher=manifest["publisher"].get("id"), channel=manifest["channel"],
        sequence=manifest["sequence"], records=fmt_number(records), files=fmt_number(len(manifest["files"]))))
    return 0


def cmd_bundle_keygen(args) -> int:
    from wtdc_desktop.bundles.signing import generate_key

    private, public, fingerprint = generate_key(Path(args.out))
    print(_("Wrote the private key {private} (keep it secret) and the public key {public}.").format(
        private=private, public=public))
    print(_("Fingerprint: {fingerprint}").format(fingerprint=fingerprint))
    return 0


def _pinned_key(args, publisher: str):
    """The key pinned for a publisher in the store, without creating a store that does not exist."""
    from wtdc_desktop.store import Store, trust
    from wtdc_desktop.store.db import STORE_FILENAME, default_data_dir

    from wtdc_desktop.bundles.signing import configured_key, fingerprint

    data_dir = Path(args.data_dir) if args.data_dir else default_data_dir()
    configured = configured_key(data_dir, publisher)
    if configured is not None:
        return trust.TrustedKey(publisher, configured, fingerprint(configured), "config", "")
    if not (data_dir / STORE_FILENAME).is_file():
        return None
    with Store(data_dir) as store:
        return trust.get_key(store, publisher)


def _instant_text(iso: str) -> str:
    from wtdc_desktop.instants import format_datetime

    return format_datetime(iso, fmt="long")


def cmd_bundle_verify(args) -> int:
    from wtdc_desktop.bundles.reader import Bundle
    from wtdc_desktop.bundles.signing import check_bundle_signature

    given = trust_key_arg(args)
    with Bundle(Path(args.file)) as bundle:
        m = bundle.manifest
        pinned = _pinned_key(args, m.publisher_id)
        required = given if given is not None else (pinned.public_key if pinned else None)
        signer = check_bundle_signature(bundle, required)
        bundle.verify()
        counts: dict[str, int] = {}
        for member in bundle.record_members():
            counts[member.type] = sum(1 for _line in bundle.iter_records(member))
        files = len(m.files)
        size = sum(f.size for f in m.files)
    key_pinned = bool(signer and signer.public_key and pinned and pinned.public_key == signer.public_key)
    if args.json:
        print_json({
            "valid": True, "bundle": str(args.file), "publisher": m.publisher_id, "publisher_name": m.publisher_name,
            "channel": m.channel, "sequence": m.sequence, "kind": m.kind, "base_sequence": m.base_sequence,
            "created_at": m.created_at, "expires_at": m.expires_at, "counts": counts,
            "deletions": len(m.deletions), "files": files, "files_size": size, "signed": signer is not None,
            "signed_by": signer.fingerprint if signer else None,
            "public_key": signer.public_key_b64 if signer else None, "key_pinned": key_pinned,
            "pinned_key": pinned.fingerprint if pinned else None,
        })
        return 0
    print(_("{file} is a valid bundle.").format(file=args.file))
    kind = _("full") if m.kind == "full" else _("delta on sequence {base}").format(base=m.base_sequence)
    rows = [
        [_("publisher"), m.publisher_id + (f" ({m.publisher_name})" if m.publisher_name else "")],
        [_("channel"), m.channel],
        [_("sequence"), m.sequence],
        [_("kind"), kind],
        [_("created"), _instant_text(m.created_at)],
        [_("expires"), _instant_text(m.expires_at) if m.expires_at else "-"],
        [_("files"), _("{count} ({size} bytes)").format(count=fmt_number(files), size=fmt_number(size))],
        [_("deletions"), fmt_number(len(m.deletions))],
    ]
    rows += [[t, fmt_number(n)] for t, n in counts.items()]
    if signer is None:
        signed = _("unsigned")
    elif signer.fingerprint is None:
        signed = _("signed with a key the bundle does not name (not checked)")
    elif key_pinned:
        signed = _("{fingerprint} (trusted)").format(fingerprint=signer.fingerprint)
    elif given is not None:
        signed = _("{fingerprint} (the key given, not pinned)").format(fingerprint=signer.fingerprint)
    else:
        signed = _("{fingerprint} (not trusted yet)").format(fingerprint=signer.fingerprint)
    rows.append([_("signed by"), signed])
    if pinned is not None and not key_pinned:
        rows.append([_("pinned key"), pinned.fingerprint])
    print_table([_("field"), _("value")], rows)
    return 0


def cmd_trust_list(args) -> int:
    from wtdc_desktop.store import trust

    with open_store(args) as store:
        keys = trust.list_keys(store)
    if args.json:
        print_json([k.as_dict() for k in keys])
        return 0
    if not keys:
        print(_("No publisher key is pinned: bundles are accepted signed or unsigned."))
        return 0
    from wtdc_desktop.instants import format_datetime

    origins = {"config": _("configuration"), "user": _("trusted by the user"), "cli": _("command line")}

    def when(iso):
        return format_datetime(iso, fmt="short")

    print_table([_("publisher"), _("fingerprint"), _("origin"), _("added")],
                 [[k.publisher, k.fingerprint, origins.get(k.origin, k.origin), when(k.added_at)] for k in keys])
    return 0


def cmd_trust_add(args) -> int:
    from wtdc_desktop.bundles.manifest import pinnable_publisher_problem
    from wtdc_desktop.bundles.signing import fingerprint, load_public_key
    from wtdc_desktop.store import trust

    problem = pinnable_publisher_problem(args.publisher)
    if problem is not None:
        raise WtdcError(problem)
    raw = load_public_key(args.keyfile)
    new = fingerprint(raw)
    # what is about to be pinned, before it is
    print_table([_("field"), _("value")], [[_("publisher"), args.publisher], [_("fingerprint"), new]])
    with open_store(args, create=True) as store:
        previous = trust.get_key(store, args.publisher)
        if previous is not None and previous.public_key == raw:
            print(_("This key is already pinned for {publisher}; nothing changed.").format(publisher=args.publisher))
            return 0
        if previous is not None and not args.replace:
            raise WtdcError(_("The key {old} is already pinned for {publisher}. Replacing it with {new} is refused "
                              "unless you give --replace (check the new fingerprint with the publisher first).").format(
                old=previous.fingerprint, publisher=args.publisher, new=new))
        workspace(store).trust_key(args.publisher, raw, origin="cli")
    if previous is not None:
        print(_("The key {old} pinned for {publisher} is replaced by {new}.").format(
            old=previous.fingerprint, publisher=args.publisher, new=new))
    print(_("Pinned the key {fingerprint} for {publisher}: its bundles must now be signed with it.").format(
        fingerprint=new, publisher=args.publisher))
    return 0


def cmd_trust_remove(args) -> int:
    from wtdc_desktop.store import trust

    with open_store(args) as store:
        removed = trust.remove_key(store, args.publisher)
    if not removed:
        raise WtdcError(_("No key is pinned for the publisher “{publisher}”.").format(publisher=args.publisher))
    print(_("The key of {publisher} is no longer pinned.").format(publisher=args.publisher))
    return 0


def register(sub, add, common) -> None:
    """Add these commands to the main parser (``add`` is parser.build_parser's helper)."""

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
    p.add_argument("--sign-key", metavar=_("KEYFILE"), help=_("sign the bundle with this private key"))
    p.add_argument("--delta-from", metavar=_("OLD_BUNDLE"),
                   help=_("write a delta holding only what changed since this full bundle"))
    p = bundle_sub.add_parser("keygen", help=_("make a signing key pair"), parents=[common])
    p.set_defaults(func=cmd_bundle_keygen)
    p.add_argument("--out", required=True, metavar=_("KEYFILE"),
                   help=_("the private key file to write; the public key goes to KEYFILE.pub"))
    p = bundle_sub.add_parser("verify", help=_("check a bundle and summarise it, without applying it"),
                              parents=[common])
    p.set_defaults(func=cmd_bundle_verify)
    p.add_argument("file", help=_("a .wtdc.zip bundle or a bundle folder"))
    p.add_argument("--trust", metavar=_("PUBKEYFILE"), help=_("require a signature by this public key"))
    p.add_argument("--json", action="store_true", help=_("print JSON instead of a table"))

    trust_parser = sub.add_parser("trust", help=_("publisher keys pinned in this store"), parents=[common])
    trust_sub = trust_parser.add_subparsers(dest="trust_command", metavar=_("COMMAND"), required=True)
    p = trust_sub.add_parser("list", help=_("list the pinned publisher keys"), parents=[common])
    p.set_defaults(func=cmd_trust_list)
    p.add_argument("--json", action="store_true", help=_("print JSON instead of a table"))
    p = trust_sub.add_parser("add", help=_("pin a publisher's public key"), parents=[common])
    p.set_defaults(func=cmd_trust_add)
    p.add_argument("publisher", help=_("publisher id, as in the bundles' manifest"))
    p.add_argument("keyfile", metavar=_("PUBKEYFILE"), help=_("the publisher's public key file"))
    p.add_argument("--replace", action="store_true",
                   help=_("replace the key already pinned for this publisher (a deliberate change of key)"))
    p = trust_sub.add_parser("remove", help=_("unpin a publisher's key"), parents=[common])
    p.set_defaults(func=cmd_trust_remove)
    p.add_argument("publisher")
