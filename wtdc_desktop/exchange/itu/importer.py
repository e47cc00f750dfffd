"""ITU material turned into bundle records: :func:`read_itu_sources`, then :func:`write_itu_bundle`.

Sources are meeting catalogs (``dataroot``), document lists (``page_content``), folders (read
recursively) and single files named by ITU's convention. Catalog entries become ``meeting`` records;
document-list entries and named files become ``document`` records, one per document whatever its
languages (``-A -C -E -F -R -S`` files are the languages of one record) and whatever its revisions
(the latest revision is the record's current content; the store keeps the earlier ones in its history);
the cover page fills what the list did not give; proposal blocks become ``proposal`` records. Nothing
is written to the store here: the records go into a bundle, the one write path.

Input is hostile: XML through defusedxml with a size limit, only .docx .pdf .htm .html .txt .zip (and
.xml) read, a .zip read under the bundle reader's member rules (paths, ratio, size), every file that is
not read listed with its reason, and the rest still read.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from wtdc_desktop.domain.constants import SYMBOL_LETTERS
from wtdc_desktop.exchange.itu import catalog as itu_catalog
from wtdc_desktop.exchange.itu import doclist as itu_doclist
from wtdc_desktop.exchange.itu.cover import Cover, check_against_name, parse_cover_text, read_cover
from wtdc_desktop.exchange.itu.filenames import (
    ItuFileName, NameRefusal, conference_meeting, document_symbol, parse_itu_filename, parse_object_name,
)
from wtdc_desktop.exchange.itu.proposals import UnreadBlock, proposal_record, read_proposals
from wtdc_desktop.exchange.itu.xmlsafe import MAX_XML_BYTES, ItuError, read_limited, root_kind
from wtdc_desktop.i18n import _

#: Kinds of file read; everything else in a folder is listed as skipped.
DOCUMENT_SUFFIXES = (".docx", ".pdf", ".htm", ".html", ".txt")
READ_SUFFIXES = DOCUMENT_SUFFIXES + (".zip", ".xml")
#: Preferred file of a document's language, when several formats are there.
_FORMAT_ORDER = {".docx": 0, ".pdf": 1, ".htm": 2, ".html": 2, ".txt": 3}
#: Largest document file read (and largest .zip member extracted).
MAX_FILE_BYTES = 256 * 1024 * 1024
#: Publisher id used when the caller names none (applying locally).
DEFAULT_PUBLISHER = "itu-import"
_LANG_CODES = set(SYMBOL_LETTERS.values())
_CHANNEL_RE = re.compile(r"[^A-Za-z0-9._-]+")
#: Ids the import writes: printable, no control characters, of a sensible length.
_SAFE_MEETING_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._()-]{0,63}$")
_SAFE_ID_RE = re.compile(r"^[^\x00-\x1f\x7f]{1,200}$")

FileState = tuple[int, int, str]  # size, mtime_ns, sha256


@dataclass(frozen=True)
class Skipped:
    """A file (or XML entry, or .zip member) that was not read, and why."""

    path: str
    reason: str


@dataclass
class ItuImport:
    """What :func:`read_itu_sources` read: records per type, the files they attach, and a report.

    Files taken out of a .zip live in a private temporary folder until :meth:`close` (or the end of a
    ``with`` block): write or apply the import before closing it.
    """

    records: dict[str, list[dict]] = field(default_factory=dict)
    #: bundle path (``files/...``) -> file on disk to copy there
    files: dict[str, Path] = field(default_factory=dict)
    read: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    #: things read but worth the user's eye: cover/name disagreements, unread proposal blocks, missing titles
    problems: list[str] = field(default_factory=list)
    unread_blocks: list[tuple[str, UnreadBlock]] = field(default_factory=list)
    #: document id -> Question ids (``2022-2025:1/1``, ``ITU-T Q2/12``) named by the document list
    question_refs: dict[str, list[str]] = field(default_factory=dict)
    #: path -> (size, mtime_ns, sha256) of every source file, to pass back next time
    state: dict[str, FileState] = field(default_factory=dict)
    #: True when ``state`` showed that no source changed: nothing was read and there is nothing to apply
    unchanged: bool = False
    #: the sources as given (they name the channel a local apply uses)
    sources: list[str] = field(default_factory=list)
    _tmp: tempfile.TemporaryDirectory | None = None

    @property
    def usable(self) -> bool:
        """Whether anything was read that a bundle can carry."""
        return any(self.records.values())

    def counts(self) -> dict[str, int]:
        return {type_name: len(records) for type_name, records in sorted(self.records.items()) if records}

    def report(self) -> dict:
        """What was read, skipped (with reasons) and noticed, as plain data (for ``--json`` and summaries)."""
        return {
            "unchanged": self.unchanged,
            "counts": self.counts(),
            "read": list(self.read),
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
            "problems": list(self.problems),
            "unread_proposals": [{"document": doc, "id": block.id, "reason": block.reason}
                                 for doc, block in self.unread_blocks],
            "questions": {doc: list(ids) for doc, ids in sorted(self.question_refs.items())},
        }

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> "ItuImport":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass
class _File:
    path: Path  # on disk (a .zip member is extracted to a private folder first)
    shown: str  # as named to the user
    name: ItuFileName


@dataclass
class _Doc:
    id: str
    meeting: str
    kind: str
    object_name: str
    parsed: ItuFileName | None = None
    entry: itu_doclist.DocEntry | None = None
    question_period: str | None = None
    files: list[_File] = field(default_factory=list)


# --- small helpers --------------------------------------------------------------------------------

def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fp:
        while chunk := fp.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _languages_wanted(languages: Iterable[str] | None) -> set[str] | None:
    """Language codes asked for, from ITU letters (``E``) or codes (``en``); None for all."""
    if languages is None:
        return None
    wanted = set()
    for item in languages:
        item = item.strip()
        if item.upper() in SYMBOL_LETTERS:
            wanted.add(SYMBOL_LETTERS[item.upper()])
        elif item.lower() in _LANG_CODES:
            wanted.add(item.lower())
        elif item:
            raise ItuError(_("“{language}” is not a language (use A, C, E, F, R or S).").format(language=item))
    return wanted


def _period_years(period: str | None) -> str | None:
    """``2022-2025`` from ``22`` or ``2022`` (ITU's four-year study periods)."""
    if not period or not period.isdigit():
        return None
    start = int(period) + (2000 if len(period) == 2 else 0)
    return f"{start}-{start + 3}"


def _resolution_body(meeting_id: str) -> str | None:
    head = meeting_id.split("-", 1)[0].upper()
    if head in ("WTDC", "TDAG", "RPM"):
        return "WTDC"
    if head in ("PP", "WTSA", "WRC", "RA"):
        return head
    return None


def _document_key(parsed: ItuFileName, meeting: str | None) -> tuple[str, str]:
    """(document record id, meeting id) of a named file or object name; revisions share the id."""
    symbol = document_symbol(parsed, meeting)
    if symbol is not None:
        base = type(symbol)(meeting=symbol.meeting, number=symbol.number, addendum=symbol.addendum,
                            corrigendum=symbol.corrigendum)
        return base.identity, symbol.meeting
    doc_id = parsed.object_name
    if parsed.part_kind == "addendum":
        doc_id += f"(Add.{parsed.part_number})"
    elif parsed.part_kind == "corrigendum":
        doc_id += f"(Corr.{parsed.part_number})"
    if meeting:
        return doc_id, meeting
    conference = conference_meeting(parsed.group, parsed.period)
    if conference:
        return doc_id, conference
    if parsed.date is not None:
        return doc_id, f"{parsed.sector}{parsed.period}-{parsed.group}-{parsed.date:%y%m%d}"
    return doc_id, f"{parsed.sector}{parsed.period}-{parsed.group}"


def _question_id(text: str, sector: str | None, period: str | None) -> str | None:
    parts = itu_doclist.question_parts(text)
    if parts is None:
        return None
    number, group = parts
    if sector == "D" and period:
        return f"{period}:{number}/{group}"
    return f"{ {'T': 'ITU-T', 'R': 'ITU-R'}.get(sector or '', 'ITU') } Q{number}/{group}".strip()


def _questions_line(refs) -> str:
    """The study Questions of a document as a line of its summary: ITU-D Questions as "Question 1/1"
    (the words the window links), other sectors' as ITU writes them ("ITU-T Q2/12")."""
    named = [f"Question {ref.rpartition(':')[2]}" if ":" in ref else ref for ref in refs]
    if not named:
        return ""
    return _("Study Questions: {questions}.").format(questions=", ".join(named))


def _place(title: str | None) -> tuple[str | None, str | None]:
    """(country, city) of a meeting title such as ``Switzerland [Geneva]``."""
    if not title:
        return None, None
    match = re.match(r"^(?P<country>[^\[]+?)\s*\[(?P<city>[^\]]+)\]$", title.strip())
    if match:
        return match.group("country"), match.group("city")
    return None, title.strip()


# --- reading ---------------------------------------------------------------------------------------

class _Reader:
    def __init__(self, *, meeting: str | None, languages: set[str] | None,
                 progress: Callable[[int, int, str], None] | None, cancel: Callable[[], bool] | None) -> None:
        self.meeting = meeting
        self.languages = languages
        self.progress = progress
        self.cancel = cancel
        self.out = ItuImport()
        self.meetings: dict[str, dict] = {}
        self.docs: dict[str, _Doc] = {}
        self.entries: dict[str, tuple[itu_doclist.DocList, itu_doclist.DocEntry]] = {}

    # sources
    def skip(self, path: str, reason: str) -> None:
        if reason.startswith(path) and len(reason) > len(path) + 2:
            # "<path>, line 3: …" is listed under <path> already (French puts a narrow space before the colon)
            reason = re.sub(r"^[\s:,]+", "", reason[len(path):])
        self.out.skipped.append(Skipped(path, reason))

    def xml(self, path: Path) -> None:
        try:
            data = read_limited(path, MAX_XML_BYTES)
            kind = root_kind(data)
            if kind == "catalog":
                self.catalog(itu_catalog.parse_catalog(data, str(path)))
            elif kind == "doclist":
                self.doclist(itu_doclist.parse_doclist(data, str(path)))
            else:
                self.skip(str(path), _("not an ITU meeting catalog (<dataroot>) or document list (<page_content>)"))
                return
        except ItuError as exc:
            self.skip(str(path), exc.message)
            return
        self.out.read.append(str(path))

    def catalog(self, catalog: itu_catalog.Catalog) -> None:
        self.out.problems.extend(catalog.problems)
        for meeting in catalog.meetings:
            record = itu_catalog.meeting_record(meeting)
            if self.meeting and record["id"] != self.meeting:
                continue  # a catalog lists every meeting of a sector; with a meeting given, only that one is kept
            self.meetings.setdefault(record["id"], record)

    def doclist(self, doclist: itu_doclist.DocList) -> None:
        self.out.problems.extend(doclist.problems)
        if doclist.meeting_name and not _SAFE_MEETING_RE.match(doclist.meeting_name):
            self.out.problems.append(_("{where}: “{value}” is not an ITU meeting name; the meeting is left out.").format(
                where=doclist.where, value=doclist.meeting_name[:80]))
            doclist.meeting_name = None
        if doclist.meeting_name:
            meeting_id = self.meeting or itu_catalog.meeting_id_for(doclist.meeting_name)
            group = (doclist.group or "").split("-", 1)[-1]
            country, city = _place(doclist.meeting_titles.get("en"))
            title = doclist.group_titles.get("en") or group or meeting_id
            record = {"id": meeting_id, "kind": itu_catalog.meeting_kind(group), "title": title}
            if city:
                record["city"] = city
            if country:
                record["country"] = country
            if doclist.meeting_start:
                record["starts_on"] = doclist.meeting_start.isoformat()
            if doclist.meeting_end:
                record["ends_on"] = doclist.meeting_end.isoformat()
            known = self.meetings.setdefault(meeting_id, record)
            for key, value in record.items():
                known.setdefault(key, value)
        for entry in doclist.entries:
            parsed = parse_object_name(entry.object_name)
            if isinstance(parsed, NameRefusal):
                self.skip(f"{doclist.where}: {entry.object_name}", parsed.reason)
                continue
            meeting = self.meeting or (itu_catalog.meeting_id_for(entry.meeting_name)
                                       if entry.meeting_name and _SAFE_MEETING_RE.match(entry.meeting_name) else None)
            doc_id, meeting_id = _document_key(parsed, meeting)
            doc = self.docs.get(doc_id) or _Doc(doc_id, meeting_id, parsed.kind, parsed.object_name, parsed)
            doc.entry = entry
            doc.meeting = meeting_id  # the list names the meeting; a file name alone may not
            doc.question_period = _period_years(doclist.study_period)
            self.docs[doc_id] = doc
            questions = [q for q in (_question_id(text, doclist.sector or parsed.sector, doc.question_period)
                                     for text in entry.questions) if q]
            if questions:
                self.out.question_refs[doc_id] = questions
            unknown = [text for text in entry.questions if itu_doclist.question_parts(text) is None]
            for text in unknown:
                self.out.problems.append(_("{where}: “{value}” of {name} is not a Question reference (such as Q2/12).").format(
                    where=doclist.where, value=text, name=entry.object_name))

    def read_file(self, path: Path) -> None:
        """One file of the sources, by its kind."""
        suffix = path.suffix.lower()
        shown = str(path)
        if suffix not in READ_SUFFIXES:
            self.skip(shown, _("not a kind of file that is read (.docx, .pdf, .htm, .html, .txt, .zip, .xml)"))
        elif path.stat().st_size > MAX_FILE_BYTES:
            self.skip(shown, _("larger than {size} MiB").format(size=MAX_FILE_BYTES // (1 << 20)))
        elif suffix == ".xml":
            self.xml(path)
        elif suffix == ".zip":
            self.zip_file(path, shown)
        else:
            self.named_file(path, shown)

    def named_file(self, path: Path, shown: str) -> None:
        parsed = parse_itu_filename(path.name)
        if isinstance(parsed, NameRefusal):
            self.skip(shown, parsed.reason)
            return
        if parsed.part_kind == "unknown":
            self.skip(shown, _("the part code “{part}” is not one ITU uses for revisions (R), addenda (A), "
                               "corrigenda (C) or annexes (N); it is not guessed").format(part=parsed.part_raw))
            return
        if self.languages is not None and parsed.language_code not in self.languages:
            self.skip(shown, _("its language ({letter}) was not asked for").format(letter=parsed.language))
            return
        doc_id, meeting_id = _document_key(parsed, self.meeting)
        doc = self.docs.get(doc_id) or _Doc(doc_id, meeting_id, parsed.kind, parsed.object_name, parsed)
        self.docs[doc_id] = doc
        doc.files.append(_File(path, shown, parsed))

    def zip_file(self, path: Path, shown: str) -> None:
        from wtdc_desktop.bundles.errors import BundleError
        from wtdc_desktop.bundles.limits import GiB, Limits
        from wtdc_desktop.bundles.reader import _ZipContainer

        limits = Limits(uncompressed_size=1 * GiB, members=10_000)
        try:
            container = _ZipContainer(path, shown, limits)
        except BundleError as exc:
            self.skip(shown, exc.message)
            return
        try:
            if self.out._tmp is None:
                self.out._tmp = tempfile.TemporaryDirectory(prefix="wtdc-itu-")
            target_dir = Path(self.out._tmp.name) / hashlib.sha256(str(path).encode()).hexdigest()[:16]
            for name in container.names():
                member_shown = f"{shown}: {name}"
                base = name.rsplit("/", 1)[-1]
                if Path(base).suffix.lower() not in DOCUMENT_SUFFIXES:
                    self.skip(member_shown, _("not a kind of file that is read (.docx, .pdf, .htm, .html, .txt)"))
                    continue
                if isinstance(parse_itu_filename(base), NameRefusal):
                    self.named_file(Path(base), member_shown)  # lists the refusal with its reason
                    continue
                size = container.declared_size(name) or 0
                if size > MAX_FILE_BYTES:
                    self.skip(member_shown, _("larger than {size} MiB").format(size=MAX_FILE_BYTES // (1 << 20)))
                    continue
                target = target_dir / base
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    with container.open(name) as src, open(target, "wb") as dst:
                        copied = 0
                        while chunk := src.read(1 << 20):
                            copied += len(chunk)
                            if copied > MAX_FILE_BYTES:
                                raise BundleError(_("{where} expands beyond its declared size.").format(where=member_shown))
                            dst.write(chunk)
                except (BundleError, OSError, EOFError, ValueError) as exc:
                    self.skip(member_shown, getattr(exc, "message", None) or str(exc))
                    continue
                self.named_file(target, member_shown)
        finally:
            container.close()
        self.out.read.append(shown)
        own = parse_itu_filename(path.name)
        if isinstance(own, ItuFileName) and own.part_kind != "unknown":
            # A document published as a .zip (format ZIP) is a document even when no member is named by the
            # convention: its record exists, without a file (the bundle format attaches no archives).
            doc_id, meeting_id = _document_key(own, self.meeting)
            self.docs.setdefault(doc_id, _Doc(doc_id, meeting_id, own.kind, own.object_name, own))

    # documents
    def build_documents(self) -> None:
        documents, proposals = [], []
        seen_proposals: dict[str, str] = {}
        for doc_id in sorted(self.docs):
            if self.cancel and self.cancel():
                raise ItuError(_("Reading ITU material was cancelled."))
            doc = self.docs[doc_id]
            record, doc_proposals = self.document(doc)
            if record is None:
                continue
            documents.append(record)
            for proposal in doc_proposals:
                if proposal["id"] in seen_proposals:
                    self.out.problems.append(_("The proposal {id} is in {first} and in {second}; the one in {first} is kept.").format(
                        id=proposal["id"], first=seen_proposals[proposal["id"]], second=doc_id))
                    continue
                seen_proposals[proposal["id"]] = doc_id
                proposals.append(proposal)
        self.out.records["meeting"] = self.valid("meeting", sorted(self.meetings.values(), key=lambda r: r["id"]))
        self.out.records["document"] = self.valid("document", documents)
        self.out.records["proposal"] = self.valid("proposal", sorted(proposals, key=lambda r: r["id"]))

    def valid(self, type_name: str, records: list[dict]) -> list[dict]:
        """The records a bundle reader accepts; any other is left out and reported, never sinking the rest."""
        from wtdc_desktop.bundles.limits import DEFAULT_LIMITS
        from wtdc_desktop.bundles.reader import _check_text_sizes
        from wtdc_desktop.domain.records import PUBLISHED_TYPES, RecordError

        kept = []
        for record in records:
            try:
                if not _SAFE_ID_RE.match(str(record.get("id", ""))):
                    raise RecordError(_("the id has characters a bundle does not allow"), "id")
                PUBLISHED_TYPES[type_name].validate(record)
                _check_text_sizes(record, DEFAULT_LIMITS.text_field)
                if len(json.dumps(record, ensure_ascii=False).encode("utf-8")) >= DEFAULT_LIMITS.record_line:
                    raise RecordError(_("the record is over the limit of {limit} bytes").format(
                        limit=DEFAULT_LIMITS.record_line))
            except RecordError as exc:
                self.out.problems.append(_("The {type} “{id}” is not imported ({reason}).").format(
                    type=type_name, id=str(record.get("id"))[:80], reason=exc.message))
                continue
            kept.append(record)
        return kept

    def choose_files(self, doc: _Doc) -> dict[str, _File]:
        """The file of each language: the latest revision, in the preferred format; others reported."""
        chosen: dict[str, _File] = {}
        latest = max((f.name.part_number or 0) if f.name.part_kind == "revision" else 0 for f in doc.files) if doc.files else 0
        for item in doc.files:
            revision = item.name.part_number if item.name.part_kind == "revision" else 0
            if item.name.part_kind == "annex":
                self.skip(item.shown, _("annex part {part} of {doc}: a document carries one file per language, "
                                        "so annex parts are not attached").format(part=item.name.part_raw, doc=doc.id))
                continue
            if revision < latest:
                self.skip(item.shown, _("superseded by revision {revision} of {doc}").format(revision=latest, doc=doc.id))
                continue
            lang = item.name.language_code
            current = chosen.get(lang)
            if current is None or _FORMAT_ORDER.get(item.name.extension, 9) < _FORMAT_ORDER.get(current.name.extension, 9):
                if current is not None:
                    self.skip(current.shown, _("another format of the same language of {doc} is attached").format(doc=doc.id))
                chosen[lang] = item
            else:
                self.skip(item.shown, _("another format of the same language of {doc} is attached").format(doc=doc.id))
        return chosen

    def primary_text(self, primary: _File) -> tuple[Cover, str | None]:
        """The cover (checked against the file name) and the text of a document's main file."""
        from wtdc_desktop.bundles.extract import ExtractError, extract_file

        cover = Cover()
        text = None
        try:
            cover = read_cover(primary.path)
        except ItuError as exc:
            self.out.problems.append(_("{name}: the cover page cannot be read ({reason}).").format(
                name=primary.shown, reason=exc.message))
        cover, disagreements = check_against_name(cover, primary.name, meeting=self.meeting)
        self.out.problems.extend(disagreements)
        try:
            text = extract_file(primary.path, primary.path.name)
        except ExtractError as exc:
            self.out.problems.append(_("{name}: the text cannot be read ({reason}).").format(
                name=primary.shown, reason=exc))
        if text and primary.name.extension not in (".docx", ".pdf"):
            # web pages and text files: the cover is the start of the text
            cover, disagreements = check_against_name(parse_cover_text(text), primary.name, meeting=self.meeting)
            self.out.problems.extend(disagreements)
        return cover, text

    def languages_of(self, doc: _Doc, chosen: dict[str, _File], titles: dict[str, str], title: str) -> dict:
        """The record's ``languages``: each language's title and attached file (files noted for the bundle)."""
        languages = {}
        for lang in sorted(set(chosen) | set(titles)):
            if self.languages is not None and lang not in self.languages:
                continue
            value: dict = {"title": titles.get(lang) or title}
            if lang in chosen:
                bundle_path = f"files/{_CHANNEL_RE.sub('-', doc.meeting)}/{chosen[lang].name.name}"
                self.out.files[bundle_path] = chosen[lang].path
                value["file"] = bundle_path
            languages[lang] = value
        return languages

    def proposals_of(self, doc: _Doc, text: str, cover: Cover, source: str | None, record: dict) -> list[dict]:
        """The proposal records of a document's text; blocks not read whole are reported and the text kept."""
        from wtdc_desktop.bundles.extract import cap_text
        from wtdc_desktop.bundles.limits import DEFAULT_LIMITS

        found, unread = read_proposals(
            text, body=_resolution_body(doc.meeting), question_period=doc.question_period or (
                _period_years(doc.parsed.period) if doc.parsed and doc.parsed.sector == "D" else None),
            cover_source=cover.source or source)
        for block in unread:
            self.out.unread_blocks.append((doc.id, block))
            self.out.problems.append(_("{doc}: the proposal block {id} is not imported ({reason}); its text is kept "
                                       "on the document.").format(doc=doc.id, id=block.id or "?", reason=block.reason))
        if unread:
            # The whole text is kept on the document, so what could not be read is still found by search.
            record["text"] = cap_text(text, DEFAULT_LIMITS.text_field)
        return [proposal_record(p, doc.id) for p in found]

    def document(self, doc: _Doc) -> tuple[dict | None, list[dict]]:
        from wtdc_desktop.bundles.extract import cap_text
        from wtdc_desktop.bundles.limits import DEFAULT_LIMITS

        entry = doc.entry
        chosen = self.choose_files(doc)
        titles = dict(entry.titles) if entry else {}
        primary = chosen.get("en") or next((chosen[k] for k in sorted(chosen)), None)
        cover, text = self.primary_text(primary) if primary is not None else (Cover(), None)
        for item in chosen.values():
            self.out.read.append(item.shown)
        title = titles.get("en") or next((titles[k] for k in sorted(titles)), None) or cover.title
        if not title:
            title = doc.id
            self.out.problems.append(_("{doc}: no title in the document list or on the cover; its id is shown instead.").format(
                doc=doc.id))
        record: dict = {"id": doc.id, "meeting": doc.meeting, "title": title, "kind": doc.kind, "status": "published"}
        source = (entry.main_source if entry else None) or cover.source
        if source:
            record["source"] = source
        date = entry.reception_date.isoformat() if entry and entry.reception_date else cover.date
        if date:
            record["date"] = date
        abstracts = entry.abstracts if entry else {}
        summary = abstracts.get("en") or next((abstracts[k] for k in sorted(abstracts)), None) or cover.summary
        questions = _questions_line(self.out.question_refs.get(doc.id, ()))
        if questions:
            # The format has no field linking a document to a Question: the summary names them, and
            # the detail pane turns "Question 1/1" into a link (unresolved while the store lacks it).
            summary = f"{summary}\n\n{questions}" if summary else questions
        if summary:
            record["summary"] = cap_text(summary, DEFAULT_LIMITS.text_field)
        languages = self.languages_of(doc, chosen, titles, title)
        if languages:
            record["languages"] = languages
        if entry and entry.derived_from:
            related = []
            for name in entry.derived_from:
                parsed = parse_object_name(name)
                related.append(_document_key(parsed, self.meeting)[0] if isinstance(parsed, ItuFileName) else name)
            record["related"] = related
        proposals = self.proposals_of(doc, text, cover, source, record) if text else []
        return record, proposals


def _walk(root: Path) -> Iterable[Path]:
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            yield Path(dirpath) / name


def _collect_files(paths: Iterable[Path | str], reader: "_Reader") -> list[Path]:
    """The files given and those in the folders given (read recursively, links not followed), once each."""
    out = reader.out
    files: list[Path] = []
    for given in paths:
        path = Path(given).expanduser()
        out.sources.append(str(path))
        if path.is_symlink() and not path.exists():
            reader.skip(str(path), _("a link to nothing"))
        elif path.is_dir():
            for item in _walk(path):
                if item.is_symlink():
                    reader.skip(str(item), _("a link; links in a folder are not followed"))
                elif item.is_file():
                    files.append(item)
        elif path.is_file():
            files.append(path)
        else:
            reader.skip(str(path), _("does not exist"))
    return list(dict.fromkeys(files))  # a file given and also inside a given folder is read once


def _file_states(files: list[Path], previous: Mapping[str, FileState], reader: "_Reader") -> dict[str, FileState]:
    """(size, mtime_ns, sha256) of each file; an unchanged size and time keep the previous hash."""
    new_state: dict[str, FileState] = {}
    for path in files:
        try:
            info = path.stat()
        except OSError as exc:
            reader.skip(str(path), exc.strerror or str(exc))
            continue
        key = str(path)
        old = previous.get(key)
        if old is not None and old[0] == info.st_size and old[1] == info.st_mtime_ns:
            new_state[key] = old
            continue
        if path.suffix.lower() not in READ_SUFFIXES:
            new_state[key] = (info.st_size, info.st_mtime_ns, "")
            continue
        try:
            new_state[key] = (info.st_size, info.st_mtime_ns, _sha256(path))
        except OSError as exc:
            reader.skip(str(path), exc.strerror or str(exc))
    return new_state


def read_itu_sources(paths: Iterable[Path | str], *, meeting: str | None = None,
                     languages: Iterable[str] | None = None, state: Mapping[str, FileState] | None = None,
                     progress: Callable[[int, int, str], None] | None = None,
                     cancel: Callable[[], bool] | None = None) -> ItuImport:
    """Read ITU catalogs, document lists, folders and files into bundle records.

    ``meeting`` forces the meeting id (and the symbol prefix of conference documents, e.g. ``WTDC-21``);
    ``languages`` keeps only those languages (ITU letters ``E,F`` or codes ``en,fr``); ``state`` is the
    ``state`` of a previous import: when no source file changed (same size and modification time, or the
    same SHA-256), nothing is read and the result is ``unchanged``. ``progress(done, total, name)`` is
    called per file; ``cancel()`` returning True stops with an :class:`ItuError`. Problems with single
    files never raise: they are listed in ``skipped`` and ``problems``.
    """
    wanted = _languages_wanted(languages)
    reader = _Reader(meeting=meeting, languages=wanted, progress=progress, cancel=cancel)
    out = reader.out
    files = _collect_files(paths, reader)
    previous = dict(state or {})
    new_state = _file_states(files, previous, reader)
    out.state = new_state
    if state is not None and {k: v[0::2] for k, v in new_state.items()} == {k: v[0::2] for k, v in previous.items()}:
        out.unchanged = True
        out.skipped.clear()
        return out
    total = len(files)
    for number, path in enumerate(files, 1):
        if cancel and cancel():
            out.close()
            raise ItuError(_("Reading ITU material was cancelled."))
        if progress:
            progress(number, total, path.name)
        if str(path) in new_state:
            reader.read_file(path)
    try:
        reader.build_documents()
    except BaseException:
        out.close()
        raise
    for type_name in list(out.records):
        if not out.records[type_name]:
            del out.records[type_name]
    return out


# --- writing -----------------------------------------------------------------------------------------

def default_channel(imported: ItuImport) -> str:
    """A channel name for the import: its one meeting, or ``itu-import``."""
    meetings = sorted({r["meeting"] for r in imported.records.get("document", [])}
                      | {r["id"] for r in imported.records.get("meeting", [])})
    if len(meetings) == 1:
        name = _CHANNEL_RE.sub("-", meetings[0]).strip("-._")[:64]
        if name:
            return name
    return "itu-import"


def write_itu_bundle(imported: ItuImport, out_path: Path | str, *, publisher: str, sign_key=None,
                     channel: str | None = None, sequence: int | None = None,
                     publisher_name: str | None = None) -> dict:
    """Write what was read as a full bundle at ``out_path``; returns its manifest.

    ``publisher`` is the publisher id (lower-case, e.g. ``citel-secretariat``); ``sign_key`` an Ed25519
    private key or the path of its key file; ``channel`` defaults to the import's meeting; ``sequence``
    to the current time in seconds, which grows with each publication.
    """
    from wtdc_desktop.bundles.signing import load_private_key
    from wtdc_desktop.bundles.writer import Header, build_bundle

    if not imported.usable:
        raise ItuError(_("Nothing usable was read from the ITU material, so there is no bundle to write."))
    if sign_key is not None and isinstance(sign_key, (str, Path)):
        sign_key = load_private_key(sign_key)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_path.parent, prefix=".itu-bundle-") as tmp:
        src = Path(tmp)
        (src / "records").mkdir()
        for type_name, records in imported.records.items():
            with open(src / "records" / f"{type_name}.jsonl", "w", encoding="utf-8") as fp:
                for record in records:
                    fp.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
        for bundle_path, source in imported.files.items():
            target = src / bundle_path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        header = Header(publisher_id=publisher, publisher_name=publisher_name or _("ITU documents"),
                        channel=channel or default_channel(imported),
                        sequence=sequence if sequence is not None else int(time.time()), kind="full")
        return build_bundle(src, out_path, header, sign_key=sign_key)


def local_channel(imported: ItuImport) -> str:
    """The channel a local apply uses: one per set of sources, so importing another folder never withdraws
    what an earlier import of a different folder brought."""
    key = "\n".join(sorted(os.path.abspath(s) for s in imported.sources))
    return f"itu-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:12]}"


def apply_itu_import(store, imported: ItuImport, *, channel: str | None = None):
    """Apply what was read to the store as a full bundle of the local publisher ``itu-import``.

    Returns the bundle apply's result (its ``counts`` per type say what changed), or None when the import
    is ``unchanged`` or nothing usable was read. The store is unchanged on error.
    """
    from wtdc_desktop.bundles.apply import apply_bundle
    from wtdc_desktop.store.sessions import channel_sequence

    if imported.unchanged or not imported.usable:
        return None
    channel = channel or local_channel(imported)
    sequence = channel_sequence(store, DEFAULT_PUBLISHER, channel) + 1
    with tempfile.TemporaryDirectory(dir=store.data_dir, prefix=".itu-") as tmp:
        out = Path(tmp) / "itu.wtdc.zip"
        write_itu_bundle(imported, out, publisher=DEFAULT_PUBLISHER, channel=channel, sequence=sequence,
                         publisher_name=_("Imported ITU documents"))
        return apply_bundle(store, out, source=", ".join(imported.sources))
