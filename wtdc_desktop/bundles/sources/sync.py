"""Syncing one source (spec §5): a bundle, a folder of bundles, or an HTTPS feed.

For each publisher and channel the shortest chain from the last applied
sequence is chosen (a full bundle newer than it, or deltas whose first base is
it; fewest applies first) and applied in order, each bundle in its own
transaction, each preceded by a backup of the store.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from wtdc_desktop.bundles.apply import clean_file_cache
from wtdc_desktop.bundles.errors import ApplyCancelled, BundleError
from wtdc_desktop.bundles.sources.chain import apply_chain, apply_one, choose_chain, last_sequence, unreachable_note
from wtdc_desktop.bundles.sources.fetch import clean_downloads, download, fetch_feed
from wtdc_desktop.bundles.sources.folder import scan_folder
from wtdc_desktop.bundles.sources.model import (
    APPLIED, CANCELLED, FAILED, REFUSED, UNREACHABLE, UP_TO_DATE, Candidate, SourceResult, SourceUnreachable,
    SyncOptions, normalize_location, source_kind,
)
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import _, ngettext
from wtdc_desktop.store import Store
from wtdc_desktop.store import sources as source_table

log = logging.getLogger(__name__)


def _sync_bundle(store: Store, location: str, result: SourceResult, opts: SyncOptions) -> None:
    applied = apply_one(store, Path(location), source=location, opts=opts, force=opts.force,
                        progress=opts.progress)
    result.applied.append(applied)


def _sync_folder(store: Store, folder: str, result: SourceResult, opts: SyncOptions) -> None:
    if not Path(folder).is_dir():
        raise SourceUnreachable(_("The folder {path} is not there now (a USB stick not plugged in?).").format(
            path=folder))
    candidates, notes = scan_folder(Path(folder), opts)
    result.notes.extend(notes)
    streams: dict[tuple[str, str], list[Candidate]] = {}
    for cand in candidates:
        streams.setdefault(cand.stream, []).append(cand)
    plan: list[tuple[Candidate, Callable[[], Path]]] = []
    for (publisher, channel), cands in sorted(streams.items()):
        last = last_sequence(store, publisher, channel)
        chain = choose_chain(cands, last)
        note = unreachable_note(cands, chain, last, folder)
        if note:
            result.notes.append(note)
        plan.extend((c, (lambda c=c: Path(c.location))) for c in chain)
    apply_chain(store, plan, result, opts)


def _sync_feed(store: Store, url: str, result: SourceResult, opts: SyncOptions,
               row: source_table.SourceRow | None) -> tuple[str | None, str | None]:
    """Sync a feed; returns its validators (ETag, Last-Modified) to remember on success."""
    clean_downloads(store.data_dir)
    feed = fetch_feed(url, opts, etag=row.etag if row else None,
                      last_modified=row.last_modified if row else None)
    if feed is None:
        result.message = _("{url} has not changed since it was last checked.").format(url=url)
        return row.etag if row else None, row.last_modified if row else None
    last = last_sequence(store, feed.publisher, feed.channel)
    chain = choose_chain(feed.bundles, last)
    note = unreachable_note(feed.bundles, chain, last, url)
    if note:
        result.notes.append(note)
    data_dir = store.data_dir
    downloaded: list[Path] = []

    def getter(cand: Candidate) -> Callable[[], Path]:
        def get() -> Path:
            path = download(cand, data_dir, opts)
            downloaded.append(path)
            return path
        return get

    try:
        apply_chain(store, [(c, getter(c)) for c in chain], result, opts)
    finally:
        for path in downloaded:
            try:
                path.unlink()
            except OSError:
                pass
    return feed.etag, feed.last_modified


def sync_source(store: Store, location: str, opts: SyncOptions | None = None) -> SourceResult:
    """Sync one source; the result says what happened (errors are in ``result.error``, never raised).

    The caller holds the sync lock. A remembered source gets its last result noted.
    """
    opts = opts or SyncOptions()
    location = location.strip()
    key = normalize_location(location)
    row = source_table.get_source(store, key) or source_table.get_source(store, location)
    kind = row.kind if row else source_kind(location)
    result = SourceResult(location=row.location if row else location, kind=kind)
    validators: tuple[str | None, str | None] = (None, None)
    # what a killed sync left: partial downloads, temporary files and empty folders in the file cache
    clean_downloads(store.data_dir)
    clean_file_cache(store)
    try:
        if kind == "feed":
            validators = _sync_feed(store, location, result, opts, row)
        elif kind == "folder":
            _sync_folder(store, location, result, opts)
        else:
            _sync_bundle(store, location, result, opts)
    except ApplyCancelled as exc:
        result.outcome, result.message, result.error = CANCELLED, exc.message, exc
    except SourceUnreachable as exc:
        result.outcome, result.message, result.error = UNREACHABLE, exc.message, exc
    except BundleError as exc:
        result.outcome, result.message, result.error = REFUSED, exc.message, exc
    except WtdcError as exc:
        result.outcome, result.message, result.error = FAILED, exc.message, exc
    else:
        applied = [r for r in result.applied if r.outcome == "applied"]
        result.outcome = APPLIED if applied else UP_TO_DATE
        if result.message is None:
            if applied:
                result.message = ngettext("{count} bundle applied, up to sequence {sequence}.",
                                          "{count} bundles applied, up to sequence {sequence}.",
                                          len(applied)).format(count=len(applied), sequence=applied[-1].sequence)
            else:
                result.message = _("Nothing new.")
    if row is not None:
        try:
            source_table.record_result(store, row.location, outcome=result.outcome, message=result.message,
                                       etag=validators[0], last_modified=validators[1],
                                       keep_validators=kind != "feed")
        except WtdcError as exc:  # the result itself stands; only the note of it is lost
            log.warning("could not record the result of %s: %s", row.location, exc)
    return result
