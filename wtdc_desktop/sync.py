"""One sync of everything remembered: the bundle sources and the published timetables.

``sync`` with no source, ``sync --watch`` and the window's periodic sync all
come here. Bundle sources are synced by :mod:`wtdc_desktop.bundles.sources`,
timetables re-imported by :mod:`wtdc_desktop.exchange.timetable_import`, remembered folders of ITU
documents re-read by :mod:`wtdc_desktop.exchange.itu`; all are
reported as :class:`~wtdc_desktop.bundles.sources.SourceResult` (a timetable's
``kind`` is ``"timetable"``) and scheduled by one
:class:`~wtdc_desktop.bundles.periodic.Scheduler`, at the user's interval.
This module is above both bundles/ and exchange/, so that neither imports the other.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from wtdc_desktop.bundles.periodic import Scheduler
from wtdc_desktop.bundles.sources import APPLIED, FAILED, UP_TO_DATE, SourceResult, SyncOptions, sync_source
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.exchange.timetable_import import import_schedule
from wtdc_desktop.i18n import _, ngettext
from wtdc_desktop.store import Store
from wtdc_desktop.store import sessions as session_store
from wtdc_desktop.store import sources as source_table
from wtdc_desktop.store import team_state
from wtdc_desktop.store.lock import SyncLock


#: The setting holding the remembered folders of ITU documents: location -> meeting, languages, files' state.
ITU_FOLDERS_SETTING = "itu_folders"


def itu_folders(store: Store) -> dict[str, dict]:
    """The remembered folders of ITU documents, each with its options and the state of its files when last read."""
    try:
        value = json.loads(session_store.get_setting(store, ITU_FOLDERS_SETTING) or "{}")
    except ValueError:
        return {}
    if not isinstance(value, dict):
        return {}
    for entry in value.values():
        # (size, mtime_ns, sha256) tuples, as the reader compares them
        entry["state"] = {k: tuple(v) for k, v in (entry.get("state") or {}).items()}
    return value


def remember_itu_folder(store: Store, location: str, *, meeting: str | None = None,
                        languages: list[str] | None = None, state: dict | None = None) -> None:
    """Remember a folder of ITU documents for the periodic sync to re-read (with the state of its files now)."""
    folders = itu_folders(store)
    folders[location] = {"meeting": meeting, "languages": languages, "state": state or {}}
    session_store.set_setting(store, ITU_FOLDERS_SETTING, json.dumps(folders, ensure_ascii=False))


def forget_itu_folder(store: Store, location: str) -> bool:
    folders = itu_folders(store)
    if folders.pop(location, None) is None:
        return False
    session_store.set_setting(store, ITU_FOLDERS_SETTING, json.dumps(folders, ensure_ascii=False) if folders else None)
    return True


def remembered(data_dir: Path | str) -> list[str]:
    """The locations of every remembered bundle source, then of every remembered timetable and ITU folder."""
    with Store(data_dir) as store:
        team = team_state.config(store)
        return [row.location for row in source_table.list_sources(store)] + [
            src["location"] for src in session_store.schedule_sources(store)] + list(itu_folders(store)) + (
            [team["location"]] if team else [])


def sync_all(
    data_dir: Path | str,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    *,
    only: list[str] | None = None,
    on_source: Callable[[SourceResult], None] | None = None,
    options: SyncOptions | None = None,
    lock_wait: float | None = None,
) -> list[SourceResult]:
    """Sync every remembered source and re-import every remembered timetable (or those in ``only``).

    One after the other, under the sync lock: raises :class:`~wtdc_desktop.store.lock.SyncBusy`
    when another sync holds the store. A cancelled sync stops after the item being synced (whose
    bundle in progress is rolled back).
    """
    opts = options or SyncOptions()
    opts.progress = progress or opts.progress
    opts.cancelled = cancelled or opts.cancelled
    results: list[SourceResult] = []

    def report(result: SourceResult) -> None:
        results.append(result)
        if on_source:
            on_source(result)

    with SyncLock(data_dir, wait=lock_wait):
        with Store(data_dir) as store:
            for row in source_table.list_sources(store):
                if only is not None and row.location not in only:
                    continue
                if opts.is_cancelled():
                    return results
                report(sync_source(store, row.location, opts))
            # Published timetables (frab, iCalendar) follow the same schedule as bundles.
            for src in session_store.schedule_sources(store):
                if only is not None and src["location"] not in only:
                    continue
                if opts.is_cancelled():
                    return results
                report(_reimport_timetable(store, src["location"], src["meeting"]))
            # Remembered folders of ITU documents: read again only when a file changed.
            for location, entry in itu_folders(store).items():
                if only is not None and location not in only:
                    continue
                if opts.is_cancelled():
                    return results
                report(_reread_itu_folder(store, location, entry, opts.is_cancelled))
            # The delegation's team: publish this member's changes, merge the others'.
            team = team_state.config(store)
            if team and (only is None or team["location"] in only) and not opts.is_cancelled():
                report(_team_sync(store, team["location"]))
    return results


def _team_sync(store: Store, location: str) -> SourceResult:
    from wtdc_desktop.team import sync as team_sync

    try:
        result = team_sync(store)  # no prompt: the keyring or WTDC_TEAM_PASSWORD
    except WtdcError as exc:
        return SourceResult(location=location, kind="team", outcome=FAILED, message=exc.message, error=exc)
    merged = sum(len(m.sequences) for m in result.members)
    notes = result.problems + [p for m in result.members for p in m.problems]
    if result.conflicts:
        notes.append(ngettext("{count} record changed both here and by a colleague: see the conflicts.",
                              "{count} records changed both here and by a colleague: see the conflicts.",
                              result.conflicts).format(count=result.conflicts))
    if merged or result.published:
        message = ngettext("team: {count} bundle merged", "team: {count} bundles merged", merged).format(count=merged)
        outcome = APPLIED
    else:
        message, outcome = _("team: nothing new"), UP_TO_DATE
    if result.problems and not merged and not result.published:
        return SourceResult(location=location, kind="team", outcome=FAILED, message=result.problems[0], notes=notes,
                            error=WtdcError(result.problems[0]))
    return SourceResult(location=location, kind="team", outcome=outcome, message=message, notes=notes)


def _reread_itu_folder(store: Store, location: str, entry: dict, cancelled) -> SourceResult:
    from wtdc_desktop.exchange.itu.importer import apply_itu_import, read_itu_sources

    if not Path(location).is_dir():
        error = WtdcError(_("The folder of ITU documents {path} is not there (a drive not plugged in?); it is read "
                            "again when it is back.").format(path=location))
        return SourceResult(location=location, kind="itu", outcome=FAILED, message=error.message, error=error)
    try:
        with read_itu_sources([location], meeting=entry.get("meeting"), languages=entry.get("languages"),
                              state=entry.get("state") or {}, cancel=cancelled) as imported:
            if imported.unchanged:
                return SourceResult(location=location, kind="itu", outcome=UP_TO_DATE,
                                    message=_("ITU folder unchanged"))
            applied = apply_itu_import(store, imported)
            remember_itu_folder(store, location, meeting=entry.get("meeting"), languages=entry.get("languages"),
                                state=imported.state)
    except WtdcError as exc:
        return SourceResult(location=location, kind="itu", outcome=FAILED, message=exc.message, error=exc)
    if applied is None:
        return SourceResult(location=location, kind="itu", outcome=UP_TO_DATE,
                            message=_("nothing usable in the ITU folder"))
    return SourceResult(location=location, kind="itu", outcome=APPLIED if applied.changed else UP_TO_DATE,
                        message=_("ITU folder read again") if applied.changed else _("ITU folder unchanged"),
                        applied=[applied])


def _reimport_timetable(store: Store, location: str, meeting: str) -> SourceResult:
    try:
        item = import_schedule(store, location, meeting or None, confirmed=True)  # the meeting chosen at the first import
    except WtdcError as exc:
        return SourceResult(location=location, kind="timetable", outcome=FAILED, message=exc.message, error=exc)
    if item.outcome == "applied":
        message = ngettext("timetable re-imported: {count} session", "timetable re-imported: {count} sessions",
                           item.events).format(count=item.events)
        return SourceResult(location=location, kind="timetable", outcome=APPLIED, message=message)
    return SourceResult(location=location, kind="timetable", outcome=UP_TO_DATE, message=_("timetable unchanged"))


def make_scheduler(data_dir: Path | str, **kwargs) -> Scheduler:
    """The scheduler of every remembered item (keywords as :class:`~wtdc_desktop.bundles.periodic.Scheduler`'s;
    by default :func:`remembered` and :func:`sync_all`)."""
    kwargs.setdefault("known", remembered)
    kwargs.setdefault("sync", sync_all)
    return Scheduler(Path(data_dir), **kwargs)
