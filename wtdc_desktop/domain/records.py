"""The record types of the bundle format (spec §3 and §8) and their validation.

Validation is strict on form (required fields, enumerations, dates with
offsets) and tolerant on content: unknown fields are kept untouched, and
references to records that a bundle does not carry are allowed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import N_, _
from wtdc_desktop.instants import parse_instant

REGION_IDS = ("AFR", "AMS", "ARB", "ASP", "CIS", "EUR")


class RecordError(WtdcError):
    """A record that breaks the format; ``field`` names the offending field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# --- value checks -----------------------------------------------------------

Check = Callable[[Any, str], Any]

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$")


def _fail(name: str, reason: str) -> RecordError:
    return RecordError(_("field “{field}”: {reason}").format(field=name, reason=reason), name)


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "…"


def text_value(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise _fail(name, _("must be text (got {value})").format(value=_short(value)))
    return value


def nonempty_text(value: Any, name: str) -> str:
    value = text_value(value, name)
    if not value.strip():
        raise _fail(name, _("must not be empty"))
    return value


def integer(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(name, _("must be a whole number (got {value})").format(value=_short(value)))
    return value


def int_or_text(value: Any, name: str) -> int | str:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise _fail(name, _("must be a number or text (got {value})").format(value=_short(value)))
    return value


def number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(name, _("must be a number (got {value})").format(value=_short(value)))
    return value


def parse_date(value: Any, name: str) -> dt.date:
    if not isinstance(value, str) or not _DATE_RE.match(value):
        raise _fail(name, _("must be a date YYYY-MM-DD (got {value})").format(value=_short(value)))
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _fail(name, _("is not a real date (got {value})").format(value=_short(value))) from None


def parse_datetime(value: Any, name: str) -> dt.datetime:
    """An ISO 8601 date-time that carries an offset or ``Z``; returned in UTC."""
    if not isinstance(value, str) or not _DATETIME_RE.match(value):
        if isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", value):
            raise _fail(name, _("a date-time must carry an offset or Z (got {value})").format(value=_short(value)))
        raise _fail(name, _("must be a date-time with an offset (got {value})").format(value=_short(value)))
    try:
        return parse_instant(value)
    except ValueError:
        raise _fail(name, _("is not a real date-time (got {value})").format(value=_short(value))) from None


def date_or_datetime(value: Any, name: str) -> str:
    if isinstance(value, str) and _DATE_RE.match(value):
        parse_date(value, name)
    else:
        parse_datetime(value, name)
    return value


def timezone_name(value: Any, name: str) -> str:
    text_value(value, name)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise _fail(name, _("is not a known IANA time zone (got {value})").format(value=_short(value))) from None
    return value


def one_of(*choices: str) -> Check:
    def check(value: Any, name: str) -> str:
        if value not in choices:
            raise _fail(
                name,
                _("must be one of {choices} (got {value})").format(
                    choices=", ".join(choices), value=_short(value)
                ),
            )
        return value

    return check


def list_of(item: Check) -> Check:
    def check(value: Any, name: str) -> list:
        if not isinstance(value, list):
            raise _fail(name, _("must be a list (got {value})").format(value=_short(value)))
        return [item(v, f"{name}[{i}]") for i, v in enumerate(value)]

    return check


def obj(fields: dict[str, Check], required: tuple[str, ...] = ()) -> Check:
    def check(value: Any, name: str) -> dict:
        if not isinstance(value, dict):
            raise _fail(name, _("must be an object (got {value})").format(value=_short(value)))
        for key in required:
            if value.get(key) is None:
                raise _fail(f"{name}.{key}", _("is required"))
        for key, sub in fields.items():
            if value.get(key) is not None:
                sub(value[key], f"{name}.{key}")
        return value

    return check


def map_of(item: Check) -> Check:
    def check(value: Any, name: str) -> dict:
        if not isinstance(value, dict):
            raise _fail(name, _("must be an object (got {value})").format(value=_short(value)))
        for key, sub in value.items():
            item(sub, f"{name}.{key}")
        return value

    return check


RECORD_TYPES_FOR_REFS = (
    "region", "organization", "meeting", "committee", "document", "resolution",
    "question", "proposal", "session", "contact", "priority", "deadline",
)

_subject = obj({"type": nonempty_text, "id": nonempty_text}, required=("type", "id"))
_money = obj({"amount": number, "currency": text_value}, required=("amount",))
_links = list_of(obj({"to": nonempty_text, "kind": one_of("related", "overlap", "supersedes")}, required=("to",)))
_qlinks = list_of(obj({"to": nonempty_text, "kind": one_of("related", "overlap")}, required=("to",)))


# --- the types ----------------------------------------------------------------


@dataclass(frozen=True)
class RecordType:
    name: str
    label: str  # untranslated; translate where shown
    plural: str
    fields: dict[str, Check]
    required: tuple[str, ...]
    delegation: bool = False
    #: fields holding Markdown text (sanitised when shown)
    markdown: tuple[str, ...] = field(default=())

    def validate(self, record: Any) -> dict:
        """Check one record; return it unchanged or raise :class:`RecordError`."""
        if not isinstance(record, dict):
            raise RecordError(_("a record must be a JSON object"))
        for name in self.required:
            if record.get(name) is None:
                raise _fail(name, _("is required"))
        for name, check in self.fields.items():
            value = record.get(name)
            if value is not None:
                check(value, name)
        return record


def _t(name, label, plural, fields, required, markdown=(), delegation=False) -> RecordType:
    return RecordType(name, label, plural, fields, required, delegation, markdown)


PUBLISHED_TYPES: dict[str, RecordType] = {
    t.name: t
    for t in (
        _t("region", N_("Region"), N_("Regions"),
           {"id": one_of(*REGION_IDS), "name": nonempty_text}, ("id", "name")),
        _t("organization", N_("Organization"), N_("Organizations"),
           {"id": nonempty_text, "name": nonempty_text,
            "kind": one_of("rto", "member_state", "sector_member", "secretariat", "other"),
            "region": text_value, "country": text_value}, ("id", "name")),
        _t("meeting", N_("Meeting"), N_("Meetings"),
           {"id": nonempty_text,
            "kind": one_of("conference", "rpm", "irpm", "tdag", "study_group", "workshop", "other"),
            "title": nonempty_text, "region": text_value, "city": text_value, "country": text_value,
            "starts_on": parse_date, "ends_on": parse_date, "timezone": timezone_name, "url": text_value},
           ("id", "kind", "title")),
        _t("committee", N_("Committee"), N_("Committees"),
           {"id": nonempty_text, "meeting": nonempty_text, "name": nonempty_text,
            "kind": one_of("plenary", "committee", "working_group", "ad_hoc", "rapporteur_group", "editorial"),
            "chair": text_value, "mandate": text_value}, ("id", "meeting", "name"), ("mandate",)),
        _t("document", N_("Document"), N_("Documents"),
           {"id": nonempty_text, "meeting": nonempty_text, "title": nonempty_text, "source": text_value,
            "date": parse_date,
            "kind": one_of("contribution", "information", "temporary", "administrative", "report", "other"),
            "status": one_of("published", "withdrawn"), "summary": text_value, "text": text_value,
            "languages": map_of(obj({"title": text_value, "file": text_value})),
            "related": list_of(nonempty_text)},
           ("id", "meeting", "title"), ("summary", "text")),
        _t("resolution", N_("Resolution"), N_("Resolutions"),
           {"id": nonempty_text, "body": one_of("WTDC", "PP", "WTSA", "WRC", "RA"), "number": int_or_text,
            "title": nonempty_text, "revision": text_value,
            "status": one_of("in_force", "suppressed", "draft"), "text": text_value, "links": _links},
           ("id", "body", "number", "title"), ("text",)),
        _t("question", N_("Question"), N_("Questions"),
           {"id": nonempty_text, "number": nonempty_text, "study_group": integer, "period": nonempty_text,
            "title": nonempty_text, "status": one_of("new", "continued", "revised", "deleted"),
            "text": text_value, "links": _qlinks},
           ("id", "number", "study_group", "period", "title"), ("text",)),
        _t("proposal", N_("Proposal"), N_("Proposals"),
           {"id": nonempty_text, "document": nonempty_text, "sources": list_of(nonempty_text),
            "action": one_of("ADD", "MOD", "SUP", "NOC"),
            "target": obj({"type": one_of("resolution", "question", "declaration", "strategic_plan",
                                          "action_plan", "other"), "id": int_or_text}, required=("type", "id")),
            "title": text_value, "text": text_value, "reasons": text_value,
            "status": one_of("submitted", "under_discussion", "agreed", "agreed_modified", "not_agreed",
                             "withdrawn", "noted"),
            "committee": text_value, "cost": _money},
           ("id", "document", "sources", "action", "target"), ("text", "reasons")),
        _t("session", N_("Session"), N_("Sessions"),
           {"id": nonempty_text, "meeting": nonempty_text, "committee": text_value, "title": nonempty_text,
            "starts_at": parse_datetime, "ends_at": parse_datetime, "room": text_value,
            "status": one_of("scheduled", "changed", "cancelled"),
            "agenda": list_of(obj({"item": int_or_text, "title": text_value,
                                   "documents": list_of(nonempty_text)}))},
           ("id", "meeting", "title", "starts_at", "ends_at")),
        _t("contact", N_("Contact"), N_("Contacts"),
           {"id": nonempty_text, "name": nonempty_text, "role": text_value, "organization": text_value,
            "region": text_value, "email": text_value, "phone": text_value,
            "languages": list_of(text_value), "coordinates": list_of(_subject)},
           ("id", "name")),
        _t("priority", N_("Priority"), N_("Priorities"),
           {"id": nonempty_text, "region": nonempty_text, "title": nonempty_text, "description": text_value,
            "estimated_cost": _money,
            "pledges": list_of(obj({"from": text_value, "amount": number, "currency": text_value,
                                    "status": one_of("announced", "confirmed")}, required=("amount",)))},
           ("id", "region", "title"), ("description",)),
        _t("deadline", N_("Deadline"), N_("Deadlines"),
           {"id": nonempty_text, "meeting": text_value, "title": nonempty_text, "due": date_or_datetime,
            "description": text_value}, ("id", "title", "due"), ("description",)),
    )
}

DELEGATION_TYPES: dict[str, RecordType] = {
    t.name: t
    for t in (
        _t("position", N_("Position"), N_("Positions"),
           {"id": nonempty_text, "subject": _subject,
            "stance": one_of("support", "support_with_amendments", "oppose", "neutral", "undecided"),
            "priority": one_of("high", "medium", "low"), "brief": text_value, "red_lines": text_value,
            "fallback": text_value, "owner": text_value, "status": one_of("draft", "approved"),
            "updated_at": parse_datetime},
           ("id", "subject", "stance", "updated_at"), ("brief", "red_lines", "fallback"), delegation=True),
        _t("note", N_("Note"), N_("Notes"),
           {"id": nonempty_text, "subject": _subject, "body": text_value, "author": text_value,
            "updated_at": parse_datetime},
           ("id", "subject", "body", "updated_at"), ("body",), delegation=True),
        _t("assignment", N_("Assignment"), N_("Assignments"),
           {"id": nonempty_text, "session": nonempty_text, "member": nonempty_text,
            "role": one_of("lead", "support", "observer"), "updated_at": parse_datetime},
           ("id", "session", "member", "updated_at"), delegation=True),
    )
}

ALL_TYPES: dict[str, RecordType] = {**PUBLISHED_TYPES, **DELEGATION_TYPES}


def canonical_json(record: dict) -> str:
    """The record as canonical JSON (sorted keys, no spaces): what its hash covers."""
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_hash(record: dict) -> str:
    import hashlib  # here: the window never hashes a record, and hashlib maps all of OpenSSL's libcrypto

    return hashlib.sha256(canonical_json(record).encode("utf-8")).hexdigest()
