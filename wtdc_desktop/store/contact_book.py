"""Contacts, published and the delegation's private ones (``my_contact``, written only here), and who
coordinates which item in each region."""

from __future__ import annotations

import json
import uuid

from wtdc_desktop.domain import matrix as matrix_domain
from wtdc_desktop.domain.records import REGION_IDS
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import _
from wtdc_desktop.store.db import Store, utcnow
from wtdc_desktop.store.proposal_matrix import org_regions, target_titles


class ContactError(WtdcError):
    exit_code = 2


#: Columns of a published record's bookkeeping, not part of a contact as the application shows it.
_META = ("raw", "content_hash", "bundle_seq", "changed_sync", "first_sync", "channel", "withdrawn_sync", "rid")


def _contacts(store: Store, table: str, private: bool) -> list[dict]:
    """Every contact of a table (a published one's current ones), as the application shows them."""
    cur = store.execute(f"SELECT {_contact_columns(store, table)} FROM {table}"
                        + (" WHERE withdrawn = 0" if table == "contact" else ""), tuples=True)
    names = [d[0] for d in cur.description]
    languages: dict[str, list[str]] = {}  # a few dozen distinct lists among thousands of contacts
    out = []
    for row in cur:
        d = dict(zip(names, row, strict=True))
        value = d.get("languages")
        if value and value != "[]":
            if value not in languages:
                languages[value] = json.loads(value)
            d["languages"] = list(languages[value])  # each contact its own list
        else:
            d["languages"] = []
        d["coordinates"] = json.loads(d["coordinates"]) if d.get("coordinates") else []
        d["private"] = private
        out.append(d)
    return out


def _contact_columns(store: Store, table: str) -> str:
    """The table's columns but the bookkeeping ones (a published contact's raw JSON is not read)."""
    return ", ".join(r[1] for r in store.execute(f"PRAGMA table_info({table})") if r[1] not in _META)


def all_contacts(store: Store, *, include_private: bool = True, include_published: bool = True) -> list[dict]:
    out = []
    if include_published:
        out += _contacts(store, "contact", False)
    if include_private:
        out += _contacts(store, "my_contact", True)
    out.sort(key=lambda c: ((c.get("name") or "").casefold(), c["id"]))
    return out


def _coordinated_titles(store: Store, contacts: list[dict]) -> dict[tuple[str, str], str]:
    """Titles of the items these contacts coordinate: every resolution and Question (a few hundred),
    and only the proposals named (a large store holds tens of thousands)."""
    titles = target_titles(store)
    wanted = sorted({str(s.get("id")) for c in contacts for s in c.get("coordinates") or []
                     if s.get("type") == "proposal"})
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        titles.update({("proposal", r[0]): r[1] or "" for r in store.execute(
            f"SELECT id, title FROM proposal WHERE id IN ({', '.join('?' * len(chunk))})", chunk)})
    return titles


def search_contacts(store: Store, *, text: str | None = None, region: str | None = None,
                    organization: str | None = None, language: str | None = None, topic: str | None = None,
                    include_private: bool = True, include_published: bool = True) -> list[dict]:
    """Contacts matching every criterion given (case-insensitive): name, organization, region, language, topic.

    ``topic`` matches the role, the items the person coordinates (ids and titles) and a private contact's topics.
    """
    contacts = all_contacts(store, include_private=include_private, include_published=include_published)
    titles = _coordinated_titles(store, contacts) if topic else {}
    out = []
    for c in contacts:
        if region and (c.get("region") or "") != region:
            continue
        if organization and organization.casefold() not in (c.get("organization") or "").casefold():
            continue
        if language and language.casefold() not in [x.casefold() for x in c.get("languages") or []]:
            continue
        if text and text.casefold() not in " ".join(
                str(c.get(k) or "") for k in ("name", "organization", "email", "role")).casefold():
            continue
        if topic:
            hay = [c.get("role") or "", c.get("topics") or ""]
            for s in c.get("coordinates") or []:
                hay += [str(s.get("id")), titles.get((s.get("type"), str(s.get("id"))), "")]
            if topic.casefold() not in " ".join(hay).casefold():
                continue
        out.append(c)
    return out


def _save_contact(conn, contact: dict, contact_id: str | None, now: str) -> str:
    if not (contact.get("name") or "").strip():
        raise ContactError(_("A contact needs a name."))
    cid = contact_id or contact.get("id") or ("my-" + uuid.uuid4().hex[:12])
    values = {k: contact.get(k) for k in ("name", "role", "organization", "region", "email", "phone", "topics",
                                          "notes")}
    values["languages"] = json.dumps(contact.get("languages") or [], ensure_ascii=False)
    values["coordinates"] = json.dumps(contact.get("coordinates") or [], ensure_ascii=False)
    exists = conn.execute("SELECT 1 FROM my_contact WHERE id = ?", (cid,)).fetchone()
    if exists:
        conn.execute(f"UPDATE my_contact SET {', '.join(f'{k} = ?' for k in values)}, updated_at = ? "
                     "WHERE id = ?", (*values.values(), now, cid))
    else:
        names = ["id", *values, "created_at", "updated_at"]
        conn.execute(f"INSERT INTO my_contact ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                     (cid, *values.values(), now, now))
    return cid


def save_private_contact(store: Store, contact: dict, *, contact_id: str | None = None) -> str:
    """Create or update one of the delegation's private contacts (never mixed with published ones)."""
    with store.transaction() as conn:
        return _save_contact(conn, contact, contact_id, utcnow())


def save_private_contacts(store: Store, contacts: list[dict]) -> list[str]:
    """Save several private contacts in one transaction: all of them or none."""
    now = utcnow()
    with store.transaction() as conn:
        return [_save_contact(conn, c, None, now) for c in contacts]


def delete_private_contact(store: Store, contact_id: str) -> None:
    with store.transaction() as conn:
        conn.execute("DELETE FROM my_contact WHERE id = ?", (contact_id,))


def coordinator_matrix(store: Store) -> list[dict]:
    """Items × regions: who coordinates each item in each region (from contacts' ``coordinates``).

    One dict per item: {"type", "id", "title", "regions": {region: [contact dicts]}}.
    """
    contacts = all_contacts(store)
    titles = _coordinated_titles(store, contacts)
    regions = org_regions(store)
    items: dict[tuple[str, str], dict] = {}
    for c in contacts:
        region = c.get("region") or regions.get(c.get("organization") or "") or matrix_domain.OTHER
        if region not in REGION_IDS:
            region = matrix_domain.OTHER
        for s in c.get("coordinates") or []:
            key = (str(s.get("type")), str(s.get("id")))
            item = items.setdefault(key, {"type": key[0], "id": key[1], "title": titles.get(key), "regions": {}})
            item["regions"].setdefault(region, []).append(c)
    order = {t: i for i, t in enumerate(("resolution", "question", "proposal"))}
    return sorted(items.values(), key=lambda i: (order.get(i["type"], 9), matrix_domain._natural(i["id"])))


def coordinators_for(store: Store, subject_type: str, subject_id: str) -> list[dict]:
    for item in coordinator_matrix(store):
        if item["type"] == subject_type and item["id"] == subject_id:
            return [c for cs in item["regions"].values() for c in cs]
    return []
