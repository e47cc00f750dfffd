"""The application's one facade: what the window and the command line do to a data folder.

A :class:`Workspace` holds the store of one data folder and offers the actions both faces
have (load the demo, apply or sync bundles, import a timetable, set a position, export…).
It holds no business logic: each action delegates to ``store/``, ``bundles/`` or
``exchange/``. Each action returns an :class:`Outcome`: its value (what the caller prints or
shows) and the :class:`Changes` it made, from which each view of the window decides whether
to refresh. Neither face imports the other; both import this module.

No Qt here: the PDF writers that need it (``exchange/brief_pdf.py``,
``exchange/coverage_pdf.py``) import it when they run.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from wtdc_desktop.resources import demo_bundle_path

__all__ = ["Changes", "ItuResult", "Outcome", "SourceAdded", "Workspace", "demo_bundle_path"]

T = TypeVar("T")

#: The delegation's own tables (its layer over the published records), as :class:`Changes` names them.
DELEGATION_TABLES = frozenset({
    "position", "note", "star", "read", "assignment", "member", "session_priority", "session_language",
    "contact", "budget", "overlap", "setting", "reminder", "source", "trust",
})


@dataclass(frozen=True)
class Changes:
    """What an action changed in the store (as Anki's OpChanges): each view refreshes only
    when something it shows is among these.

    ``records``: published record types whose rows (or "new/changed since the last sync"
    badges) changed; ``delegation``: the delegation's own tables touched (see
    :data:`DELEGATION_TABLES`); ``syncs``: a sync ran (the sync log, the last-sync times).
    """

    records: frozenset[str] = frozenset()
    delegation: frozenset[str] = frozenset()
    syncs: bool = False

    @classmethod
    def everything(cls) -> Changes:
        """Every record type, every delegation table and the sync log (a restore, a new store)."""
        from wtdc_desktop.domain.records import PUBLISHED_TYPES

        return cls(frozenset(PUBLISHED_TYPES), DELEGATION_TABLES, True)

    @classmethod
    def of(cls, records: Iterable[str] = (), delegation: Iterable[str] = (), syncs: bool = False) -> Changes:
        return cls(frozenset(records), frozenset(delegation), syncs)

    def __bool__(self) -> bool:
        return bool(self.records or self.delegation or self.syncs)

    def __or__(self, other: Changes) -> Changes:
        return Changes(self.records | other.records, self.delegation | other.delegation, self.syncs or other.syncs)

    def touches(self, *, records: Iterable[str] = (), delegation: Iterable[str] = (), syncs: bool = False) -> bool:
        """Whether any of the given record types or delegation tables (or, with ``syncs``, the sync log) changed."""
        return (bool(self.records.intersection(records)) or bool(self.delegation.intersection(delegation))
                or (syncs and self.syncs))

    @property
    def any_records(self) -> bool:
        return bool(self.records)


#: Nothing changed (an export, a refused bundle).
NOTHING = Changes()


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """An action's result (``value``) and what it changed in the store (``changes``)."""

    value: T
    changes: Changes = field(default=NOTHING)


def changes_of_sync(results: Any) -> Changes:
    """What a finished sync changed: a list of source results none of which applied anything
    changed only the sync log; anything else (one applied bundle, an unknown result, a failure
    part-way) may have changed every record type, and their "since the last sync" badges."""
    from wtdc_desktop.bundles.sources import APPLIED

    if isinstance(results, list) and not any(getattr(r, "outcome", APPLIED) == APPLIED for r in results):
        return Changes(syncs=True)
    everything = Changes.everything()
    return Changes(everything.records, frozenset({"source", "trust"}), True)


def _applied(result) -> Changes:
    """What applying one bundle changed: as much as a sync that applied something (the sync log
    only when the bundle was already applied)."""
    if getattr(result, "outcome", None) != "applied":
        return Changes(syncs=True)
    return changes_of_sync(None)


@dataclass(frozen=True)
class SourceAdded:
    """What :meth:`Workspace.add_source` remembered: the location as written, its kind, and whether
    it is new (False: it was already remembered)."""

    location: str
    kind: str
    added: bool


@dataclass(frozen=True)
class ItuResult:
    """What :meth:`Workspace.import_itu` did: the read's report (see ``ItuImport.report``), whether
    anything usable was read, the files' state (to pass back next time), and the apply result or
    the bundle written."""

    report: dict
    usable: bool
    state: dict = field(default_factory=dict)
    applied: Any = None
    manifest: dict | None = None
    out: Path | None = None
    #: the sources as given (folders, XML lists, files)
    sources: tuple[str, ...] = ()

    def shown_path(self, path: str) -> str:
        """A file's path as the user knows it: relative to the folder it was found in, when it was."""
        for source in self.sources:
            prefix = source.rstrip("/\\") + os.sep
            if path.startswith(prefix) and len(path) > len(prefix):
                return path[len(prefix):]
        return path

    def shown_text(self, text: str) -> str:
        """A sentence with the source folders' paths left out of the file paths it names."""
        for source in self.sources:
            text = text.replace(source.rstrip("/\\") + os.sep, "")
        return text

    @property
    def unchanged(self) -> bool:
        return bool(self.report.get("unchanged"))

    @property
    def counts(self) -> dict[str, dict[str, int]]:
        """Per record type, what the apply did (new, changed, withdrawn, unchanged); empty when not applied."""
        return dict(self.applied.counts) if self.applied is not None else {}

    @property
    def changed(self) -> bool:
        return self.applied is not None and self.applied.changed


class Workspace:
    """The store of one data folder and the actions on it.

    ``Workspace.open(data_dir)`` opens (or creates) the store; ``Workspace(store)`` wraps a store
    already open (the window's). Used as a context manager, it closes its store at the end.
    ``Workspace(None)`` has no store, for the actions that touch none (``import_itu`` with ``out``).
    """

    def __init__(self, store) -> None:
        self.store = store

    @classmethod
    def open(cls, data_dir: Path | str | None = None) -> Workspace:
        """Open the store in ``data_dir`` (the user data folder when None), creating it if need be."""
        from wtdc_desktop.store import Store

        return cls(Store(data_dir))

    @property
    def data_dir(self) -> Path:
        return Path(self.store.data_dir)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- content -----------------------------------------------------------------------------

    def is_empty(self) -> bool:
        """No published record yet (a first launch)."""
        from wtdc_desktop.store import syncs

        return syncs.is_empty(self.store)

    def apply_bundle(self, path: Path | str, *, source: str | None = None, **options) -> Outcome:
        """Apply one bundle file or folder (``options`` as :func:`bundles.apply.apply_bundle`'s)."""
        from wtdc_desktop.bundles.apply import apply_bundle

        result = apply_bundle(self.store, path, source=source, **options)
        return Outcome(result, _applied(result))

    def load_demo(self) -> Outcome:
        """Apply the built-in demo bundle."""
        return self.apply_bundle(demo_bundle_path(), source="demo")

    def sync_source(self, location: str, options=None) -> Outcome:
        """Sync one bundle, folder or feed (the caller holds the sync lock); errors are in the value."""
        from wtdc_desktop.bundles.sources import sync_source

        result = sync_source(self.store, location, options)
        return Outcome(result, changes_of_sync([result]))

    @staticmethod
    def sync_all(data_dir: Path | str, progress=None, cancelled=None, **kwargs) -> Outcome:
        """Sync every remembered source and timetable of ``data_dir`` (each under the sync lock)."""
        from wtdc_desktop.sync import sync_all

        results = sync_all(data_dir, progress, cancelled, **kwargs)
        return Outcome(results, changes_of_sync(results))

    @staticmethod
    def import_schedule(data_dir: Path | str, location: str, meeting: str | None = None, *, force: bool = False,
                        confirmed: bool = False, title: str | None = None) -> Outcome:
        """Import a published timetable (a file, a folder or an https address) as a bundle, under the sync lock.

        Without ``meeting``, into the file's own conference; ``confirmed``: the user chose to add it to a
        meeting of another conference, or to move the sessions of an earlier import (see
        :func:`exchange.timetable_import.import_schedule`)."""
        from wtdc_desktop.exchange.timetable_import import import_schedule_locked

        result = import_schedule_locked(data_dir, location, meeting, force=force, confirmed=confirmed, title=title)
        changed = result.outcome not in ("not_modified", "unchanged")  # a new sync: every type's badges move
        return Outcome(result, changes_of_sync(None) if changed else Changes(syncs=True))

    @staticmethod
    def preview_schedule(data_dir: Path | str, location: str) -> Outcome:
        """What a timetable is (its conference, zone, sessions) and where an earlier import put it; writes nothing."""
        from wtdc_desktop.exchange.timetable_import import preview_schedule_in

        return Outcome(preview_schedule_in(data_dir, location), NOTHING)

    def import_itu(self, sources: Iterable[Path | str], *, meeting: str | None = None,
                   languages: Iterable[str] | None = None, out: Path | str | None = None,
                   sign_key=None, publisher: str | None = None, state=None, progress=None,
                   cancelled=None, remember: bool = False) -> Outcome[ItuResult]:
        """Read ITU catalogs, document lists, folders and files; apply them, or write a bundle at ``out``.

        Without ``out`` what was read is applied as a bundle under the sync lock (the value's ``applied``
        is the apply result, its counts per type); with ``out`` a full bundle of ``publisher`` (signed
        with ``sign_key``, a private key or its file) is written and the store is not touched. ``state``
        is the ``state`` of an earlier read of the same sources: when nothing changed, nothing is read.
        ``progress(done, total, name)`` and ``cancelled()`` as :func:`exchange.itu.importer.read_itu_sources`'s.
        ``remember`` (one folder, applied) has the periodic sync re-read the folder when its files change.
        """
        from wtdc_desktop.errors import WtdcError
        from wtdc_desktop.exchange.itu.importer import apply_itu_import, read_itu_sources, write_itu_bundle
        from wtdc_desktop.i18n import _
        from wtdc_desktop.store.lock import SyncLock

        sources = [os.path.abspath(Path(s).expanduser()) for s in sources]
        if remember and (out is not None or len(sources) != 1 or not Path(sources[0]).is_dir()):
            raise WtdcError(_("Only one folder, applied to the store, can be remembered for the periodic sync."))
        with read_itu_sources(sources, meeting=meeting, languages=languages, state=state,
                              progress=progress, cancel=cancelled) as imported:
            report = imported.report()
            if out is not None:
                manifest = None
                if imported.usable:
                    manifest = write_itu_bundle(imported, out, publisher=publisher or "itu-import",
                                                sign_key=sign_key)
                return Outcome(ItuResult(report, imported.usable, imported.state, manifest=manifest,
                                         out=Path(out), sources=tuple(imported.sources)))
            applied = None
            remembered = Changes()
            if imported.usable and not imported.unchanged:
                with SyncLock(self.data_dir):
                    applied = apply_itu_import(self.store, imported)
                    if remember:
                        from wtdc_desktop.sync import remember_itu_folder

                        remember_itu_folder(self.store, sources[0], meeting=meeting,
                                            languages=list(languages) if languages else None, state=imported.state)
                        remembered = Changes.of(delegation=("setting",))
            changes = remembered | (NOTHING if applied is None else (
                _applied(applied) if applied.changed else Changes(syncs=True)))
            return Outcome(ItuResult(report, imported.usable, imported.state, applied=applied,
                                     sources=tuple(imported.sources)), changes)

    # -- the delegation's own records ----------------------------------------------------------

    def set_position(self, subject_type: str, subject_id: str, **values) -> Outcome[str]:
        """Create or change the position on a record (``values`` as :func:`store.positions.save_position`'s)."""
        from wtdc_desktop.store import positions

        pid = positions.save_position(self.store, subject_type, subject_id, **values)
        return Outcome(pid, Changes.of(records=(subject_type,), delegation=("position",)))

    def choose_position_version(self, conflict_id: int, choices: dict[str, str], *,
                                changed_by: str | None = None) -> Outcome[None]:
        """Settle a colleague's differing version of a position, field by field (``choices``: field ->
        "local" or "remote"), as :func:`store.positions.resolve_position_edit_conflict`."""
        from wtdc_desktop.store import positions

        positions.resolve_position_edit_conflict(self.store, conflict_id, choices, changed_by=changed_by)
        return Outcome(None, Changes.of(delegation=("position",)))

    def set_star(self, type_name: str, record_id: str, starred: bool = True) -> Outcome[None]:
        """Star (or, with ``starred`` False, unstar) a record."""
        from wtdc_desktop.store import record_marks

        record_marks.set_star(self.store, type_name, record_id, starred)
        return Outcome(None, Changes.of(delegation=("star",)))

    def mark_read(self, type_name: str, record_id: str, read: bool = True) -> Outcome[None]:
        """Mark a record read (remembering the version read) or, with ``read`` False, unread."""
        from wtdc_desktop.store import record_marks

        record_marks.mark_read(self.store, type_name, record_id, read)
        return Outcome(None, Changes.of(delegation=("read",)))

    def save_note(self, subject_type: str, subject_id: str, body: str, *, note_id: str | None = None,
                  author: str | None = None) -> Outcome[str | None]:
        """Write a note on a record: a new one, or ``note_id`` changed; a blank ``body`` deletes
        ``note_id`` (and writes nothing without it). The value is the note's id (None: no note)."""
        from wtdc_desktop.store import record_marks

        if not body.strip():
            if note_id is None:
                return Outcome(None)
            record_marks.delete_note(self.store, note_id)
            return Outcome(None, Changes.of(delegation=("note",)))
        note_id = record_marks.save_note(self.store, subject_type, subject_id, body, note_id=note_id, author=author)
        return Outcome(note_id, Changes.of(delegation=("note",)))

    # -- the delegation's coverage of the sessions ----------------------------------------------

    def save_member(self, name: str, *, role: str | None = None, languages: list[str] | None = None,
                    days_present=None, me: bool = False) -> Outcome[None]:
        """Add a delegation member or change the fields given (with ``me``, as the member using this computer)."""
        from wtdc_desktop.store import sessions

        sessions.save_member(self.store, name, role=role, languages=languages, days_present=days_present, me=me)
        return Outcome(None, Changes.of(delegation=("member", "setting") if me else ("member",)))

    def remove_member(self, name: str) -> Outcome[None]:
        """Remove a member with their assignments (and as the member using this computer, if they were)."""
        from wtdc_desktop.store import sessions

        sessions.remove_member(self.store, name)
        return Outcome(None, Changes.of(delegation=("member", "assignment", "setting")))

    def set_me(self, name: str | None) -> Outcome[None]:
        """Who uses this computer (None: nobody), for reminders and the calendar of "my" sessions."""
        from wtdc_desktop.store import sessions

        sessions.set_setting(self.store, sessions.SETTING_ME, name)
        return Outcome(None, Changes.of(delegation=("setting",)))

    def set_reminder_minutes(self, minutes: int) -> Outcome[None]:
        """How many minutes before a session its reminder comes."""
        from wtdc_desktop.store import sessions

        sessions.set_setting(self.store, sessions.SETTING_REMINDER_MINUTES, str(minutes))
        return Outcome(None, Changes.of(delegation=("setting",)))

    def assign_member(self, session_id: str, member: str, role: str = "lead") -> Outcome[None]:
        """Have a member cover a session in a role (lead, support, observer)."""
        from wtdc_desktop.store import sessions

        sessions.assign(self.store, session_id, member, role)
        return Outcome(None, Changes.of(delegation=("assignment",)))

    def unassign(self, session_id: str, member: str) -> Outcome[None]:
        """A member no longer covers a session."""
        from wtdc_desktop.store import sessions

        sessions.unassign(self.store, session_id, member)
        return Outcome(None, Changes.of(delegation=("assignment",)))

    def set_session_priority(self, session_id: str, priority: str | None) -> Outcome[None]:
        """The delegation's priority for a session (None: none)."""
        from wtdc_desktop.store import sessions

        sessions.set_priority(self.store, session_id, priority)
        return Outcome(None, Changes.of(delegation=("session_priority",)))

    def note_session_languages(self, session_id: str, languages: list[str] | None,
                               interpretation: str | None) -> Outcome[None]:
        """Note the languages a session is held in and its interpretation (both empty: forget the note)."""
        from wtdc_desktop.store import sessions

        sessions.set_session_language(self.store, session_id, languages, interpretation)
        return Outcome(None, Changes.of(delegation=("session_language",)))

    def mark_reminded(self, reminder) -> Outcome[None]:
        """Remember that a reminder was shown, so that it is not shown again."""
        from wtdc_desktop.store import sessions

        sessions.mark_reminded(self.store, reminder)
        return Outcome(None, Changes.of(delegation=("reminder",)))

    def dismiss_session_changes(self) -> Outcome[None]:
        """The sessions' moves and cancellations found by the syncs so far have been seen."""
        from wtdc_desktop.store import sessions

        sessions.dismiss_changes(self.store)
        return Outcome(None, Changes.of(delegation=("setting",)))

    # -- the delegation's contacts, budget and overlaps -------------------------------------------

    def save_contact(self, contact: dict, *, contact_id: str | None = None) -> Outcome[str]:
        """Create (or, with ``contact_id``, change) a private contact; the value is its id."""
        from wtdc_desktop.store import contact_book

        cid = contact_book.save_private_contact(self.store, contact, contact_id=contact_id)
        return Outcome(cid, Changes.of(delegation=("contact",)))

    def delete_contact(self, contact_id: str) -> Outcome[None]:
        """Delete a private contact."""
        from wtdc_desktop.store import contact_book

        contact_book.delete_private_contact(self.store, contact_id)
        return Outcome(None, Changes.of(delegation=("contact",)))

    def import_contacts(self, contacts: list[dict]) -> Outcome[list[str]]:
        """Add contacts (as :func:`exchange.vcard.parse_vcf` reads them) to the private contacts, all
        or none; the value is their ids."""
        from wtdc_desktop.store import contact_book

        ids = contact_book.save_private_contacts(self.store, contacts)
        return Outcome(ids, Changes.of(delegation=("contact",)) if ids else NOTHING)

    def set_available_budget(self, amount: float, currency: str) -> Outcome[None]:
        """The amount the delegation has available (currency: three letters)."""
        from wtdc_desktop.store import budget

        budget.set_available_budget(self.store, amount, currency)
        return Outcome(None, Changes.of(delegation=("budget",)))

    def decide_overlap(self, a: tuple[str, str], b: tuple[str, str], decision: str | None, *,
                       score: float | None = None, decided_by: str | None = None) -> Outcome[None]:
        """Confirm or dismiss a suggested overlap of two records (type, id); None forgets the decision."""
        from wtdc_desktop.store import overlaps

        overlaps.decide_overlap(self.store, a, b, decision, score=score, decided_by=decided_by)
        return Outcome(None, Changes.of(delegation=("overlap",)))

    # -- sources and trust -------------------------------------------------------------------------

    def add_source(self, location: str) -> Outcome[SourceAdded]:
        """Remember a bundle, a folder of bundles or an https feed for the sync (a path made absolute;
        a URL that is not https, except on loopback, is refused)."""
        from wtdc_desktop.bundles.sources import check_url, is_url, normalize_location, source_kind
        from wtdc_desktop.store import sources

        location = normalize_location(location)
        if is_url(location):
            check_url(location)
        kind = source_kind(location)
        added = sources.add_source(self.store, location, kind)
        return Outcome(SourceAdded(location, kind, added), Changes.of(delegation=("source",)) if added else NOTHING)

    def remove_source(self, location: str) -> Outcome[bool]:
        """Forget a remembered source (as given, or as ``add_source`` wrote it); the value: whether one was."""
        from wtdc_desktop.bundles.sources import normalize_location
        from wtdc_desktop.store import sources

        removed = sources.remove_source(self.store, location) or sources.remove_source(
            self.store, normalize_location(location))
        return Outcome(removed, Changes.of(delegation=("source",)) if removed else NOTHING)

    def trust_key(self, publisher: str, public_key: bytes, *, origin: str = "user") -> Outcome[str]:
        """Pin a publisher's public key (raw bytes); the value is its fingerprint."""
        from wtdc_desktop.bundles.signing import fingerprint
        from wtdc_desktop.store import trust

        fp = fingerprint(public_key)
        trust.pin_key(self.store, publisher, public_key, fp, origin)
        return Outcome(fp, Changes.of(delegation=("trust",)))

    # -- exports (they change nothing) -----------------------------------------------------------

    def export_brief(self, out: Path | str, fmt: str = "pdf", *, meeting: str | None = None,
                     committee: str | None = None, session: str | None = None) -> Outcome[dict]:
        """Write a brief pack (``fmt`` "pdf" or "docx"); the value is the pack written."""
        from wtdc_desktop.store import brief_packs

        pack = brief_packs.brief_pack(self.store, meeting=meeting, committee=committee, session=session)
        write_brief(pack, out, fmt)
        return Outcome(pack)

    def export_coverage(self, out: Path | str, fmt: str = "csv", *, meeting: str | None = None) -> Outcome[int]:
        """Write the coverage board as CSV or PDF; the value is the number of sessions."""
        if fmt == "csv":
            from wtdc_desktop.exchange.coverage import export_csv

            return Outcome(export_csv(self.store, out, meeting=meeting))
        from wtdc_desktop.exchange.coverage_pdf import export_pdf_offscreen

        return Outcome(export_pdf_offscreen(self.store, out, meeting=meeting))


def write_brief(pack: dict, out: Path | str, fmt: str = "pdf"):
    """Write a brief pack already read (a worker of the window reads it on its own connection)."""
    if fmt == "docx":
        from wtdc_desktop.exchange.brief_docx import write_docx

        return write_docx(pack, out)
    from wtdc_desktop.exchange.brief_pdf import write_pdf

    return write_pdf(pack, out)
