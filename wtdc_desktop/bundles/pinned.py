"""Records of pinned publishers change only through a pinned key (spec §4, "Except across trust").

A record whose current version came from a publisher with a pinned key is changed or withdrawn
only by a bundle signed by a pinned key (that publisher's or another pinned one). A bundle that
is unsigned, or signed by a key that is not pinned, and would change or withdraw such a record
is refused whole, before anything is written, with a message naming the record and both
publishers. So an unsigned ``itu-bdt`` look-alike (or any other publisher) cannot replace what
the signed, pinned ``itu-bdt`` published.
"""

from __future__ import annotations

from collections.abc import Iterator

from wtdc_desktop.bundles.errors import BundleError, BundleRefused
from wtdc_desktop.bundles.reader import Bundle, parse_record_line
from wtdc_desktop.bundles.signing import Signer
from wtdc_desktop.domain.records import PUBLISHED_TYPES, content_hash
from wtdc_desktop.i18n import _, ngettext
from wtdc_desktop.store import Store, trust


def signed_by_pinned_key(store: Store, signer: Signer | None) -> bool:
    """Whether the bundle's signature was checked against a key pinned for a publisher (its own or another)."""
    if signer is None or not signer.verified or signer.public_key is None:
        return False
    return signer.pinned or trust.is_pinned_key(store.conn, signer.public_key)


def _records(bundle: Bundle, member) -> Iterator[dict]:
    """The records of one file, parsed but not validated (the apply validates them all after this check): a
    line the apply would refuse ends the reading, and the apply refuses it with its own message."""
    limit = bundle.limits.record_line
    with bundle.open_member(member.path) as fp:
        while raw := fp.readline(limit + 1):
            if len(raw) > limit and not raw.endswith(b"\n"):
                return
            if not raw.strip():
                continue
            try:
                record = parse_record_line(raw, bundle.where, bundle.limits)
            except BundleError:
                return
            if not isinstance(record, dict) or not isinstance(record.get("id"), str):
                return
            yield record


def _offending(store: Store, bundle: Bundle) -> list[tuple[str, str, str]]:
    """(type, id, pinned publisher) of each record the bundle would change or withdraw that a pinned publisher
    published. The ids are read first; the records' content only for those a pinned publisher published."""
    m = bundle.manifest
    members = [member for member in bundle.record_members() if member.type in PUBLISHED_TYPES]
    incoming: dict[str, set[str]] = {}
    for member in members:
        incoming.setdefault(member.type, set()).update(r["id"] for r in _records(bundle, member))
    withdrawn: dict[str, set[str]] = {}
    for type_name, rid in m.deletions:
        if type_name in PUBLISHED_TYPES:
            withdrawn.setdefault(type_name, set()).add(rid)
    if m.kind == "full":  # what the channel carried and this bundle does not is withdrawn too
        for type_name, ids in trust.carried_ids(store.conn, m.channel_key).items():
            gone = ids - incoming.get(type_name, set())
            if type_name in PUBLISHED_TYPES and gone:
                withdrawn.setdefault(type_name, set()).update(gone)
    carried, withdrawals = trust.pinned_versions(store.conn, channel_key=m.channel_key, incoming=incoming,
                                                 withdrawn=withdrawn)
    found = []
    if carried:
        current = {(t, rid): (pub, digest, gone) for t, rid, pub, digest, gone in carried}
        for member in members:
            if not any(t == member.type for t, _rid in current):
                continue
            for record in _records(bundle, member):
                known = current.get((member.type, record["id"]))
                # changed, or restored after its publisher withdrew it
                if known is not None and (known[2] or content_hash(record) != known[1]):
                    found.append((member.type, record["id"], known[0]))
    return found + withdrawals


def check_pinned_records(store: Store, bundle: Bundle, signer: Signer | None) -> None:
    """Refuse the bundle (:class:`BundleRefused`) when it would change or withdraw a pinned publisher's record
    without being signed by a pinned key; nothing is read again when no pinned publisher has published."""
    if signed_by_pinned_key(store, signer) or not trust.pinned_publishers(store.conn):
        return
    found = _offending(store, bundle)
    if not found:
        return
    type_name, rid, owner = found[0]
    if signer is None:
        message = _("{where}: {type} {id} was published by {pinned}, whose key is pinned; {publisher} (unsigned) "
                    "may not change it, so the bundle is refused.")
    else:
        message = _("{where}: {type} {id} was published by {pinned}, whose key is pinned; {publisher} (signed with "
                    "a key that is not pinned) may not change it, so the bundle is refused.")
    text = message.format(where=bundle.where, type=type_name, id=rid, pinned=owner,
                          publisher=bundle.manifest.publisher_id)
    others = len(found) - 1
    if others:
        text += " " + ngettext("{count} other record of a pinned publisher is in the same case.",
                               "{count} other records of pinned publishers are in the same case.",
                               others).format(count=others)
    raise BundleRefused(text, where=bundle.where)
