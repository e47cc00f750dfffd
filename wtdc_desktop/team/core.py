"""Joining a team, trusting its members, and one team sync.

The shared location holds::

    team.json                        {"format": "wtdc-team", "delegation": "ken"}
    <member>/key.pub                 the member's Ed25519 public key (its fingerprint is confirmed by each other member)
    <member>/00000001-full.wtdc.zip  the member's bundles on its own stream delegation-<delegation>/<member>,
    <member>/00000002-delta.wtdc.zip   signed with that key, named by sequence
    <member>/state.json              what the member has read of every other member (for pruning) and when

A sync (:func:`sync`) first publishes what changed here since the last publication (a delta; a
full bundle every :data:`FULL_EVERY` publications and for the first one), written under a
temporary name and renamed; then reads every trusted member's new bundles in sequence order and
merges each in one transaction (:func:`~wtdc_desktop.bundles.delegation.import_delegation`).
Only the names this module writes are read: a sync client's conflict copies (``name.sync-conflict-…``,
``name (conflicted copy …)``), ``~$`` lock files and temporary files are skipped and reported, as
are empty or damaged bundles (read again at the next sync), a delta whose predecessor has not
arrived yet (it waits), unsigned bundles and bundles not signed by the member's confirmed key.
One member's problem never stops the others. Old bundles are pruned once a newer full bundle
exists and every member has read past them. Clocks are never compared: only sequences order
bundles.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from wtdc_desktop.bundles.delegation import import_delegation, write_delegation_bundle
from wtdc_desktop.bundles.errors import BundleError
from wtdc_desktop.bundles.signing import (
    decode_public_key, encode_public_key, fingerprint, generate_key, load_private_key, raw_public_key,
)
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import _, ngettext
from wtdc_desktop.instants import iso_utc, now_utc
from wtdc_desktop.store import Store, delegation_merge, team_state
from wtdc_desktop.team.storage import DavStorage, FolderStorage, StorageError, StorageUnavailable, is_url

TEAM_FILE = "team.json"
KEY_FILE = "key.pub"
STATE_FILE = "state.json"
#: Every this many publications, a full bundle instead of a delta (a newcomer replays no long chain).
FULL_EVERY = 20
#: The largest bundle read from the shared location.
MAX_BUNDLE = 256 << 20
_BUNDLE = re.compile(r"^(\d{8})-(full|delta)\.wtdc\.zip$")
_SYNC_COPY = re.compile(r"(\.sync-conflict-|\(conflicted copy|\(copie en conflit|conflicted|^~\$|\(\d+\)\.wtdc\.zip$)",
                        re.IGNORECASE)


class TeamError(WtdcError):
    exit_code = 2


@dataclass
class MemberReport:
    name: str
    outcome: str = "up_to_date"  # up_to_date | merged | waiting | refused | failed | untrusted
    sequences: list[int] = field(default_factory=list)
    conflicts: int = 0
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"member": self.name, "outcome": self.outcome, "sequences": self.sequences,
                "conflicts": self.conflicts, "problems": self.problems}


@dataclass
class TeamSyncResult:
    location: str
    member: str
    published: dict | None = None
    members: list[MemberReport] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    new_members: list[dict] = field(default_factory=list)
    pruned: int = 0
    retries: list[str] = field(default_factory=list)

    @property
    def conflicts(self) -> int:
        return sum(m.conflicts for m in self.members)

    @property
    def ok(self) -> bool:
        return not self.problems and all(m.outcome not in ("failed", "refused") for m in self.members)

    def as_dict(self) -> dict:
        return {"location": self.location, "member": self.member, "published": self.published,
                "members": [m.as_dict() for m in self.members], "conflicts": self.conflicts,
                "new_members": self.new_members, "problems": self.problems, "pruned": self.pruned,
                "retries": self.retries}


# --- configuration and storage -----------------------------------------------------------------------

def is_joined(store: Store) -> bool:
    return team_state.config(store) is not None


def _config(store: Store) -> dict:
    cfg = team_state.config(store)
    if cfg is None:
        raise TeamError(_("This store is not in a team; join one with “team join LOCATION --member NAME”."))
    return cfg


def open_storage(location: str, *, user: str | None = None, password: str | None = None, **kw):
    if is_url(location):
        return DavStorage(location, (user, password) if user else None, **kw)
    return FolderStorage(Path(location).expanduser())


def _storage_for(store: Store, cfg: dict, password_prompt=None, **kw):
    if is_url(cfg["location"]) and cfg.get("user"):
        from wtdc_desktop.team.credentials import password_for

        password = password_for(cfg["location"], cfg["user"], password_prompt)
        return open_storage(cfg["location"], user=cfg["user"], password=password, **kw)
    return open_storage(cfg["location"], **kw)


def _key(store: Store, cfg: dict):
    return load_private_key(cfg["key"])


def _read_json(storage, rel: str) -> dict | None:
    try:
        data = storage.read(rel, 1 << 20)
    except StorageError:
        return None
    if not data:
        return None
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _listed_key(storage, name: str) -> bytes | None:
    data = storage.read(f"{name}/{KEY_FILE}", 4096)
    if not data:
        return None
    lines = [ln for ln in data.decode("ascii", "replace").splitlines() if ln.strip() and not ln.startswith("#")]
    return decode_public_key(lines[0].strip()) if len(lines) == 1 else None


def _member_folders(storage) -> list[str]:
    names = []
    for entry in storage.list(""):
        if not entry.is_dir:
            continue
        try:
            if delegation_merge.member_channel(entry.name) == entry.name:
                names.append(entry.name)
        except WtdcError:
            continue  # not a member's folder (a sync client's own folder, a copy)
    return sorted(names)


# --- join, trust, members, leave ------------------------------------------------------------------------

@dataclass
class JoinResult:
    location: str
    member: str
    delegation: str
    fingerprint: str
    key_file: str
    created_key: bool
    members: list[dict]
    keyring: bool | None = None  # WebDAV: whether the password is kept in the keyring

    def as_dict(self) -> dict:
        return {"location": self.location, "member": self.member, "delegation": self.delegation,
                "fingerprint": self.fingerprint, "key_file": self.key_file, "created_key": self.created_key,
                "members": self.members, "keyring": self.keyring}


def join(store: Store, location: str, member: str, *, sign_key: str | Path | None = None,
         delegation: str | None = None, user: str | None = None, password: str | None = None,
         storage=None) -> JoinResult:
    """Join (or create) the team at ``location`` as ``member``: publish this member's public key there.

    The other members' keys are listed (not yet trusted: :func:`trust` pins each one after the user
    confirmed its fingerprint).
    """
    current = team_state.config(store)
    name = delegation_merge.member_channel(member)
    if current is not None and (current["location"] != location or current["member"] != name):
        raise TeamError(_("This store is already in the team at {location} as {member}; “team leave” first.").format(
            location=current["location"], member=current["member"]))
    if storage is None:
        storage = open_storage(location, user=user, password=password)
    if isinstance(storage, FolderStorage) and not storage.exists():
        raise TeamError(_("The folder {path} does not exist; create it (or the synced folder) first.").format(
            path=location))
    team = _read_json(storage, TEAM_FILE)
    if team is None:
        delegation = delegation or delegation_merge.delegation_id(store)
        if not delegation:
            raise TeamError(_("{location} holds no team yet: say which delegation it is for with --delegation "
                              "(for example --delegation KEN).").format(location=location))
        team_id = delegation_merge.publisher_for(delegation)[len("delegation-"):]
        storage.write(TEAM_FILE, json.dumps({"format": "wtdc-team", "delegation": team_id}).encode("utf-8"))
    else:
        team_id = delegation_merge.publisher_for(str(team.get("delegation") or ""))[len("delegation-"):]
        if delegation and delegation_merge.publisher_for(delegation) != f"delegation-{team_id}":
            raise TeamError(_("{location} is the team of delegation {team}, not {delegation}.").format(
                location=location, team=team_id, delegation=delegation))
    created = False
    if sign_key is None:
        keys = Path(store.data_dir) / "team"
        keys.mkdir(exist_ok=True)
        key_file = keys / f"{name}.key"
        if not key_file.exists():
            generate_key(key_file)
            created = True
    else:
        key_file = Path(sign_key)
    key = load_private_key(key_file)
    raw = raw_public_key(key)
    listed = _listed_key(storage, name)
    if listed is not None and listed != raw:
        raise TeamError(_("The member name {member} is already used in {location} by another key ({fingerprint}); "
                          "choose another name.").format(member=name, location=location, fingerprint=fingerprint(listed)))
    storage.mkdir(name)
    if listed is None:
        storage.write(f"{name}/{KEY_FILE}", (encode_public_key(raw) + "\n").encode("ascii"))
    keyring_used = None
    if is_url(location) and user:
        from wtdc_desktop.team.credentials import store_password

        keyring_used = store_password(location, user, password) if password else False
    team_state.save_config(store, {"location": location, "member": name, "delegation": team_id,
                                   "key": str(Path(key_file).resolve()), "user": user, "publications": 0})
    delegation_merge.own_member(store, name)
    found = _refresh_members(store, storage, name)
    return JoinResult(location=location, member=name, delegation=team_id, fingerprint=fingerprint(raw),
                      key_file=str(key_file), created_key=created, members=found, keyring=keyring_used)


def _refresh_members(store: Store, storage, me: str) -> list[dict]:
    """List every member folder's key; returns the members whose listed key is not trusted here."""
    untrusted = []
    for name in _member_folders(storage):
        if name == me:
            continue
        raw = _listed_key(storage, name)
        if raw is None:
            continue
        encoded, fp = encode_public_key(raw), fingerprint(raw)
        team_state.list_member(store, name, encoded, fp)
        row = team_state.member(store, name)
        if row["trusted_at"] is None or row["public_key"] != encoded:
            untrusted.append({"name": name, "fingerprint": fp, "key_changed": row["trusted_at"] is not None})
    return untrusted


def refresh(store: Store, *, storage=None, password_prompt=None) -> list[dict]:
    """Read the members' keys listed in the shared location; returns those not trusted here (yet)."""
    cfg = _config(store)
    storage = storage or _storage_for(store, cfg, password_prompt)
    return _refresh_members(store, storage, cfg["member"])


def _norm_fp(value: str) -> str:
    return re.sub(r"[^0-9a-f]", "", (value or "").lower())


def trust(store: Store, member: str, fingerprint_given: str, *, storage=None, password_prompt=None) -> dict:
    """Pin ``member``'s key as listed in the shared location, if its fingerprint is the one given."""
    cfg = _config(store)
    storage = storage or _storage_for(store, cfg, password_prompt)
    name = delegation_merge.member_channel(member)
    raw = _listed_key(storage, name)
    if raw is None:
        raise TeamError(_("{member} lists no key in {location}.").format(member=name, location=cfg["location"]))
    fp = fingerprint(raw)
    if _norm_fp(fp) != _norm_fp(fingerprint_given):
        raise TeamError(_("The key {member} lists has the fingerprint {actual}, not {given}: it is not trusted. "
                          "Check the fingerprint with {member} in person or by phone.").format(
                              member=name, actual=fp, given=fingerprint_given))
    team_state.trust_member(store, name, encode_public_key(raw), fp)
    return {"member": name, "fingerprint": fp, "trusted": True}


def members(store: Store) -> list[dict]:
    """Every member known here: name, fingerprint, trusted, last seen (when a bundle of it was last read here)."""
    cfg = _config(store)
    out = [{"name": cfg["member"], "fingerprint": _own_fingerprint(cfg), "trusted": True, "me": True,
            "last_seen": None, "last_sequence": delegation_merge.last_export_sequence(
                store, f"delegation-{cfg['delegation']}/{cfg['member']}")}]
    for row in team_state.members(store):
        out.append({"name": row["name"], "fingerprint": row["fingerprint"], "trusted": row["trusted_at"] is not None,
                    "me": False, "last_seen": row["last_seen"], "last_sequence": row["last_sequence"]})
    return out


def _own_fingerprint(cfg: dict) -> str | None:
    try:
        return fingerprint(raw_public_key(load_private_key(cfg["key"])))
    except WtdcError:
        return None


def leave(store: Store) -> dict:
    """Forget the team here (what was merged stays; nothing is removed from the shared location)."""
    cfg = _config(store)
    if is_url(cfg["location"]) and cfg.get("user"):
        from wtdc_desktop.team.credentials import forget_password

        forget_password(cfg["location"], cfg["user"])
    team_state.save_config(store, None)
    return {"location": cfg["location"], "member": cfg["member"]}


# --- one sync ---------------------------------------------------------------------------------------

def _bundle_name(sequence: int, kind: str) -> str:
    return f"{sequence:08d}-{kind}.wtdc.zip"


def _classify(entries) -> tuple[list[tuple[int, str, object]], list[str]]:
    """Bundles written by members (sequence, kind, entry) and the names skipped with a reason."""
    bundles, skipped = [], []
    for entry in entries:
        if entry.is_dir or entry.name in (KEY_FILE, STATE_FILE):
            continue
        m = _BUNDLE.match(entry.name)
        if m:
            bundles.append((int(m.group(1)), m.group(2), entry))
        elif entry.name.startswith(".") and entry.name.endswith(".part"):
            continue  # being written now
        elif _SYNC_COPY.search(entry.name):
            skipped.append(_("{name}: a copy made by a file-sync client; skipped.").format(name=entry.name))
        else:
            skipped.append(_("{name}: not a bundle of this team; skipped.").format(name=entry.name))
    return sorted(bundles, key=lambda b: (b[0], b[1] != "full")), skipped


def _chain(bundles, last: int | None) -> tuple[list, int | None]:
    """The bundles to read after sequence ``last``, in order, and the sequence waited for (a gap), if any.

    A member that never read this stream, or that would have to skip a gap, starts again from the
    latest full bundle; the deltas after it follow one by one.
    """
    by_seq: dict[int, tuple] = {}
    for b in bundles:
        if last is None or b[0] > last:
            by_seq.setdefault(b[0], b)
    if not by_seq:
        return [], None
    seqs = sorted(by_seq)
    chain: list = []
    pos = last
    if last is None or seqs[0] != last + 1:
        fulls = [s for s in seqs if by_seq[s][1] == "full"]
        if not fulls:
            return [], (last or 0) + 1
        pos = fulls[-1]
        chain.append(by_seq[pos])
    for s in seqs:
        if s <= pos:
            continue
        if s != pos + 1:
            return chain, pos + 1
        chain.append(by_seq[s])
        pos = s
    return chain, None


def sync(store: Store, *, storage=None, password_prompt=None, now=None) -> TeamSyncResult:
    """Publish this member's changes, then merge every trusted member's new bundles."""
    cfg = _config(store)
    me, team_id = cfg["member"], cfg["delegation"]
    publisher = f"delegation-{team_id}"
    result = TeamSyncResult(location=cfg["location"], member=me)
    storage = storage or _storage_for(store, cfg, password_prompt)
    try:
        for item in _refresh_members(store, storage, me):
            result.new_members.append(item)
            if item["key_changed"]:
                result.problems.append(_("{member} now lists another key ({fingerprint}): its bundles are refused "
                                         "until you trust it (“team trust”).").format(
                                             member=item["name"], fingerprint=item["fingerprint"]))
    except StorageUnavailable as exc:
        result.problems.append(exc.message)
        return result
    try:
        result.published = _publish(store, storage, cfg, publisher)
    except WtdcError as exc:  # the storage, the key, the store: reported, the others' bundles still read
        result.problems.append(exc.message)
    seen = {}
    for row in team_state.members(store):
        try:
            report = _read_member(store, storage, publisher, row)
        except (WtdcError, OSError) as exc:  # one member's problem never stops the others'
            report = MemberReport(row["name"], outcome="failed", problems=[getattr(exc, "message", None) or str(exc)])
        result.members.append(report)
        last = delegation_merge.last_imported_sequence(store.conn, f"{publisher}/{row['name']}")
        if last is not None:
            seen[row["name"]] = last
    try:
        storage.write(f"{me}/{STATE_FILE}", json.dumps(
            {"member": me, "synced_at": iso_utc(now or now_utc()), "seen": seen}, sort_keys=True).encode("utf-8"))
        result.pruned = _prune(store, storage, cfg)
    except (StorageUnavailable, StorageError) as exc:
        result.problems.append(exc.message)
    result.retries = list(getattr(storage, "retries", []))
    return result


def _publish(store: Store, storage, cfg: dict, publisher: str) -> dict | None:
    me = cfg["member"]
    stream = f"{publisher}/{me}"
    entries = storage.list(me)
    for entry in entries:  # what an interrupted sync of this member left half-written
        if entry.name.startswith(".") and entry.name.endswith(".part"):
            storage.delete(f"{me}/{entry.name}")
    mine, _skipped = _classify(entries)
    present = max((b[0] for b in mine), default=None)
    recorded = delegation_merge.last_export_sequence(store, stream)
    last = max(x for x in (present, recorded, 0) if x is not None) or None
    publications = int(cfg.get("publications") or 0)
    pub = delegation_merge.publication(store, stream, "delta")
    if last is not None and pub.empty:
        return None  # nothing changed here since the last publication
    # a full bundle: the first, periodically, and whenever the folder does not hold this member's last
    # publication (one exported to a file with export-delegation, a folder emptied): readers start again from it
    if last is None or not any(b[1] == "full" for b in mine) or (publications + 1) % FULL_EVERY == 0 \
            or present != recorded:
        kind = "full"
        pub = delegation_merge.publication(store, stream, "full")
    else:
        kind = "delta"
    sequence = (last or 0) + 1
    key = _key(store, cfg)
    with tempfile.TemporaryDirectory(dir=store.data_dir, prefix=".team-") as tmp:
        out = Path(tmp) / _bundle_name(sequence, kind)
        write_delegation_bundle(store, out, publisher=publisher, channel=me, sequence=sequence, kind=kind,
                                base_sequence=last if kind == "delta" else None, key=key, publication=pub)
        data = out.read_bytes()
    storage.write(f"{me}/{_bundle_name(sequence, kind)}", data)
    delegation_merge.record_export(store, cfg["delegation"], stream, sequence, pub.records, pub.deletions)
    team_state.save_config(store, {**cfg, "publications": publications + 1})
    return {"sequence": sequence, "kind": kind, "bytes": len(data),
            "counts": {t: len(pub.records[t]) for t in delegation_merge.TYPES}, "deletions": len(pub.deletions)}


def _read_member(store: Store, storage, publisher: str, row: dict) -> MemberReport:
    name = row["name"]
    report = MemberReport(name)
    stream = f"{publisher}/{name}"
    try:
        bundles, skipped = _classify(storage.list(name))
    except (StorageUnavailable, StorageError) as exc:
        report.outcome = "failed"
        report.problems.append(exc.message)
        return report
    report.problems.extend(skipped)
    last = delegation_merge.last_imported_sequence(store.conn, stream)
    chain, waiting = _chain(bundles, last)
    if row["trusted_at"] is None:
        if chain:
            report.outcome = "untrusted"
            report.problems.append(ngettext(
                "{count} bundle of {member} waits until you trust its key {fingerprint} (“team trust”).",
                "{count} bundles of {member} wait until you trust its key {fingerprint} (“team trust”).",
                len(chain)).format(count=len(chain), member=name, fingerprint=row["fingerprint"]))
        return report
    member_key = decode_public_key(row["public_key"])
    for sequence, _kind, entry in chain:
        rel = f"{name}/{entry.name}"
        if entry.size == 0:
            report.problems.append(_("{name}: empty (still being copied?); read again at the next sync.").format(
                name=rel))
            report.outcome = "waiting"
            return report
        try:
            data = storage.read(rel, MAX_BUNDLE)
        except (StorageUnavailable, StorageError) as exc:
            report.outcome = "failed"
            report.problems.append(exc.message)
            return report
        if not data:
            report.outcome = "waiting"
            report.problems.append(_("{name}: empty (still being copied?); read again at the next sync.").format(
                name=rel))
            return report
        with tempfile.TemporaryDirectory(dir=store.data_dir, prefix=".team-") as tmp:
            path = Path(tmp) / entry.name
            path.write_bytes(data)
            try:
                imported = import_delegation(store, path, source=storage.where, member_key=member_key,
                                             expect_stream=stream)
            except (BundleError, OSError) as exc:
                report.outcome = "refused"
                report.problems.append(_("{name} is refused, read again at the next sync: {reason}").format(
                    name=rel, reason=getattr(exc, "message", None) or exc))
                return report
        if imported.outcome == "imported":
            report.sequences.append(sequence)
            report.conflicts += len(imported.conflicts)
            report.outcome = "merged"
        team_state.mark_seen(store, name, sequence)
    if waiting is not None:
        report.outcome = "waiting" if not report.sequences else report.outcome
        report.problems.append(_("{member}: sequence {sequence} has not arrived yet; the later bundles wait for it.").format(
            member=name, sequence=waiting))
    return report


def _prune(store: Store, storage, cfg: dict) -> int:
    """Remove this member's bundles older than its latest full one that every member has read past."""
    me = cfg["member"]
    mine, _skipped = _classify(storage.list(me))
    fulls = [b[0] for b in mine if b[1] == "full"]
    if not fulls:
        return 0
    others = [n for n in _member_folders(storage) if n != me]
    passed = []
    for name in others:
        state = _read_json(storage, f"{name}/{STATE_FILE}")
        value = (state or {}).get("seen", {}).get(me) if isinstance((state or {}).get("seen"), dict) else None
        if not isinstance(value, int):
            return 0  # a member that never read this one: keep everything
        passed.append(value)
    limit = min([max(fulls)] + [p + 1 for p in passed])
    removed = 0
    for sequence, _kind, entry in mine:
        if sequence < limit:
            storage.delete(f"{me}/{entry.name}")
            removed += 1
    return removed


def wait_between(seconds: float) -> None:  # pragma: no cover - for the window's and CLI's pacing
    time.sleep(seconds)
