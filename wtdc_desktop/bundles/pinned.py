"""Records of pinned publishers change only through a pinned key (spec §4, "Except across trust").

A record whose current version came from a publisher with a pinned key is changed or withdrawn
only by a bundle signed by a pinned key (that publisher's or another pinned one). A bundle that
is unsigned, or signed by a key that is not pinned, and would change or withdraw such a record
is refused whole, before anything is written, with a message naming the record and both
publishers. So an unsigned ``itu-bdt`` look-alike (or any other publisher) cannot replace what
the signed, pinned ``itu-bdt`` published.
"""

from __future__ import annotations

from wtdc_desktop.bundles.errors import BundleRefused
from wtdc_desktop.bundles.reader import Bundle
from wtdc_desktop.bundles.signing import Signer
from wtdc_desktop.domain.records import PUBLISHED_TYPES, content_hash
from wtdc_desktop.i18n import _, ngettext
from wtdc_desktop.store import Store, trust


def signed_by_pinned_key(store: Store, signer: Signer | None) -> bool:
    """Whether the bundle's signature was checked against a key pinned for a publisher (its own or another)."""
    if signer is None or not signer.verified or signer.public_key is None:
        return False
    return signer.pinned or trust.is_pinned_key(store.conn, signer.public_key)


def check_pinned_records(store: Store, bundle: Bundle, signer: Signer | None) -> None:
    """Refuse the bundle (:class:`BundleRefused`) when it would change or withdraw a pinned publisher's record
    without being signed by a pinned key. Reads the bundle's records once more only when that can happen."""
    if signed_by_pinned_key(store, signer) or not trust.pinned_publishers(store.conn):
        return
    m = bundle.manifest
    incoming: dict[str, dict[str, str]] = {}
    for member in bundle.record_members():
        if member.type in PUBLISHED_TYPES:
            ids = incoming.setdefault(member.type, {})
            for line in bundle.iter_records(member):
                ids[line.record["id"]] = content_hash(line.record)
    withdrawn: dict[str, set[str]] = {}
    for type_name, rid in m.deletions:
        if type_name in PUBLISHED_TYPES:
            withdrawn.setdefault(type_name, set()).add(rid)
    if m.kind == "full":  # what the channel carried and this bundle does not is withdrawn too
        for type_name, ids in trust.carried_ids(store.conn, m.channel_key).items():
            if type_name in PUBLISHED_TYPES:
                gone = ids - incoming.get(type_name, {}).keys()
                if gone:
                    withdrawn.setdefault(type_name, set()).update(gone)
    found = trust.protected_records(store.conn, channel_key=m.channel_key, incoming=incoming, withdrawn=withdrawn)
    if not found:
        return
    type_name, rid, owner = found[0]
    if signer is None:
        message = _("{where}: {type} {id} was published by {pinned}, whose key is pinned; {publisher} (unsigned) "
                    "may not change it, so the bundle is refused.")
    else:
        message = _("{where}: {type} {id} was published by {pinned}, whose key is pinned; {publisher} (signed with "
                    "a key that is not pinned) may not change it, so the bundle is refused.")
    text = message.format(where=bundle.where, type=type_name, id=rid, pinned=owner, publisher=m.publisher_id)
    others = len(found) - 1
    if others:
        text += " " + ngettext("{count} other record of a pinned publisher is in the same case.",
                               "{count} other records of pinned publishers are in the same case.",
                               others).format(count=others)
    raise BundleRefused(text, where=bundle.where)
