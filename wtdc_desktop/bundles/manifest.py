"""``manifest.json``: parsing and checking the table of contents (spec §2)."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from wtdc_desktop.bundles.errors import BundleError
from wtdc_desktop.bundles.jsoncheck import lone_surrogate, printable_field, too_deep
from wtdc_desktop.bundles.limits import DEFAULT_LIMITS
from wtdc_desktop.domain.filetypes import extension, media_type_disagrees
from wtdc_desktop.domain.records import ALL_TYPES, DELEGATION_TYPES, RecordError, parse_datetime
from wtdc_desktop.i18n import _

FORMAT = "wtdc-bundle"
FORMAT_VERSION = 1
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_DRIVE_RE = re.compile(r"^[A-Za-z]:")
#: Spec §2: a publisher id is lower-case ASCII, a channel name plain ASCII (matched whole: no trailing newline).
PUBLISHER_ID_RE = re.compile(r"[a-z0-9](?:[a-z0-9.-]{0,62}[a-z0-9])?")
CHANNEL_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
#: Delegation bundles written before publisher ids were lower case (``delegation-KEN``): still read,
#: for delegation bundles only, which never reach the published records.
LEGACY_DELEGATION_ID_RE = re.compile(r"delegation-[A-Z0-9]+")


@dataclass(frozen=True)
class Member:
    path: str
    size: int
    sha256: str
    type: str | None = None  # record type, for records/*.jsonl
    count: int | None = None
    media_type: str | None = None


@dataclass(frozen=True)
class Manifest:
    publisher_id: str
    publisher_name: str | None
    channel: str
    sequence: int
    kind: str
    base_sequence: int | None
    created_at: str
    expires_at: str | None
    records: tuple[Member, ...]
    files: tuple[Member, ...]
    deletions: tuple[tuple[str, str], ...]
    sha256: str = ""
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def members(self) -> dict[str, Member]:
        return {m.path: m for m in (*self.records, *self.files)}

    @property
    def channel_key(self) -> str:
        return f"{self.publisher_id}/{self.channel}"


def path_problem(path: str) -> str | None:
    """Why a member path breaks spec §1, or None when it is acceptable."""
    if not path:
        return _("an empty path")
    if "\x00" in path:
        return _("a NUL character in the path")
    if "\\" in path:
        return _("a backslash in the path")
    if path.startswith("/"):
        return _("an absolute path")
    if _DRIVE_RE.match(path):
        return _("a drive letter in the path")
    parts = path.split("/")
    if any(p == ".." for p in parts):
        return _("a “..” segment in the path")
    if any(p in ("", ".") for p in parts):
        return _("an empty or “.” segment in the path")
    if not unicodedata.is_normalized("NFC", path):
        return _("a path that is not NFC-normalised")
    if any(unicodedata.category(ch) == "Cc" for ch in path):
        return _("a control character in the path")
    return None


def valid_publisher_id(value: str) -> bool:
    return PUBLISHER_ID_RE.fullmatch(value) is not None


def valid_channel(value: str) -> bool:
    return CHANNEL_RE.fullmatch(value) is not None


def publisher_id_problem(value: str) -> str | None:
    """Why ``value`` may not be a publisher id (spec §2), in one sentence, or None when it may.

    The id is shown escaped (``'itu-bdt\\u200b'``), so that a space or an invisible character shows.
    """
    if valid_publisher_id(value):
        return None
    return _("the publisher id {id} is not allowed: a publisher id is lower-case ASCII letters, digits, dots and "
             "hyphens, at most 64, beginning and ending with a letter or a digit.").format(id=ascii(value))


def pinnable_publisher_problem(value: str) -> str | None:
    """Why a key may not be pinned for the publisher id ``value``, in one sentence, or None when it may.

    The ids of existing delegation bundles (``delegation-KEN``) are accepted: their keys still sign them.
    """
    if valid_publisher_id(value) or LEGACY_DELEGATION_ID_RE.fullmatch(value):
        return None
    return _("The publisher id {id} is not allowed: a publisher id is lower-case ASCII letters, digits, dots and "
             "hyphens, at most 64, beginning and ending with a letter or a digit.").format(id=ascii(value))


def channel_problem(value: str) -> str | None:
    """Why ``value`` may not be a channel name (spec §2), or None when it may."""
    if valid_channel(value):
        return None
    return _("the channel name {channel} is not allowed: a channel name is ASCII letters, digits, dots, hyphens "
             "and underscores, at most 64, beginning with a letter or a digit.").format(channel=ascii(value))


def _need(cond: bool, where: str, message: str) -> None:
    if not cond:
        raise BundleError(f"{where}: {message}", where=where)


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def too_deep_error(where: str, limit: int) -> BundleError:
    return BundleError(
        _("{where}: the JSON value is nested deeper than the limit of {limit} levels.").format(where=where, limit=limit),
        where=where,
    )


def surrogate_error(where: str, found: tuple[str, str]) -> BundleError:
    """``found`` is what :func:`~wtdc_desktop.bundles.jsoncheck.lone_surrogate` returned."""
    field_name, escape = found
    if field_name:
        message = _("{where}, field “{field}”: the text holds a lone surrogate ({escape}), which is not valid Unicode.")
    else:
        message = _("{where}: the text holds a lone surrogate ({escape}), which is not valid Unicode.")
    return BundleError(message.format(where=where, field=printable_field(field_name), escape=escape), where=where)


def _check_stream(publisher_id: str, channel: str, types: list[str], loc: str) -> None:
    """Spec §2: the publisher id and the channel name, with the upper-case ids of existing delegation bundles."""
    problem = publisher_id_problem(publisher_id)
    if problem is not None and not (any(t in DELEGATION_TYPES for t in types)
                                    and LEGACY_DELEGATION_ID_RE.fullmatch(publisher_id)):
        raise BundleError(f"{loc}: {problem}", where=loc)
    problem = channel_problem(channel)
    _need(problem is None, loc, problem or "")


def parse_manifest(data: bytes, where: str, *, max_depth: int = DEFAULT_LIMITS.json_depth) -> Manifest:
    """Parse and check ``manifest.json``; ``where`` names the bundle in messages.

    ``max_depth`` is the nesting limit of spec §7, checked before the text is parsed.
    """
    loc = f"{where}: manifest.json"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise BundleError(_("{where} is not valid UTF-8.").format(where=loc), where=loc) from None
    if too_deep(text, max_depth):
        raise too_deep_error(loc, max_depth)
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BundleError(
            _("{where} is not valid JSON (line {line}, column {column}: {reason}).").format(
                where=loc, line=exc.lineno, column=exc.colno, reason=exc.msg
            ),
            where=loc,
        ) from None
    found = lone_surrogate(raw, text)
    if found:
        raise surrogate_error(loc, found)
    _need(isinstance(raw, dict), loc, _("the manifest must be a JSON object."))
    _need(raw.get("format") == FORMAT, loc,
          _("“format” must be “{expected}” (got {got}).").format(expected=FORMAT, got=json.dumps(raw.get("format"))))
    version = raw.get("format_version")
    _need(_int(version), loc, _("“format_version” must be a whole number."))
    if version > FORMAT_VERSION:
        raise BundleError(
            _("{where}: this bundle uses format version {version}, newer than this application reads ({known}); update WTDC Desktop to read it.").format(
                where=loc, version=version, known=FORMAT_VERSION
            ),
            where=loc,
        )
    _need(version >= 1, loc, _("“format_version” must be 1 or more."))
    publisher = raw.get("publisher")
    _need(isinstance(publisher, dict) and isinstance(publisher.get("id"), str) and publisher["id"].strip() != "",
          loc, _("“publisher” must be an object with a non-empty “id”."))
    name = publisher.get("name")
    _need(name is None or isinstance(name, str), loc, _("“publisher.name” must be text."))
    channel = raw.get("channel")
    _need(isinstance(channel, str) and channel.strip() != "", loc, _("“channel” must be non-empty text."))
    sequence = raw.get("sequence")
    _need(_int(sequence) and sequence >= 0, loc, _("“sequence” must be a whole number, 0 or more."))
    kind = raw.get("kind")
    _need(kind in ("full", "delta"), loc, _("“kind” must be “full” or “delta”."))
    base = raw.get("base_sequence")
    if kind == "delta":
        _need(_int(base) and 0 <= base < sequence, loc,
              _("a delta needs a “base_sequence” lower than its “sequence”."))
    else:
        _need(base is None or _int(base), loc, _("“base_sequence” must be a whole number or null."))
    for key in ("created_at", "expires_at"):
        value = raw.get(key)
        if value is None and key == "expires_at":
            continue
        try:
            parse_datetime(value, key)
        except RecordError as exc:
            raise BundleError(f"{loc}: {exc.message}.", where=loc) from None

    seen: dict[str, str] = {}

    def member_list(key: str, prefix: str, required: bool) -> list[Member]:
        items = raw.get(key, [] if not required else None)
        _need(isinstance(items, list), loc, _("“{key}” must be a list.").format(key=key))
        if required:
            _need(len(items) >= 1, loc, _("“records” must list at least one records file."))
        out = []
        for i, item in enumerate(items):
            here = f"{loc}, {key}[{i}]"
            _need(isinstance(item, dict), here, _("each entry must be an object."))
            path = item.get("path")
            _need(isinstance(path, str), here, _("“path” must be text."))
            problem = path_problem(path)
            _need(problem is None, here, _("the path “{path}” is not allowed ({problem}).").format(path=path, problem=problem))
            _need(path.startswith(prefix), here, _("the path “{path}” must be under {prefix}.").format(path=path, prefix=prefix))
            folded = path.casefold()
            _need(folded not in seen, here, _("the path “{path}” is listed twice (or differs only by case).").format(path=path))
            seen[folded] = path
            size = item.get("size")
            _need(_int(size) and size >= 0, here, _("“size” must be a whole number, 0 or more."))
            digest = item.get("sha256")
            _need(isinstance(digest, str) and bool(_SHA256_RE.match(digest)), here,
                  _("“sha256” must be 64 lowercase hexadecimal digits."))
            rtype = item.get("type")
            count = item.get("count")
            if key == "records":
                _need(path.endswith(".jsonl") and "/" not in path[len(prefix):], here,
                      _("a records file must be records/<type>.jsonl."))
                _need(isinstance(rtype, str) and rtype != "", here, _("“type” must be text."))
                _need(count is None or (_int(count) and count >= 0), here, _("“count” must be a whole number."))
            media = item.get("media_type")
            _need(media is None or isinstance(media, str), here, _("“media_type” must be text."))
            # application/pdf on a .exe: the file is not what its listing says (nor ever opened)
            _need(media is None or not media_type_disagrees(path, media), here,
                  _("the file “{path}” is listed with the media type “{media_type}”, which its extension “{extension}” "
                    "does not match.").format(path=path, media_type=media, extension=extension(path) or _("(none)")))
            out.append(Member(path, size, digest, rtype if key == "records" else None,
                              count if key == "records" else None, media))
        return out

    records = member_list("records", "records/", True)
    files = member_list("files", "files/", False)
    types = [m.type for m in records]
    dup = {t for t in types if types.count(t) > 1}
    _need(not dup, loc, _("the record type “{type}” has more than one records file.").format(type=", ".join(sorted(dup))))
    _check_stream(publisher["id"], channel, types, loc)

    deletions_raw = raw.get("deletions") or []
    _need(isinstance(deletions_raw, list), loc, _("“deletions” must be a list."))
    deletions = []
    for i, item in enumerate(deletions_raw):
        here = f"{loc}, deletions[{i}]"
        _need(isinstance(item, dict) and isinstance(item.get("type"), str) and isinstance(item.get("id"), str),
              here, _("each deletion must be an object with text “type” and “id”."))
        deletions.append((item["type"], item["id"]))

    return Manifest(
        publisher_id=publisher["id"],
        publisher_name=name,
        channel=channel,
        sequence=sequence,
        kind=kind,
        base_sequence=base,
        created_at=raw["created_at"],
        expires_at=raw.get("expires_at"),
        records=tuple(records),
        files=tuple(files),
        deletions=tuple(deletions),
        sha256=hashlib.sha256(data).hexdigest(),
        raw=raw,
    )


def known_type(name: str | None) -> bool:
    return name in ALL_TYPES
