"""The record types of the bundle format (spec §3 and §8): their validation, and the registry that
describes each published type once.

Validation is strict on form (required fields, enumerations, dates with
offsets) and tolerant on content: unknown fields are kept untouched, and
references to records that a bundle does not carry are allowed.

The registry (:data:`PUBLISHED_TYPES`) gives each field of a published type its check, kind,
label, storage columns and the type it refers to, and each type its list columns, default order,
command-line table and the words of its coded values. The store's column mapping, the list views,
the detail pane, the rendering of references and the CLI's tables are derived from it. Adding a
field: add it here and add its column in a new migration (store/schema.py); a test compares the
registry's columns with the store's.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import N_, _
from wtdc_desktop.instants import iso_utc, parse_instant

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


_subject = obj({"type": nonempty_text, "id": nonempty_text}, required=("type", "id"))
_money = obj({"amount": number, "currency": text_value}, required=("amount",))
_LINK_KINDS = ("related", "overlap", "supersedes")
_links = list_of(obj({"to": nonempty_text, "kind": one_of(*_LINK_KINDS)}, required=("to",)))
_qlinks = list_of(obj({"to": nonempty_text, "kind": one_of("related", "overlap")}, required=("to",)))


# --- how a published type is stored, listed and labelled ---------------------------------

@dataclass(frozen=True)
class Column:
    """A column of a published type's table (besides ``rid`` and the meta columns every one has)."""

    name: str
    sql: str = "TEXT"  # its declared type, as the migrations create it
    #: its value for a record; None for ``id`` (written apart) and for derived columns
    value: Callable[[dict], Any] | None = None
    label: str = ""  # its header in a list view (untranslated)
    #: added under this name to a record read back from the store
    read_as: str | None = None


@dataclass(frozen=True)
class Field:
    """A field of a record type: its check, kind, label, storage and the type it refers to."""

    name: str
    check: Check
    #: text, number, date, instant, amount, enum, reference, list or object
    kind: str = "text"
    label: str = ""  # untranslated; translate where shown
    ref: str | None = None  # the record type its value names (a list's items for a list)
    #: coded value -> untranslated word (enumerations; a list's or an object's codes for those)
    values: dict[str, str] = field(default_factory=dict)
    #: the table columns it is stored in (most one of its own name; none when it is kept only in
    #: the record's JSON, the ``raw`` column)
    columns: tuple[Column, ...] = ()


# One encoder each, made once: json.dumps with options makes a new one per call, which took
# as long as the encoding itself for a record of a bulk import (7 of 17 µs for a document).
_COLUMN_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True)
_CANONICAL_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _json(value) -> str | None:
    """A list or object field as its column holds it (``json.dumps(value, ensure_ascii=False, sort_keys=True)``)."""
    return None if value is None else _COLUMN_JSON.encode(value)


def _text(value) -> str | None:
    return None if value is None else str(value)


def _utc(value) -> str | None:
    if value is None:
        return None
    return iso_utc(parse_datetime(value, ""))


def _natural(text: str) -> str:
    """Sort text where runs of digits compare as numbers (``Q2/1`` before ``Q10/1``)."""
    return re.sub(r"\d+", lambda m: f"{int(m.group()):08d}", text)


def _due_utc(value) -> str | None:
    if value is None:
        return None
    if len(value) == 10:  # a day: due at its end is unknown, sort at its start
        return value + "T00:00:00Z"
    return _utc(value)


def _stored(name: str, how: str = "as is", label: str = "", sql: str = "TEXT") -> Column:
    get = {
        "as is": lambda r: r.get(name),
        "text": lambda r: _text(r.get(name)),
        "json": lambda r: _json(r.get(name)),
        "utc": lambda r: _utc(r.get(name)),
    }[how]
    return Column(name, sql, get, label)


def _part(name: str, field_name: str, key: str, label: str = "", sql: str = "TEXT", how=None) -> Column:
    """A column holding one key of an object field (an amount's currency, a target's type)."""
    return Column(name, sql, lambda r: (how or (lambda v: v))((r.get(field_name) or {}).get(key)), label)


def _f(name: str, check: Check, label: str = "", kind: str = "text", *, ref: str | None = None,
       store: str = "as is", sql: str = "TEXT", values: dict[str, str] | None = None,
       columns: tuple[Column, ...] | None = None, list_label: str | None = None) -> Field:
    """A field stored in one column of its name (``store`` says how), unless ``columns`` says otherwise."""
    if columns is None:
        columns = (_stored(name, store, list_label or label, sql),)
    return Field(name, check, kind, label, ref, values or {}, columns)


def _id() -> Field:
    return Field("id", nonempty_text, "text", "", None, {}, (Column("id", label=N_("Symbol / id")),))


def _title(check: Check = nonempty_text) -> Field:
    return _f("title", check, N_("Title"))


def _enum(name: str, choices: tuple[str, ...], label: str, words: dict[str, str] | None = None) -> Field:
    """A coded field; ``words`` holds the readable word of each code (shown instead of the code)."""
    return _f(name, one_of(*choices), label, "enum", values={c: words[c] for c in choices} if words else None)


#: Readable words of the coded statuses and kinds (one word per code, whatever the type).
STATUS_WORDS = {
    "in_force": N_("in force"), "suppressed": N_("suppressed"), "draft": N_("draft"),
    "published": N_("published"), "withdrawn": N_("withdrawn"), "submitted": N_("submitted"),
    "under_discussion": N_("under discussion"), "agreed": N_("agreed"),
    "agreed_modified": N_("agreed with modifications"), "not_agreed": N_("not agreed"), "noted": N_("noted"),
    "scheduled": N_("scheduled"), "changed": N_("changed"), "cancelled": N_("cancelled"),
    "new": N_("new"), "continued": N_("continued"), "revised": N_("revised"), "deleted": N_("deleted"),
}
KIND_WORDS = {
    "contribution": N_("contribution"), "information": N_("information"), "temporary": N_("temporary"),
    "administrative": N_("administrative"), "report": N_("report"), "other": N_("other"),
    "plenary": N_("plenary"), "committee": N_("committee"), "working_group": N_("working group"),
    "ad_hoc": N_("ad hoc group"), "rapporteur_group": N_("rapporteur group"), "editorial": N_("editorial"),
    "conference": N_("conference"), "rpm": N_("regional preparatory meeting"),
    "irpm": N_("interregional preparatory meeting"), "tdag": N_("TDAG meeting"),
    "study_group": N_("study group"), "workshop": N_("workshop"),
    "rto": N_("regional telecommunication organization"), "member_state": N_("Member State"),
    "sector_member": N_("Sector Member"), "secretariat": N_("secretariat"),
}
_TARGET_TYPES = {
    "resolution": N_("Resolution"), "question": N_("Question"), "declaration": N_("Declaration"),
    "strategic_plan": N_("Strategic plan"), "action_plan": N_("Action plan"), "other": N_("Other"),
}
_LINK_WORDS = {"related": N_("related"), "overlap": N_("overlap"), "supersedes": N_("supersedes")}


def _document_columns(r: dict) -> dict:
    from wtdc_desktop.domain.symbols import document_sort_text, try_parse_symbol

    sym = try_parse_symbol(r["id"])
    return {
        "sort_key": document_sort_text(r["id"], sym),
        "sym_number": sym.number if sym else None,
        "sym_revision": sym.revision if sym else None,
        "sym_addendum": sym.addendum if sym else None,
        "sym_corrigendum": sym.corrigendum if sym else None,
    }


def _numbered_sort_key(prefix: str) -> Callable[[dict], dict]:
    """A resolution's or Question's sort key: its body or period, then its number in numeric order."""
    return lambda r: {"sort_key": f"{r.get(prefix)}\x1f{_natural(str(r.get('number')))}"}


# --- the types ----------------------------------------------------------------


@dataclass(frozen=True)
class RecordType:
    """A record type: its checks (every type) and, for a published type, the registry of how it is
    stored (columns), listed (list columns, default order, terminal table), labelled and linked."""

    name: str
    label: str  # untranslated; translate where shown
    plural: str
    fields: dict[str, Check]
    required: tuple[str, ...]
    delegation: bool = False
    #: fields holding Markdown text (sanitised when shown)
    markdown: tuple[str, ...] = field(default=())
    #: the fields in full (published types), in their table's column order
    specs: tuple[Field, ...] = ()
    #: columns computed from the whole record (sort keys, a symbol's parts), after the fields' columns
    derived: tuple[Column, ...] = ()
    derive: Callable[[dict], dict] | None = None
    #: columns the store fills itself, not from the record (text extracted from a document's files)
    store_only: tuple[str, ...] = ()
    #: columns a list view shows, the first being ``id``
    list_columns: tuple[str, ...] = ()
    #: the SQL ORDER BY of the type's default order (an index backs each)
    order_by: str = "id"
    #: fields of the command line's table
    table: tuple[str, ...] = ()
    #: fields compared between two versions of a record (word by word for text, old and new word for a
    #: coded value), in the order shown; empty: the type's versions are not compared
    compared: tuple[str, ...] = ()

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

    # -- the registry -------------------------------------------------------------------

    def spec(self, name: str) -> Field | None:
        """The field of this name, or None."""
        return self._fields_by_name.get(name)

    @functools.cached_property
    def _fields_by_name(self) -> dict[str, Field]:
        return {f.name: f for f in self.specs}

    @functools.cached_property
    def columns(self) -> tuple[Column, ...]:
        """The table's columns from the record, in the table's order (``id`` first)."""
        return (*(c for f in self.specs for c in f.columns), *self.derived)

    @functools.cached_property
    def _writers(self) -> tuple[tuple[str, Callable[[dict], Any]], ...]:
        return tuple((c.name, c.value) for f in self.specs for c in f.columns if c.value is not None)

    def storage_values(self, record: dict) -> dict:
        """The table columns of one record (besides ``id`` and the meta columns)."""
        out = {name: value(record) for name, value in self._writers}
        if self.derive is not None:
            out.update(self.derive(record))
        return out

    @property
    def title_column(self) -> str:
        """The column that names a record (in a list of changes): ``title``, else ``name``."""
        return "title" if "title" in self.fields else "name"

    @functools.cached_property
    def read_back(self) -> tuple[tuple[str, str], ...]:
        """(column, field) of the columns added to a record read back from the store."""
        return tuple((c.name, c.read_as) for c in self.columns if c.read_as)

    def column_label(self, name: str) -> str:
        """The untranslated header of a list column."""
        for c in self.columns:
            if c.name == name:
                return c.label
        return ""

    def value_words(self, field_name: str) -> dict[str, str]:
        """Coded value -> untranslated word of a coded field (empty when its codes are shown as they are)."""
        f = self._fields_by_name.get(field_name)
        return f.values if f is not None and f.kind == "enum" else {}

    def value_label(self, field_name: str, value: Any) -> str | None:
        """The translated word of a coded value, or None when the field or value is not a coded one."""
        words = self.value_words(field_name)
        return _(words[value]) if isinstance(value, str) and value in words else None


def _t(name, label, plural, fields, required, markdown=(), delegation=False) -> RecordType:
    return RecordType(name, label, plural, fields, required, delegation, markdown)


def _published(name, label, plural, specs: tuple[Field, ...], required, markdown=(), *, lists, order_by="id",
               table, derived=(), derive=None, store_only=(), compared=()) -> RecordType:
    return RecordType(name, label, plural, {f.name: f.check for f in specs}, required, False, markdown,
                      specs, derived, derive, store_only, lists, order_by, table, compared)


_REGION = N_("Region")
_KIND = N_("Kind")
_STATUS = N_("Status")
_MEETING = N_("Meeting")

PUBLISHED_TYPES: dict[str, RecordType] = {
    t.name: t
    for t in (
        _published(
            "region", N_("Region"), N_("Regions"),
            (_id(), _f("name", nonempty_text, N_("Name"))), ("id", "name"),
            lists=("id", "name"), table=("id", "name")),
        _published(
            "organization", N_("Organization"), N_("Organizations"),
            (_id(), _f("name", nonempty_text, N_("Name")),
             _enum("kind", ("rto", "member_state", "sector_member", "secretariat", "other"), _KIND, KIND_WORDS),
             _f("region", text_value, _REGION, "reference", ref="region"),
             _f("country", text_value, N_("Country"))),
            ("id", "name"),
            lists=("id", "name", "kind", "region"), table=("id", "kind", "region", "name")),
        _published(
            "meeting", N_("Meeting"), N_("Meetings"),
            (_id(),
             _enum("kind", ("conference", "rpm", "irpm", "tdag", "study_group", "workshop", "other"), _KIND,
                   KIND_WORDS),
             _title(), _f("region", text_value, _REGION, "reference", ref="region"),
             _f("city", text_value, N_("City")), _f("country", text_value, N_("Country")),
             _f("starts_on", parse_date, N_("Starts"), "date"), _f("ends_on", parse_date, N_("Ends"), "date"),
             _f("timezone", timezone_name, N_("Time zone")), _f("url", text_value, N_("Web page"))),
            ("id", "kind", "title"),
            lists=("id", "title", "kind", "city", "starts_on", "ends_on"),
            order_by="coalesce(starts_on, '9999'), id",
            table=("id", "kind", "starts_on", "ends_on", "city", "title")),
        _published(
            "committee", N_("Committee"), N_("Committees"),
            (_id(), _f("meeting", nonempty_text, _MEETING, "reference", ref="meeting"),
             _f("name", nonempty_text, N_("Name")),
             _enum("kind", ("plenary", "committee", "working_group", "ad_hoc", "rapporteur_group", "editorial"),
                   _KIND, KIND_WORDS),
             _f("chair", text_value, N_("Chair")), _f("mandate", text_value, N_("Mandate"))),
            ("id", "meeting", "name"), ("mandate",),
            lists=("id", "name", "kind", "meeting"), order_by="meeting, id", table=("id", "meeting", "kind", "name")),
        _published(
            "document", N_("Document"), N_("Documents"),
            (_id(), _f("meeting", nonempty_text, _MEETING, "reference", ref="meeting"), _title(),
             _f("source", text_value, N_("Source")), _f("date", parse_date, N_("Date"), "date"),
             _enum("kind", ("contribution", "information", "temporary", "administrative", "report", "other"),
                   _KIND, KIND_WORDS),
             _enum("status", ("published", "withdrawn"), _STATUS, STATUS_WORDS),
             _f("summary", text_value, N_("Summary")), _f("text", text_value, N_("Text")),
             _f("languages", map_of(obj({"title": text_value, "file": text_value})), N_("Languages"), "object",
                store="json"),
             _f("related", list_of(nonempty_text), N_("Related documents"), "list", ref="document", store="json")),
            ("id", "meeting", "title"), ("summary", "text"),
            derived=(Column("sort_key"), Column("sym_number", "INTEGER", read_as="number"),
                     Column("sym_revision", "INTEGER", read_as="revision"),
                     Column("sym_addendum", "INTEGER", read_as="addendum"),
                     Column("sym_corrigendum", "INTEGER", read_as="corrigendum")),
            derive=_document_columns, store_only=("extracted_text",),
            lists=("id", "title", "source", "date", "status"), order_by="sort_key",
            table=("id", "date", "source", "title"), compared=("title", "summary", "text")),
        _published(
            "resolution", N_("Resolution"), N_("Resolutions"),
            (_id(), _enum("body", ("WTDC", "PP", "WTSA", "WRC", "RA"), N_("Body")),
             _f("number", int_or_text, store="text"), _title(), _f("revision", text_value, N_("Revision")),
             _enum("status", ("in_force", "suppressed", "draft"), _STATUS, STATUS_WORDS),
             _f("text", text_value, N_("Text")),
             _f("links", _links, N_("Links"), "list", store="json", values=dict(_LINK_WORDS))),
            ("id", "body", "number", "title"), ("text",),
            derived=(Column("sort_key"),), derive=_numbered_sort_key("body"),
            lists=("id", "title", "revision", "status"), order_by="sort_key",
            table=("id", "revision", "status", "title"), compared=("title", "status", "text")),
        _published(
            "question", N_("Question"), N_("Questions"),
            (_id(), _f("number", nonempty_text),
             _f("study_group", integer, N_("Study group"), "number", sql="INTEGER"),
             _f("period", nonempty_text, N_("Period")), _title(),
             _enum("status", ("new", "continued", "revised", "deleted"), _STATUS, STATUS_WORDS),
             _f("text", text_value, N_("Text")),
             _f("links", _qlinks, N_("Links"), "list", store="json",
                values={k: _LINK_WORDS[k] for k in ("related", "overlap")})),
            ("id", "number", "study_group", "period", "title"), ("text",),
            derived=(Column("sort_key"),), derive=_numbered_sort_key("period"),
            lists=("id", "title", "study_group", "period", "status"), order_by="sort_key",
            table=("id", "study_group", "status", "title"), compared=("title", "status", "text")),
        _published(
            "proposal", N_("Proposal"), N_("Proposals"),
            (_id(), _f("document", nonempty_text, N_("Document"), "reference", ref="document"),
             _f("sources", list_of(nonempty_text), N_("Submitted by"), "list", ref="organization", store="json"),
             _enum("action", ("ADD", "MOD", "SUP", "NOC"), N_("Action")),
             _f("target", obj({"type": one_of(*_TARGET_TYPES), "id": int_or_text}, required=("type", "id")),
                N_("Target"), "object", values=dict(_TARGET_TYPES),
                columns=(_part("target_type", "target", "type"),
                         _part("target_id", "target", "id", N_("Target"), how=_text))),
             _title(text_value), _f("text", text_value, N_("Text")), _f("reasons", text_value, N_("Reasons")),
             _enum("status", ("submitted", "under_discussion", "agreed", "agreed_modified", "not_agreed",
                              "withdrawn", "noted"), _STATUS, STATUS_WORDS),
             _f("committee", text_value, N_("Committee"), "reference", ref="committee"),
             _f("cost", _money, N_("Cost"), "amount",
                columns=(_part("cost_amount", "cost", "amount", sql="REAL"),
                         _part("cost_currency", "cost", "currency")))),
            ("id", "document", "sources", "action", "target"), ("text", "reasons"),
            lists=("id", "title", "action", "target_id", "status"), table=("id", "action", "target", "status", "title"),
            compared=("text", "reasons", "status", "action")),
        _published(
            "session", N_("Session"), N_("Sessions"),
            (_id(), _f("meeting", nonempty_text, _MEETING, "reference", ref="meeting"),
             _f("committee", text_value, N_("Committee"), "reference", ref="committee"), _title(),
             _f("starts_at", parse_datetime, N_("Starts"), "instant", store="utc", list_label=N_("Starts (UTC)")),
             _f("ends_at", parse_datetime, N_("Ends"), "instant", store="utc", list_label=N_("Ends (UTC)")),
             _f("room", text_value, N_("Room")),
             _enum("status", ("scheduled", "changed", "cancelled"), _STATUS, STATUS_WORDS),
             _f("agenda", list_of(obj({"item": int_or_text, "title": text_value,
                                       "documents": list_of(nonempty_text)})), N_("Agenda"), "list", store="json")),
            ("id", "meeting", "title", "starts_at", "ends_at"),
            lists=("id", "title", "starts_at", "ends_at", "room", "status"), order_by="starts_at, id",
            table=("id", "starts_at", "ends_at", "room", "status", "title")),
        _published(
            "contact", N_("Contact"), N_("Contacts"),
            (_id(), _f("name", nonempty_text, N_("Name")), _f("role", text_value, N_("Role")),
             _f("organization", text_value, N_("Organization"), "reference", ref="organization"),
             _f("region", text_value, _REGION, "reference", ref="region"),
             _f("email", text_value, N_("E-mail")), _f("phone", text_value, N_("Phone")),
             _f("languages", list_of(text_value), N_("Languages"), "list", store="json"),
             _f("coordinates", list_of(_subject), N_("Coordinator for"), "list", store="json")),
            ("id", "name"),
            lists=("id", "name", "organization", "region", "email"), order_by="name, id",
            table=("id", "name", "organization", "region", "email")),
        _published(
            "priority", N_("Priority"), N_("Priorities"),
            (_id(), _f("region", nonempty_text, _REGION, "reference", ref="region"), _title(),
             _f("description", text_value, N_("Description")),
             _f("estimated_cost", _money, N_("Estimated cost"), "amount",
                columns=(_part("estimated_amount", "estimated_cost", "amount", N_("Estimated cost"), "REAL"),
                         _part("estimated_currency", "estimated_cost", "currency", N_("Currency")))),
             _f("pledges", list_of(obj({"from": text_value, "amount": number, "currency": text_value,
                                        "status": one_of("announced", "confirmed")}, required=("amount",))),
                N_("Pledges"), "list", store="json")),
            ("id", "region", "title"), ("description",),
            lists=("id", "title", "region", "estimated_amount", "estimated_currency"), order_by="region, id",
            table=("id", "region", "estimated_cost", "title")),
        _published(
            "deadline", N_("Deadline"), N_("Deadlines"),
            (_id(), _f("meeting", text_value, _MEETING, "reference", ref="meeting"), _title(),
             _f("due", date_or_datetime, N_("Due"), "instant",
                columns=(_stored("due", label=N_("Due")), Column("due_utc", value=lambda r: _due_utc(r.get("due"))))),
             _f("description", text_value, N_("Description"))),
            ("id", "title", "due"), ("description",),
            lists=("id", "title", "due", "meeting"), order_by="due_utc, id", table=("id", "due", "meeting", "title")),
    )
}


def reference_fields() -> dict[tuple[str, str], str]:
    """(published type, field) -> the type its value names, for the fields that name one record type."""
    return {(t.name, f.name): f.ref for t in PUBLISHED_TYPES.values() for f in t.specs if f.ref}


def field_labels() -> dict[str, str]:
    """Untranslated labels of the published types' fields by name (one label per name), and of
    their coded values under ``field:code`` (a proposal's target types, link kinds)."""
    labels: dict[str, str] = {}
    for t in PUBLISHED_TYPES.values():
        for f in t.specs:
            if f.label:
                labels.setdefault(f.name, f.label)
            for code, word in f.values.items():
                labels.setdefault(f"{f.name}:{code}", word)
    return labels


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
    return _CANONICAL_JSON.encode(record)


def content_hash(record: dict) -> str:
    import hashlib  # here: the window never hashes a record, and hashlib maps all of OpenSSL's libcrypto

    return hashlib.sha256(canonical_json(record).encode("utf-8")).hexdigest()
