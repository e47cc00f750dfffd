"""vCard 4.0 (RFC 6350) export and import of contacts, through vobject.

A contact maps to FN/N, ORG, TITLE (role), EMAIL, TEL, LANG (one per
language, in order of preference), CATEGORIES (topics), NOTE, UID, and two
extension properties: X-WTDC-REGION and X-WTDC-COORDINATES ("type id", one
per item the person coordinates).
"""

from __future__ import annotations

import vobject

from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import _


class VCardError(WtdcError):
    exit_code = 2


def _card(contact: dict):
    card = vobject.vCard()
    card.add("version").value = "4.0"
    name = (contact.get("name") or "").strip()
    card.add("fn").value = name
    parts = name.rsplit(" ", 1)
    card.add("n").value = vobject.vcard.Name(family=parts[-1], given=parts[0] if len(parts) > 1 else "")
    if contact.get("id"):
        card.add("uid").value = str(contact["id"])
    if contact.get("organization"):
        card.add("org").value = [contact["organization"]]
    if contact.get("role"):
        card.add("title").value = contact["role"]
    if contact.get("email"):
        prop = card.add("email")
        prop.value = contact["email"]
        prop.params["TYPE"] = ["work"]
    if contact.get("phone"):
        prop = card.add("tel")
        prop.value = contact["phone"]
        prop.params["TYPE"] = ["work", "voice"]
    for rank, lang in enumerate(contact.get("languages") or [], 1):
        prop = card.add("lang")
        prop.value = lang
        prop.params["PREF"] = [str(rank)]
    if contact.get("region"):
        card.add("x-wtdc-region").value = contact["region"]
    for subject in contact.get("coordinates") or []:
        card.add("x-wtdc-coordinates").value = f"{subject.get('type')} {subject.get('id')}"
    topics = [t.strip() for t in (contact.get("topics") or "").split(",") if t.strip()]
    if topics:
        card.add("categories").value = topics
    if contact.get("notes"):
        card.add("note").value = contact["notes"]
    return card


def contacts_to_vcf(contacts: list[dict]) -> str:
    """Several contacts as one .vcf text (CRLF line ends, as RFC 6350 asks)."""
    return "".join(_card(c).serialize() for c in contacts)


def _values(card, name: str) -> list:
    return [p for p in card.contents.get(name, [])]


def _first(card, name: str):
    props = _values(card, name)
    return props[0].value if props else None


def _pref(prop) -> int:
    try:
        return int((prop.params.get("PREF") or ["100"])[0])
    except ValueError:
        return 100


def parse_vcf(text: str, *, source: str = "") -> list[dict]:
    """Contacts from .vcf text (vCard 3.0 or 4.0); raises :class:`VCardError` naming the card that is broken."""
    contacts = []
    try:
        components = list(vobject.readComponents(text, validate=False))
    except Exception as exc:  # vobject raises ParseError and a few others on broken input
        raise VCardError(_("{file} is not a readable vCard file: {reason}.").format(
            file=source or _("the file"), reason=str(exc).strip() or type(exc).__name__)) from None
    for number, card in enumerate(components, 1):
        if card.name.upper() != "VCARD":
            continue
        name = _first(card, "fn")
        if not name and _first(card, "n") is not None:
            n = _first(card, "n")
            name = " ".join(x for x in (n.given, n.family) if x)
        if not (name or "").strip():
            raise VCardError(_("{file}, card {number}: the contact has no name (FN).").format(
                file=source or _("the file"), number=number))
        org = _first(card, "org")
        langs = sorted(_values(card, "lang"), key=_pref)
        coordinates = []
        for prop in _values(card, "x-wtdc-coordinates"):
            kind, _sep, ident = str(prop.value).partition(" ")
            if ident:
                coordinates.append({"type": kind, "id": ident})
        categories = []
        for prop in _values(card, "categories"):
            categories += prop.value if isinstance(prop.value, list) else [prop.value]
        contacts.append({
            "id": _first(card, "uid"),
            "name": name.strip(),
            "organization": (org[0] if isinstance(org, list) and org else org) or None,
            "role": _first(card, "title") or _first(card, "role"),
            "email": _first(card, "email"),
            "phone": _first(card, "tel"),
            "languages": [str(p.value) for p in langs],
            "region": _first(card, "x-wtdc-region"),
            "coordinates": coordinates,
            "topics": ", ".join(categories) or None,
            "notes": _first(card, "note"),
        })
    return contacts
