"""Choosing the shortest chain of bundles a source offers, and applying it (each bundle after a backup)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from wtdc_desktop.bundles.apply import ApplyResult, apply_bundle
from wtdc_desktop.bundles.errors import ApplyCancelled, BundleError
from wtdc_desktop.bundles.reader import Bundle
from wtdc_desktop.bundles.sources.model import Candidate, Progress, SourceRefused, SourceResult, SyncOptions
from wtdc_desktop.i18n import _
from wtdc_desktop.store import Store
from wtdc_desktop.store import backup, syncs


def choose_chain(candidates: list[Candidate], last: int | None) -> list[Candidate]:
    """The shortest chain of bundles from ``last`` to the newest sequence it can reach.

    A full bundle may follow any state older than it; a delta only the state
    equal to its base. Fewer applies win, then fewer bytes.
    """
    best: dict[int | None, tuple[int, int, list[Candidate]]] = {last: (0, 0, [])}
    ordered = sorted(candidates, key=lambda c: (c.sequence, c.kind != "full", c.location))
    states = sorted({c.sequence for c in ordered if last is None or c.sequence > last})
    for state in [last, *states]:
        if state not in best:
            continue
        applies, size, chain = best[state]
        for cand in ordered:
            if state is not None and cand.sequence <= state:
                continue
            if cand.kind == "delta" and (state is None or cand.base_sequence != state):
                continue
            if cand.kind not in ("full", "delta"):
                continue
            cost = (applies + 1, size + (cand.size or 0))
            old = best.get(cand.sequence)
            if old is None or cost < old[:2]:
                best[cand.sequence] = (*cost, [*chain, cand])
    target = max((s for s in best if s is not None), default=None)
    if target is None or target == last:
        return []
    return best[target][2]


def unreachable_note(candidates: list[Candidate], chain: list[Candidate], last: int | None, label: str) -> str | None:
    reached = chain[-1].sequence if chain else last
    newer = [c for c in candidates if reached is None or c.sequence > reached]
    if not newer:
        return None
    top = max(newer, key=lambda c: c.sequence)
    return _("{where}: {publisher}/{channel} sequence {sequence} cannot be reached from the last applied sequence ({last}): a delta needs its base applied first; a full bundle is needed.").format(
        where=label, publisher=top.publisher, channel=top.channel, sequence=top.sequence,
        last=reached if reached is not None else _("none"))


def last_sequence(store: Store, publisher: str, channel: str) -> int | None:
    state = syncs.channel_state(store.conn, publisher, channel)
    return state.last_sequence if state else None


def apply_one(store: Store, path: Path, *, source: str, opts: SyncOptions, force: bool = False,
              progress: Progress | None = None, expect: Candidate | None = None) -> ApplyResult:
    """Back the store up (unless the bundle is already applied), then apply the bundle."""
    with Bundle(path, limits=opts.limits) as bundle:  # reads the manifest only
        m = bundle.manifest
        if expect is not None and (m.publisher_id, m.channel, m.sequence, m.kind) != (
                expect.publisher, expect.channel, expect.sequence, expect.kind):
            raise SourceRefused(
                _("{where} holds {publisher}/{channel} sequence {sequence} ({kind}), not what its source lists ({expected}); refused.").format(
                    where=source, publisher=m.publisher_id, channel=m.channel, sequence=m.sequence, kind=m.kind,
                    expected=f"{expect.publisher}/{expect.channel} {expect.sequence} {expect.kind}"))
        already = syncs.applied_manifest(store.conn, m.publisher_id, m.channel, m.sequence) == m.sha256
        last = last_sequence(store, m.publisher_id, m.channel)
        # What apply_bundle will refuse anyway needs no backup (it would only push a useful one out).
        doomed = (not force and last is not None and m.sequence < last) or (
            m.kind == "delta" and m.base_sequence != last)
    if opts.is_cancelled():
        raise ApplyCancelled(_("The sync of {where} was cancelled; nothing changed.").format(where=source))
    taken = backup.make_backup(store, keep=None) if opts.backups and not already and not doomed else None
    try:
        result = apply_bundle(store, path, source=source, force=force, limits=opts.limits, progress=progress,
                              cancelled=opts.cancelled, **opts.apply_options)
    except BaseException:
        if taken is not None:  # refused or cancelled: the store is as the backup; older backups stay
            backup.discard(taken)
        raise
    if taken is not None:
        if result.outcome == "applied":
            backup.rotate(store.data_dir)
        else:
            backup.discard(taken)
    return result


def apply_chain(store: Store, chain: list[tuple[Candidate, Callable[[], Path]]], result: SourceResult,
                opts: SyncOptions) -> None:
    """Apply the chain in order. A refused bundle stops its own stream only; the first refusal is raised at the end."""
    total = sum(c.records for c, _get in chain)
    offset = 0
    refused: list[BundleError] = []
    broken: set[tuple[str, str]] = set()
    for cand, get_path in chain:
        if opts.is_cancelled():
            raise ApplyCancelled(_("The sync of {where} was cancelled; nothing more was applied.").format(
                where=result.location))
        if cand.stream in broken:
            continue
        reached = [0]

        def report(done: int, of: int, offset=offset, reached=reached) -> None:
            reached[0] = done
            if opts.progress:
                opts.progress(offset + done, max(total, offset + of))

        try:
            path = get_path()
            applied = apply_one(store, path, source=cand.location, opts=opts, progress=report, expect=cand)
        except ApplyCancelled:
            raise
        except BundleError as exc:
            refused.append(exc)
            broken.add(cand.stream)
            continue
        result.applied.append(applied)
        offset += max(cand.records or 0, reached[0])
    if refused:
        raise refused[0]
