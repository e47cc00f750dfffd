"""The command line: the same features as the window, for publishers, scripts and tests.

``wtdc-desktop`` with no command opens the window.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from wtdc_desktop import __version__
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import N_, _, current_language, ngettext, set_language
from wtdc_desktop.resources import DEMO_BUNDLE, demo_bundle_path  # noqa: F401 - DEMO_BUNDLE for scripts

log = logging.getLogger(__name__)



# --- output helpers ----------------------------------------------------------------

def _fmt_number(n: int) -> str:
    from babel.numbers import format_decimal

    return format_decimal(n, locale=current_language())


def _print_json(value) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _print_table(headers: list[str], rows: list[list], max_width: int = 60) -> None:
    cells = [[("" if c is None else str(c)).replace("\n", " ") for c in row] for row in rows]
    cells = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in row] for row in cells]
    widths = [max([len(h)] + [len(row[i]) for row in cells]) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip())
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())


def _open_store(args):
    from wtdc_desktop.store import Store

    return Store(args.data_dir)


def _workspace(store):
    from wtdc_desktop.workspace import Workspace

    return Workspace(store)


# --- commands ---------------------------------------------------------------------------

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
    rows = [[t, _fmt_number(c["new"]), _fmt_number(c["changed"]), _fmt_number(c["withdrawn"]),
             _fmt_number(c["unchanged"])] for t, c in result.counts.items()]
    _print_table([_("type"), _("new"), _("changed"), _("withdrawn"), _("unchanged")], rows)
    for warning in result.warnings:
        print(_("warning: {message}").format(message=warning), file=sys.stderr)


def cmd_demo(args) -> int:
    with _open_store(args) as store:
        result = _workspace(store).load_demo().value
    if args.json:
        _print_json({"outcome": result.outcome, "counts": result.counts})
    else:
        _print_apply(result)
    return 0


def _data_dir(args) -> Path:
    from wtdc_desktop.store.db import default_data_dir

    return Path(args.data_dir) if args.data_dir else default_data_dir()


def _fmt_when(iso: str | None) -> str:
    """A stored UTC instant, shown in the laptop's zone."""
    if not iso:
        return ""
    import datetime as dt

    from babel.dates import format_datetime

    local = dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone()
    return format_datetime(local, "short", tzinfo=local.tzinfo, locale=current_language())


def _sync_options(args):
    from wtdc_desktop.bundles.sources import SyncOptions

    options = SyncOptions(force=args.force, progress=_progress_printer() if not args.json else None)
    trust_key = _trust_key_arg(args)
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
            done=_fmt_number(done), total=_fmt_number(total)), end=end, file=sys.stderr, flush=True)

    return show


def _apply_json(result) -> dict:
    return {"outcome": result.outcome, "publisher": result.publisher, "channel": result.channel,
            "sequence": result.sequence, "kind": result.kind, "counts": result.counts,
            "warnings": result.warnings, "signed_by": result.signer_fingerprint,
            "key_pinned": result.signer_key_pinned}


_OUTCOMES = {
    "applied": N_("applied"), "up_to_date": N_("up to date"), "refused": N_("refused"),
    "unreachable": N_("unreachable"), "cancelled": N_("cancelled"), "failed": N_("failed"),
}


def _print_source_result(result) -> None:
    for note in result.notes:
        print(_("note: {message}").format(message=note), file=sys.stderr)
    for applied in result.applied:
        _print_apply(applied)
    if result.ok and not any(a.outcome == "applied" for a in result.applied) and result.kind != "bundle":
        print(_("{source}: {message}").format(source=result.location, message=result.message))


def cmd_sync(args) -> int:
    from wtdc_desktop.bundles.sources import sync_source
    from wtdc_desktop.store.lock import SyncLock

    if args.watch:
        return _sync_watch(args)
    if args.source is None:
        return _sync_remembered(args)
    options = _sync_options(args)
    with SyncLock(_data_dir(args)):
        with _open_store(args) as store:
            result = sync_source(store, args.source, options)
    if result.kind == "bundle":
        if result.error is not None:
            raise result.error
        if args.json:
            _print_json(_apply_json(result.applied[0]))
        else:
            _print_apply(result.applied[0])
        return 0
    if args.json:
        _print_json(result.as_dict())
    else:
        _print_source_result(result)
    if result.error is not None:
        if args.json:  # the JSON says what happened; the sentence goes to stderr
            print(_("error: {message}").format(message=result.error.message), file=sys.stderr)
            return result.error.exit_code or 1
        raise result.error
    return 0


def _sync_remembered(args) -> int:
    from wtdc_desktop.bundles.scheduler import sync_all
    from wtdc_desktop.store import sources

    from wtdc_desktop.store import agenda as store_agenda

    with _open_store(args) as store:
        if not sources.list_sources(store) and not store_agenda.schedule_sources(store):
            raise WtdcError(_("No source is remembered in {path}; give a SOURCE or add one with “sources add LOCATION”.").format(
                path=store.path))
    results = sync_all(_data_dir(args), options=_sync_options(args),
                       on_source=None if args.json else _print_source_result)
    failed = [r for r in results if r.error is not None]
    if args.json:
        _print_json([r.as_dict() for r in results])
    for r in failed:
        print(_("error: {message}").format(message=r.error.message), file=sys.stderr)
    return (failed[0].error.exit_code or 1) if failed else 0


def _sync_watch(args) -> int:
    from wtdc_desktop.bundles.scheduler import Scheduler

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

    scheduler = Scheduler(_data_dir(args), interval_minutes=args.interval, options=_sync_options(args),
                          on_result=report)
    if not args.json:
        print(_("Syncing the remembered sources every {minutes} minutes; press Ctrl-C to stop.").format(
            minutes=_fmt_number(args.interval)), flush=True)
    try:
        scheduler.run(on_busy=busy)
    except KeyboardInterrupt:
        if not args.json:
            print(_("Stopped."))
    return 0


def cmd_sources_add(args) -> int:
    from wtdc_desktop.bundles.sources import check_url, is_url, normalize_location, source_kind
    from wtdc_desktop.store import sources

    location = normalize_location(args.location)
    if is_url(location):
        check_url(location)
    elif not Path(location).exists():
        raise WtdcError(_("{path} does not exist; give a bundle file, a folder of bundles or an https feed address.").format(
            path=location))
    kind = source_kind(location)
    with _open_store(args) as store:
        added = sources.add_source(store, location, kind)
    if added:
        print(_("Added the source {location} ({kind}).").format(location=location, kind=kind))
    else:
        print(_("The source {location} was already remembered.").format(location=location))
    return 0


def cmd_sources_list(args) -> int:
    from wtdc_desktop.store import sources

    with _open_store(args) as store:
        rows = sources.list_sources(store)
    if args.json:
        _print_json([{k: v for k, v in r.as_dict().items() if k not in ("etag", "last_modified")} for r in rows])
        return 0
    if not rows:
        print(_("No source is remembered; add one with “sources add LOCATION”."))
        return 0
    _print_table([_("source"), _("kind"), _("last checked"), _("outcome"), _("message")],
                 [[r.location, r.kind, _fmt_when(r.last_checked),
                   _(_OUTCOMES[r.last_outcome]) if r.last_outcome in _OUTCOMES else (r.last_outcome or ""),
                   r.last_message] for r in rows], max_width=70)
    return 0


def cmd_sources_remove(args) -> int:
    from wtdc_desktop.bundles.sources import normalize_location
    from wtdc_desktop.store import sources

    with _open_store(args) as store:
        removed = sources.remove_source(store, args.location) or sources.remove_source(
            store, normalize_location(args.location))
    if not removed:
        raise WtdcError(_("{location} is not a remembered source; see “sources list”.").format(location=args.location))
    print(_("Removed the source {location}.").format(location=args.location))
    return 0


def cmd_backups(args) -> int:
    from wtdc_desktop.store import backup

    backups = backup.list_backups(_data_dir(args))
    with _open_store(args) as store:
        syncs_of = {b.before_sync: backup.sync_summary(store, b.before_sync) for b in backups}
    if args.json:
        _print_json([{**b.as_dict(), "sync": syncs_of.get(b.before_sync)} for b in backups])
        return 0
    if not backups:
        print(_("No backup yet: one is taken before each sync that applies a bundle."))
        return 0

    def bundle_of(sync) -> str:
        if not sync or not sync.get("publisher"):
            return ""
        return f"{sync['publisher']}/{sync['channel']} {sync['sequence']}"

    _print_table([_("backup"), _("when"), _("size"), _("before sync"), _("bundle")],
                 [[b.name, _fmt_when(b.created_at), _("{size} bytes").format(size=_fmt_number(b.size)),
                   b.before_sync, bundle_of(syncs_of.get(b.before_sync))] for b in backups], max_width=70)
    return 0


def cmd_restore(args) -> int:
    from wtdc_desktop.store import backup

    result = backup.restore_backup(_data_dir(args), args.backup)
    print(_("Restored {name}; the state before the restore was kept as {safety}.").format(
        name=result.restored.name, safety=result.safety.name))
    return 0


def cmd_stats(args) -> int:
    from wtdc_desktop.store import queries, syncs

    with _open_store(args) as store:
        counts = queries.counts(store)
        channels = syncs.all_channel_states(store)
        stale = {(c.publisher, c.channel) for c in syncs.stale_channels(store)}
    if args.json:
        _print_json({
            "counts": counts,
            "channels": [{"publisher": c.publisher, "channel": c.channel, "sequence": c.last_sequence,
                          "expires_at": c.expires_at, "stale": (c.publisher, c.channel) in stale}
                         for c in channels],
        })
        return 0
    _warn_stale(channels, stale)
    _print_table([_("type"), _("records")], [[t, _fmt_number(n)] for t, n in counts.items()])
    if channels:
        print()
        _print_table([_("publisher"), _("channel"), _("sequence")],
                     [[c.publisher, c.channel, c.last_sequence] for c in channels])
    return 0


_LIST_COLUMNS = {
    "region": ["id", "name"],
    "organization": ["id", "kind", "region", "name"],
    "meeting": ["id", "kind", "starts_on", "ends_on", "city", "title"],
    "committee": ["id", "meeting", "kind", "name"],
    "document": ["id", "date", "source", "title"],
    "resolution": ["id", "revision", "status", "title"],
    "question": ["id", "study_group", "status", "title"],
    "proposal": ["id", "action", "target", "status", "title"],
    "session": ["id", "starts_at", "ends_at", "room", "status", "title"],
    "contact": ["id", "name", "organization", "region", "email"],
    "priority": ["id", "region", "estimated_cost", "title"],
    "deadline": ["id", "due", "meeting", "title"],
}


def _cell(value) -> str:
    if isinstance(value, dict):
        if "amount" in value:
            return f"{_fmt_number(value['amount'])} {value.get('currency') or ''}".strip()
        if "type" in value and "id" in value:
            return f"{value['type']} {value['id']}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def cmd_list(args) -> int:
    from wtdc_desktop.domain.records import DELEGATION_TYPES, PUBLISHED_TYPES
    from wtdc_desktop.store import delegation, queries

    with _open_store(args) as store:
        if args.type == "position":
            records = delegation.list_positions(store)
        elif args.type in PUBLISHED_TYPES:
            records = queries.list_records(store, args.type, include_withdrawn=args.include_withdrawn,
                                           meeting=args.meeting)
        else:
            choices = ", ".join([*PUBLISHED_TYPES, *[t for t in DELEGATION_TYPES if t == "position"]])
            raise WtdcError(_("“{type}” is not a record type; choose one of: {choices}.").format(
                type=args.type, choices=choices))
    if args.json:
        _print_json(records)
        return 0
    columns = _LIST_COLUMNS.get(args.type, ["id", "subject", "stance", "status", "owner"])
    _print_table(columns, [[_cell(r.get(c)) for c in columns] for r in records])
    return 0


def cmd_search(args) -> int:
    from wtdc_desktop.store import queries

    with _open_store(args) as store:
        hits = queries.search(store, args.query, types=tuple(args.type) if args.type else None, limit=args.limit)
    if args.json:
        _print_json([{k: v for k, v in h.as_dict().items() if k != "rank"} for h in hits])
        return 0
    if not hits:
        print(_("No results for “{query}”.").format(query=args.query))
        return 0
    _print_table([_("type"), _("id"), _("title"), _("extract")], [[h.type, h.id, h.title, h.snippet] for h in hits])
    return 0


def cmd_history(args) -> int:
    from wtdc_desktop.store import queries

    with _open_store(args) as store:
        current = queries.get_record(store, args.type, args.id)
        if current is None:
            raise WtdcError(_("There is no {type} “{id}” in the store.").format(type=args.type, id=args.id))
        versions = queries.record_history(store, args.type, args.id)
    _print_json({"current": current, "earlier_versions": versions})
    return 0


def cmd_symbol(args) -> int:
    from wtdc_desktop.domain.symbols import parse_symbol

    symbol = parse_symbol(args.symbol)
    value = {"identity": symbol.identity, "meeting": symbol.meeting, "number": symbol.number,
             "revision": symbol.revision, "addendum": symbol.addendum, "corrigendum": symbol.corrigendum,
             "language": symbol.language}
    if args.json:
        _print_json(value)
    else:
        _print_table([_("field"), _("value")], [[k, v] for k, v in value.items()])
    return 0


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
        sequence=manifest["sequence"], records=_fmt_number(records), files=_fmt_number(len(manifest["files"]))))
    return 0


def cmd_changes(args) -> int:
    from wtdc_desktop.store import changes

    if args.since is not None and args.since < 0:
        raise WtdcError(_("--since must be a sync number (0 or more), not {value}.").format(value=args.since))
    with _open_store(args) as store:
        items = changes.changes_since(store, args.since, types=args.type, limit=args.limit)
    if args.json:
        _print_json(items)
        return 0
    if not items:
        print(_("Nothing changed."))
        return 0
    labels = {"new": _("new"), "changed": _("changed"), "withdrawn": _("withdrawn"), "restored": _("restored")}
    _print_table([_("mine"), _("change"), _("type"), _("id"), _("title"), _("fields")],
                 [["*" if i["mine"] else "", labels[i["change"]], i["type"], i["id"], i["title"],
                   ", ".join(i["fields"])] for i in items])
    return 0


def cmd_sync_log(args) -> int:
    from wtdc_desktop.store import syncs

    with _open_store(args) as store:
        entries = syncs.sync_log(store, limit=args.limit)
    if args.json:
        _print_json(entries)
        return 0

    import datetime as dt

    from babel.dates import format_datetime

    def total(counts, key):
        return _fmt_number(sum(c.get(key, 0) for c in (counts or {}).values()))

    def when(iso):  # stored in UTC, shown in the laptop's zone
        local = dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone()
        return format_datetime(local, "short", tzinfo=local.tzinfo, locale=current_language())

    _print_table([_("sync"), _("when"), _("source"), _("sequence"), _("outcome"), _("new"), _("changed"),
                  _("withdrawn"), _("message")],
                 [[e["sync_id"], when(e["started_at"]), e["source"], e["sequence"], e["outcome"],
                   total(e["counts"], "new"), total(e["counts"], "changed"), total(e["counts"], "withdrawn"),
                   e["message"]] for e in entries])
    return 0


def _trust_key_arg(args) -> bytes | None:
    """The public key given with --trust, read from its file."""
    from wtdc_desktop.bundles.signing import load_public_key

    path = getattr(args, "trust", None)
    return load_public_key(path) if path else None


def _warn_stale(channels, stale) -> None:
    from wtdc_desktop.bundles.apply import expiry_warning

    for c in channels:
        if (c.publisher, c.channel) in stale:
            warning = expiry_warning(c.expires_at, f"{c.publisher}/{c.channel}")
            if warning:
                print(_("warning: {message}").format(message=warning), file=sys.stderr)


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
    import datetime as dt

    from wtdc_desktop.bundles.apply import format_instant

    return format_instant(dt.datetime.fromisoformat(iso.replace("Z", "+00:00")))


def cmd_bundle_verify(args) -> int:
    from wtdc_desktop.bundles.reader import Bundle
    from wtdc_desktop.bundles.signing import check_bundle_signature, fingerprint

    given = _trust_key_arg(args)
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
        _print_json({
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
        [_("files"), _("{count} ({size} bytes)").format(count=_fmt_number(files), size=_fmt_number(size))],
        [_("deletions"), _fmt_number(len(m.deletions))],
    ]
    rows += [[t, _fmt_number(n)] for t, n in counts.items()]
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
    _print_table([_("field"), _("value")], rows)
    return 0


def cmd_trust_list(args) -> int:
    from wtdc_desktop.store import trust

    with _open_store(args) as store:
        keys = trust.list_keys(store)
    if args.json:
        _print_json([k.as_dict() for k in keys])
        return 0
    if not keys:
        print(_("No publisher key is pinned: bundles are accepted signed or unsigned."))
        return 0
    import datetime as dt

    from babel.dates import format_datetime

    origins = {"config": _("configuration"), "user": _("trusted by the user"), "cli": _("command line")}

    def when(iso):
        local = dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone()
        return format_datetime(local, "short", tzinfo=local.tzinfo, locale=current_language())

    _print_table([_("publisher"), _("fingerprint"), _("origin"), _("added")],
                 [[k.publisher, k.fingerprint, origins.get(k.origin, k.origin), when(k.added_at)] for k in keys])
    return 0


def cmd_trust_add(args) -> int:
    from wtdc_desktop.bundles.signing import fingerprint, load_public_key
    from wtdc_desktop.store import trust

    raw = load_public_key(args.keyfile)
    with _open_store(args) as store:
        previous = trust.get_key(store, args.publisher)
        trust.pin_key(store, args.publisher, raw, fingerprint(raw), origin="cli")
    if previous is not None and previous.public_key != raw:
        print(_("The key {old} pinned for {publisher} is replaced.").format(
            old=previous.fingerprint, publisher=args.publisher))
    print(_("Pinned the key {fingerprint} for {publisher}: its bundles must now be signed with it.").format(
        fingerprint=fingerprint(raw), publisher=args.publisher))
    return 0


def cmd_trust_remove(args) -> int:
    from wtdc_desktop.store import trust

    with _open_store(args) as store:
        removed = trust.remove_key(store, args.publisher)
    if not removed:
        raise WtdcError(_("No key is pinned for the publisher “{publisher}”.").format(publisher=args.publisher))
    print(_("The key of {publisher} is no longer pinned.").format(publisher=args.publisher))
    return 0


def cmd_export_delegation(args) -> int:
    from wtdc_desktop.bundles.delegation import export_delegation

    with _open_store(args) as store:
        result = export_delegation(store, Path(args.out), delegation=args.delegation, sign_key=args.sign_key,
                                   sequence=args.sequence)
    if args.json:
        _print_json({"path": result.path, "publisher": result.publisher, "channel": result.channel,
                     "sequence": result.sequence, "counts": result.counts, "signed_by": result.signed_by})
        return 0
    print(_("Wrote {out}: {publisher}/{channel} sequence {sequence}, {positions} positions, {notes} notes, {assignments} assignments.").format(
        out=result.path, publisher=result.publisher, channel=result.channel, sequence=result.sequence,
        positions=_fmt_number(result.counts["position"]), notes=_fmt_number(result.counts["note"]),
        assignments=_fmt_number(result.counts["assignment"])))
    if result.signed_by:
        print(_("Signed with the key {fingerprint}.").format(fingerprint=result.signed_by))
    return 0


def cmd_import_delegation(args) -> int:
    from wtdc_desktop.bundles.delegation import import_delegation

    trust_key = _trust_key_arg(args)
    with _open_store(args) as store:
        result = import_delegation(store, Path(args.file), source=args.file, force=args.force, trust_key=trust_key)
    if args.json:
        _print_json(result.as_dict())
        return 0
    if result.outcome == "already_applied":
        print(_("{publisher}/{channel} sequence {sequence} is already imported; nothing changed.").format(
            publisher=result.publisher, channel=result.channel, sequence=result.sequence))
        return 0
    print(_("Imported {publisher}/{channel} sequence {sequence}.").format(
        publisher=result.publisher, channel=result.channel, sequence=result.sequence))
    _print_table([_("type"), _("new"), _("changed"), _("unchanged"), _("conflicts"), _("deleted")],
                 [[t, _fmt_number(c["new"]), _fmt_number(c["changed"]), _fmt_number(c["unchanged"]),
                   _fmt_number(c["conflicts"]), _fmt_number(c["deleted"])] for t, c in result.counts.items()])
    if result.conflicts:
        print(ngettext(
            "{count} record was changed both here and by a colleague: both versions are kept; see “conflicts”.",
            "{count} records were changed both here and by a colleague: both versions are kept; see “conflicts”.",
            len(result.conflicts)).format(count=len(result.conflicts)), file=sys.stderr)
    return 0


def _cli_conflict_providers() -> list:
    """Conflict providers that command-line areas register (the agenda's coverage conflicts)."""
    try:
        from wtdc_desktop.cli_agenda import CONFLICT_PROVIDERS
    except ImportError:
        return []
    return list(CONFLICT_PROVIDERS)


def cmd_conflicts(args) -> int:
    from wtdc_desktop.store.conflicts import all_conflicts

    with _open_store(args) as store:
        items = all_conflicts(store)
        for provider in _cli_conflict_providers():
            items += provider(store)
    if args.json:
        _print_json(items)
        return 0
    if not items:
        print(_("No open conflicts."))
        return 0
    _print_table([_("conflict"), _("kind"), _("type"), _("about"), _("member"), _("from"), _("fields")],
                 [[c.get("conflict_id"), c.get("kind"), c.get("type"),
                   _cell(c.get("subject")) or ", ".join(c.get("sessions") or []) or c.get("id"),
                   c.get("member"), c.get("channel"), ", ".join(c.get("fields") or [])] for c in items])
    return 0


def cmd_resolve_conflict(args) -> int:
    from wtdc_desktop.store.conflicts import RESOLVERS, resolve

    if args.kind not in RESOLVERS:
        raise WtdcError(_("“{kind}” is not a kind of conflict that can be resolved here; choose one of: {choices}.").format(
            kind=args.kind, choices=", ".join(sorted(RESOLVERS))))
    with _open_store(args) as store:
        done = resolve(store, args.kind, args.id, args.keep)
    if args.json:
        _print_json(done)
    elif args.keep == "local":
        print(_("Conflict {id} resolved: the local version of {type} “{record}” is kept.").format(
            id=args.id, type=done.get("type"), record=done.get("id")))
    else:
        print(_("Conflict {id} resolved: the colleague's version of {type} “{record}” is kept.").format(
            id=args.id, type=done.get("type"), record=done.get("id")))
    return 0


def cmd_gui(args) -> int:
    from wtdc_desktop.ui.app import run

    return run(data_dir=args.data_dir, lang=args.lang)


def cmd_self_test(args) -> int:
    from wtdc_desktop.selftest import run_self_test

    return run_self_test()


# --- positions and negotiation ----------------------------------------------------------------

def _whoami(args) -> str | None:
    import getpass

    if getattr(args, "by", None):
        return args.by
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return None


def cmd_position_set(args) -> int:
    from wtdc_desktop.store import positions

    brief = None
    if args.brief_file:
        try:
            brief = Path(args.brief_file).read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise WtdcError(_("Cannot read the brief file {path}: {reason}.").format(
                path=args.brief_file, reason=getattr(exc, "strerror", None) or exc))
    with _open_store(args) as store:
        pid = _workspace(store).set_position(
            args.type, args.id, changed_by=_whoami(args), stance=args.stance, priority=args.priority,
            brief=brief, red_lines=args.red_lines, fallback=args.fallback, owner=args.owner, status=args.status).value
        record = next(p for p in positions.delegation.list_positions(store) if p["id"] == pid)
    if args.json:
        _print_json(record)
    else:
        print(_("Position on {type} {id}: {stance} ({status}).").format(
            type=args.type, id=args.id, stance=record["stance"], status=record["status"]))
    return 0


def _position_when(iso: str) -> str:
    """A UTC instant from the store, shown in the laptop's zone with Babel."""
    import datetime as dt

    from babel.dates import format_datetime

    moment = dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone()
    return format_datetime(moment, "short", tzinfo=moment.tzinfo, locale=current_language())


def cmd_position_history(args) -> int:
    from wtdc_desktop.store import positions

    with _open_store(args) as store:
        history = positions.history_for(store, args.type, args.id)
    if not history:
        raise WtdcError(_("There is no position on {type} “{id}”.").format(type=args.type, id=args.id))
    if args.json:
        _print_json(history)
        return 0
    _print_table([_("when"), _("who"), _("stance"), _("priority"), _("status"), _("owner")],
                 [[_position_when(h["changed_at"]), h.get("changed_by"), h.get("stance"), h.get("priority"),
                   h.get("status"), h.get("owner")] for h in history])
    return 0


def cmd_matrix(args) -> int:
    from wtdc_desktop.domain.matrix import ASSESSMENT_LABELS, COLUMNS
    from wtdc_desktop.store import negotiation

    with _open_store(args) as store:
        rows = negotiation.matrix(store, meeting=args.meeting, committee=args.committee)
    if args.json:
        _print_json([r.as_dict() for r in rows])
        return 0
    used = [c for c in COLUMNS if any(r.cells.get(c) for r in rows)]
    _print_table([_("target"), *used, _("ours"), _("assessment")],
                 [[r.target_id, *["/".join(r.actions(c)) + (f" ×{len(r.cells[c])}" if len(r.cells.get(c, [])) > 1
                                                             else "") for c in used],
                   r.ours or "", _(ASSESSMENT_LABELS[r.assessment])] for r in rows])
    return 0


def cmd_export_brief(args) -> int:
    from wtdc_desktop.store import negotiation

    out = Path(args.out)
    if not out.parent.is_dir():
        raise WtdcError(_("The folder {path} does not exist.").format(path=out.parent))
    with _open_store(args) as store:
        pack = negotiation.brief_pack(store, meeting=args.meeting, committee=args.committee, session=args.session)
    from wtdc_desktop.workspace import write_brief

    write_brief(pack, out, args.format)
    print(_("Wrote {out}: {count} positions.").format(out=out, count=_fmt_number(len(pack["entries"]))))
    return 0


def cmd_export_vcf(args) -> int:
    from wtdc_desktop.exchange.vcard import contacts_to_vcf
    from wtdc_desktop.store import negotiation

    with _open_store(args) as store:
        contacts = negotiation.search_contacts(store, region=args.region,
                                               include_private=args.which in ("all", "private"),
                                               include_published=args.which in ("all", "published"))
    text = contacts_to_vcf(contacts)
    out = Path(args.out)
    from wtdc_desktop.atomic import atomic_write_text

    try:
        atomic_write_text(out, text, "utf-8", newline="")
    except OSError as exc:
        raise WtdcError(_("Could not write {path}: {reason}.").format(path=out, reason=exc.strerror or exc))
    print(_("Wrote {out}: {count} contacts.").format(out=out, count=_fmt_number(len(contacts))))
    return 0


def cmd_import_vcf(args) -> int:
    from wtdc_desktop.exchange.vcard import parse_vcf
    from wtdc_desktop.store import negotiation

    try:
        text = Path(args.file).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise WtdcError(_("Cannot read {path}: {reason}.").format(
            path=args.file, reason=getattr(exc, "strerror", None) or exc))
    contacts = parse_vcf(text, source=str(args.file))
    with _open_store(args) as store:
        ids = negotiation.save_private_contacts(store, contacts)
    if args.json:
        _print_json({"imported": ids})
    else:
        print(_("Imported {count} contacts into the delegation's private contacts.").format(
            count=_fmt_number(len(ids))))
    return 0


def _money(amount: float, currency: str) -> str:
    from babel.numbers import format_currency

    return format_currency(amount, currency, locale=current_language())


def cmd_budget(args) -> int:
    from wtdc_desktop.store import negotiation

    with _open_store(args) as store:
        if args.available:
            amount_text, currency = args.available
            try:
                amount = float(amount_text.replace(",", ""))
            except ValueError:
                raise WtdcError(_("“{value}” is not an amount.").format(value=amount_text)) from None
            negotiation.set_available_budget(store, amount, currency)
        summary = negotiation.budget_summary(store)
        costed = negotiation.costed_proposals(store)
    if args.json:
        value = summary.as_dict()
        value["proposals_with_cost"] = [{"id": p["id"], "cost": p.get("cost"), "regions": p["regions"]}
                                        for p in costed]
        _print_json(value)
        return 0
    rows = []
    for region, per in sorted(summary.by_region.items()):
        for currency, t in sorted(per.items()):
            rows.append([region, _money(t.estimated, currency), _money(t.announced, currency),
                         _money(t.confirmed, currency), _money(t.unfunded, currency)])
    for currency, t in sorted(summary.overall.items()):
        rows.append([_("total"), _money(t.estimated, currency), _money(t.announced, currency),
                     _money(t.confirmed, currency), _money(t.unfunded, currency)])
    _print_table([_("region"), _("estimated"), _("announced"), _("confirmed"), _("unfunded")], rows)
    if summary.available:
        print(_("Available budget: {amount}; after unfunded needs: {balance}.").format(
            amount=_money(*summary.available), balance=_money(summary.balance(), summary.available[1])))
    return 0


def cmd_overlaps(args) -> int:
    from wtdc_desktop.store import negotiation

    with _open_store(args) as store:
        if args.confirm or args.dismiss:
            a, b = args.confirm or args.dismiss
            kinds = []
            for rid in (a, b):
                kind = "question" if store.execute("SELECT 1 FROM question WHERE id = ?", (rid,)).fetchone() \
                    else "resolution"
                kinds.append(kind)
            negotiation.decide_overlap(store, (kinds[0], a), (kinds[1], b),
                                       "confirmed" if args.confirm else "dismissed", decided_by=_whoami(args))
        suggestions = negotiation.overlap_suggestions(store, threshold=args.threshold)
        links = negotiation.declared_links(store)
    if args.json:
        _print_json({"declared": links, "suggestions": suggestions})
        return 0
    if links:
        _print_table([_("from"), _("to"), _("kind")], [[l["from"]["id"], l["to"], l["kind"]] for l in links])
        print()
    if not suggestions:
        print(_("No likely overlap found."))
        return 0
    print(_("Suggestions from title and text similarity (to be checked, not a finding):"))
    _print_table([_("a"), _("b"), _("score"), _("shared words"), _("decision")],
                 [[s["a"]["id"], s["b"]["id"], _fmt_number(round(s["score"], 2)), ", ".join(s["shared_words"]),
                   s["decision"] or ""] for s in suggestions])
    return 0


# --- parser -----------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS,
                        help=_("the folder holding the store (default: the user data folder)"))
    common.add_argument("--lang", default=argparse.SUPPRESS, help=_("interface language: ar, zh, en, fr, ru or es"))

    parser = argparse.ArgumentParser(
        prog="wtdc-desktop",
        description=_("WTDC Desktop: conference material for delegations, offline."),
        parents=[common],
    )
    parser.set_defaults(data_dir=None, lang=None, func=cmd_gui)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--self-test", dest="func", action="store_const", const=cmd_self_test,
                        help=_("check this installation offscreen (store, demo, window, search, export) and exit"))
    sub = parser.add_subparsers(dest="command", metavar=_("COMMAND"))

    def add(name: str, help_text: str, func, json_flag: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, parents=[common], description=help_text)
        p.set_defaults(func=func)
        if json_flag:
            p.add_argument("--json", action="store_true", help=_("print JSON instead of a table"))
        return p

    add("gui", _("open the window (the default)"), cmd_gui, json_flag=False)
    add("demo", _("load the built-in demo content"), cmd_demo)
    p = add("sync", _("apply a bundle, a folder of bundles or a feed; without SOURCE, every remembered source"),
            cmd_sync)
    p.add_argument("source", nargs="?",
                   help=_("a .wtdc.zip bundle, a bundle folder, a folder of bundles or an https feed address"))
    p.add_argument("--force", action="store_true", help=_("apply even an older sequence (rollback)"))
    p.add_argument("--watch", action="store_true",
                   help=_("keep syncing the remembered sources on a schedule until Ctrl-C"))
    p.add_argument("--interval", type=float, default=15.0, metavar=_("MIN"),
                   help=_("minutes between syncs with --watch (default 15)"))
    p.add_argument("--trust", metavar=_("PUBKEYFILE"),
                   help=_("pin this public key for the bundle's publisher; the bundle must be signed with it"))
    add("stats", _("count the records in the store"), cmd_stats)
    p = add("list", _("list the records of one type"), cmd_list)
    p.add_argument("type", help=_("record type, e.g. document, proposal, session"))
    p.add_argument("--meeting", help=_("only this meeting's records"))
    p.add_argument("--include-withdrawn", action="store_true", help=_("also list withdrawn records"))
    p = add("search", _("full-text search over everything"), cmd_search)
    p.add_argument("query")
    p.add_argument("--type", action="append", help=_("only hits of this type (repeatable)"))
    p.add_argument("--limit", type=int, default=50)
    p = add("history", _("show a record with its earlier versions"), cmd_history, json_flag=False)
    p.add_argument("type")
    p.add_argument("id")
    p = add("symbol", _("parse an ITU document symbol"), cmd_symbol)
    p.add_argument("symbol")
    p = add("changes", _("what changed since a sync (the delegation's records first)"), cmd_changes)
    p.add_argument("--since", type=int, help=_("sync number (see sync-log); default: what the last sync changed"))
    p.add_argument("--type", action="append", help=_("only records of this type (repeatable)"))
    p.add_argument("--limit", type=int)
    p = add("sync-log", _("list the syncs: when, source, bundle, outcome, counts"), cmd_sync_log)
    p.add_argument("--limit", type=int, default=50)
    p = add("export-delegation", _("write the delegation's positions, notes and assignments as a bundle"),
            cmd_export_delegation)
    p.add_argument("--out", required=True, help=_("the bundle file to write (.wtdc.zip)"))
    p.add_argument("--delegation", help=_("the delegation, e.g. KEN (remembered for the next exports)"))
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
    add("backups", _("list the backups of the store taken before each sync"), cmd_backups)
    p = add("restore", _("restore the store from a backup (a backup of the current state is kept)"), cmd_restore,
            json_flag=False)
    p.add_argument("backup", help=_("a backup's name as listed by “backups”, or a path to one"))

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
    p = trust_sub.add_parser("remove", help=_("unpin a publisher's key"), parents=[common])
    p.set_defaults(func=cmd_trust_remove)
    p.add_argument("publisher")

    from wtdc_desktop.cli_agenda import register as register_agenda

    register_agenda(sub, add, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # The language first: the parser's help texts are translated when it is built.
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--lang")
    pre.add_argument("--data-dir", type=Path)
    known, rest = pre.parse_known_args(argv)
    set_language(known.lang)
    if not rest:
        # The window, with at most --data-dir and --lang: every command's parser is not needed.
        args = argparse.Namespace(data_dir=known.data_dir, lang=known.lang, func=cmd_gui, command=None)
    else:
        args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except WtdcError as exc:
        print(_("error: {message}").format(message=exc.message), file=sys.stderr)
        return exc.exit_code or 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into a program that stopped reading (head, less)
        sys.stdout = open(os.devnull, "w")
        return 0


if __name__ == "__main__":
    sys.exit(main())
