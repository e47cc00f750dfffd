"""Sync sources (spec §5): a bundle, a folder of bundles, or an HTTPS feed.

For each publisher and channel the shortest chain from the last applied
sequence is chosen (a full bundle newer than it, or deltas whose first base is
it; fewest applies first) and applied in order, each bundle in its own
transaction, each preceded by a backup of the store.

A folder may hold files still being copied: temporary names, archives that
cannot be opened yet, files whose size changes between two looks and bundle
folders whose members do not have their listed sizes yet are passed over
with a note, never treated as failures.

A feed is fetched with a conditional request (its ETag and Last-Modified are
remembered only after a successful sync, so a failed download is retried
whole). Plain ``http://`` is accepted only for loopback addresses, redirects
only to ``https://`` (or, from a loopback address, to another loopback one).
Each bundle is downloaded into a temporary file inside the data folder while
its size and SHA-256 are checked, never reading more than the listed size,
and renamed only when complete.
"""

from __future__ import annotations

import hashlib
import http.client
import ipaddress
import json
import logging
import os
import re
import shutil
import socket
import ssl
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from wtdc_desktop.bundles.apply import ApplyResult, apply_bundle
from wtdc_desktop.bundles.errors import ApplyCancelled, BundleError, BundleRefused
from wtdc_desktop.bundles.limits import DEFAULT_LIMITS, Limits, MiB
from wtdc_desktop.bundles.reader import MANIFEST, Bundle
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import _, ngettext
from wtdc_desktop.store import Store
from wtdc_desktop.store import backup, syncs
from wtdc_desktop.store import sources as source_table

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]

BUNDLE_SUFFIX = ".wtdc.zip"
#: Names of files still being written by a browser, a copy tool or our own writer.
TEMPORARY_SUFFIXES = (".part", ".partial", ".tmp", ".temp", ".crdownload", ".download", ".!qb", "~")
#: A file changed less than this long ago is looked at twice, this far apart.
SETTLE_SECONDS = 1.0
FEED_FORMAT = "wtdc-feed"
FEED_SIZE_LIMIT = 8 * MiB
TIMEOUT_SECONDS = 30.0
#: Bytes a second below which a download is given up (on top of the timeout).
MIN_DOWNLOAD_RATE = 4096
DOWNLOADS_DIR = Path("tmp") / "downloads"
_CHUNK = 256 * 1024
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_URL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")

# Outcomes of a source's sync, as remembered in the ``source`` table.
APPLIED, UP_TO_DATE, REFUSED, UNREACHABLE, CANCELLED, FAILED = (
    "applied", "up_to_date", "refused", "unreachable", "cancelled", "failed")


class SourceRefused(BundleRefused):
    """The source breaks a rule (scheme, redirect, size, hash…); nothing was applied from it."""


class SourceUnreachable(WtdcError):
    """The source cannot be reached now (network, server); try again later."""

    exit_code = 7


@dataclass
class Candidate:
    """One bundle a source offers."""

    location: str  # a path, or an absolute URL
    publisher: str
    channel: str
    sequence: int
    kind: str
    base_sequence: int | None
    size: int | None = None
    sha256: str | None = None  # the archive's hash, as a feed lists it
    records: int = 0  # record count, when the manifest was read

    @property
    def stream(self) -> tuple[str, str]:
        return (self.publisher, self.channel)


@dataclass
class SourceResult:
    location: str
    kind: str  # bundle | folder | feed
    outcome: str = UP_TO_DATE
    message: str | None = None
    applied: list[ApplyResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: WtdcError | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.error is None

    def as_dict(self) -> dict:
        return {
            "location": self.location, "kind": self.kind, "outcome": self.outcome, "message": self.message,
            "notes": list(self.notes),
            "bundles": [{"bundle": r.bundle, "publisher": r.publisher, "channel": r.channel,
                         "sequence": r.sequence, "kind": r.kind, "outcome": r.outcome, "counts": r.counts,
                         "warnings": r.warnings} for r in self.applied],
        }


@dataclass
class SyncOptions:
    force: bool = False
    limits: Limits = DEFAULT_LIMITS
    progress: Progress | None = None
    cancelled: Callable[[], bool] | None = None
    apply_options: dict = field(default_factory=dict)  # passed on to apply_bundle (e.g. trust_key)
    timeout: float = TIMEOUT_SECONDS
    ssl_context: ssl.SSLContext | None = None
    settle: float = SETTLE_SECONDS
    wait: Callable[[float], None] = time.sleep
    backups: bool = True

    def is_cancelled(self) -> bool:
        return bool(self.cancelled and self.cancelled())


# --- what a location is ------------------------------------------------------------------

def is_url(location: str) -> bool:
    return bool(_URL_RE.match(location.strip()))


def normalize_location(location: str) -> str:
    """A URL as given; a path made absolute, so a source is remembered once."""
    location = location.strip()
    if is_url(location):
        return location
    return str(Path(location).expanduser().resolve())


def source_kind(location: str) -> str:
    if is_url(location):
        return "feed"
    path = Path(location)
    if path.is_dir() and not (path / MANIFEST).exists():
        return "folder"
    return "bundle"


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_url(url: str) -> None:
    """Refuse what is not https (plain http only for a loopback address)."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "https":
        return
    if scheme == "http" and is_loopback(parts.hostname):
        return
    if scheme == "http":
        raise SourceRefused(
            _("{url}: plain http is accepted only for loopback addresses; use an https address.").format(url=url)
        )
    raise SourceRefused(
        _("{url}: only https addresses (or http on a loopback address) can be synced.").format(url=url)
    )


# --- choosing what to apply ------------------------------------------------------------------

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


def _unreachable_note(candidates: list[Candidate], chain: list[Candidate], last: int | None, label: str) -> str | None:
    reached = chain[-1].sequence if chain else last
    newer = [c for c in candidates if reached is None or c.sequence > reached]
    if not newer:
        return None
    top = max(newer, key=lambda c: c.sequence)
    return _("{where}: {publisher}/{channel} sequence {sequence} cannot be reached from the last applied sequence ({last}): a delta needs its base applied first; a full bundle is needed.").format(
        where=label, publisher=top.publisher, channel=top.channel, sequence=top.sequence,
        last=reached if reached is not None else _("none"))


def _last_sequence(store: Store, publisher: str, channel: str) -> int | None:
    state = syncs.channel_state(store.conn, publisher, channel)
    return state.last_sequence if state else None


# --- applying ----------------------------------------------------------------------------------------

def _apply_one(store: Store, path: Path, *, source: str, opts: SyncOptions, force: bool = False,
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
        last = _last_sequence(store, m.publisher_id, m.channel)
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


def _apply_chain(store: Store, chain: list[tuple[Candidate, Callable[[], Path]]], result: SourceResult,
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
            applied = _apply_one(store, path, source=cand.location, opts=opts, progress=report, expect=cand)
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


# --- a bundle --------------------------------------------------------------------------------------------

def _sync_bundle(store: Store, location: str, result: SourceResult, opts: SyncOptions) -> None:
    applied = _apply_one(store, Path(location), source=location, opts=opts, force=opts.force,
                         progress=opts.progress)
    result.applied.append(applied)


# --- a folder -----------------------------------------------------------------------------------------------

def _look(path: Path) -> tuple[int, int] | None:
    """What a file (or a bundle folder's manifest) looks like now: size and modification time."""
    try:
        target = path / MANIFEST if path.is_dir() else path
        st = target.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


def _folder_members_complete(bundle: Bundle) -> str | None:
    """For a bundle folder: the first member whose size is not yet the listed one."""
    root = bundle.path
    for member in bundle.manifest.members.values():
        try:
            if (root / member.path).stat().st_size != member.size:
                return member.path
        except OSError:
            return member.path
    return None


def scan_folder(folder: Path, opts: SyncOptions) -> tuple[list[Candidate], list[str]]:
    """The bundles a folder offers, and notes on what was passed over."""
    notes: list[str] = []
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        raise SourceUnreachable(_("The folder {path} cannot be read ({reason}).").format(
            path=folder, reason=exc.strerror or exc)) from None
    paths: list[Path] = []
    for entry in entries:
        name = entry.name
        lower = name.lower()
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
            is_file = entry.is_file(follow_symlinks=False)
        except OSError:
            continue
        if is_file and BUNDLE_SUFFIX in lower and lower.endswith(TEMPORARY_SUFFIXES):
            notes.append(_("{path} was skipped: its name says it is still being copied or downloaded.").format(
                path=entry.path))
            continue
        if name.startswith("."):
            continue
        if is_file and lower.endswith(BUNDLE_SUFFIX):
            paths.append(Path(entry.path))
        elif is_dir and os.path.isfile(os.path.join(entry.path, MANIFEST)):
            paths.append(Path(entry.path))
    first = {p: _look(p) for p in paths}
    candidates: list[Candidate] = []
    for path in paths:
        try:
            with Bundle(path, limits=opts.limits) as bundle:
                m = bundle.manifest
                if path.is_dir():
                    missing = _folder_members_complete(bundle)
                    if missing:
                        notes.append(_("{path} was skipped: the member “{member}” does not have its listed size yet (still being copied?).").format(
                            path=path, member=missing))
                        continue
                records = sum(r.count or 0 for r in m.records)
        except BundleError as exc:
            notes.append(_("{path} was skipped: it cannot be read (still being copied, or damaged): {reason}").format(
                path=path, reason=exc.message))
            continue
        candidates.append(Candidate(location=str(path), publisher=m.publisher_id, channel=m.channel,
                                    sequence=m.sequence, kind=m.kind, base_sequence=m.base_sequence,
                                    size=first[path][0] if first[path] else None, records=records))
    # A file being written changes between two looks; look again after a pause if anything is recent.
    now_ns = time.time_ns()
    recent = any(look and now_ns - look[1] < opts.settle * 1e9 for look in first.values())
    if recent and candidates:
        opts.wait(opts.settle)
    stable = []
    for cand in candidates:
        path = Path(cand.location)
        if _look(path) != first[path]:
            notes.append(_("{path} was skipped: it changed while being looked at (still being copied).").format(
                path=path))
            continue
        stable.append(cand)
    return stable, notes


def _sync_folder(store: Store, folder: str, result: SourceResult, opts: SyncOptions) -> None:
    candidates, notes = scan_folder(Path(folder), opts)
    result.notes.extend(notes)
    streams: dict[tuple[str, str], list[Candidate]] = {}
    for cand in candidates:
        streams.setdefault(cand.stream, []).append(cand)
    plan: list[tuple[Candidate, Callable[[], Path]]] = []
    for (publisher, channel), cands in sorted(streams.items()):
        last = _last_sequence(store, publisher, channel)
        chain = choose_chain(cands, last)
        note = _unreachable_note(cands, chain, last, folder)
        if note:
            result.notes.append(note)
        plan.extend((c, (lambda c=c: Path(c.location))) for c in chain)
    _apply_chain(store, plan, result, opts)


# --- a feed ------------------------------------------------------------------------------------------------------

class _RedirectPolicy(urllib.request.HTTPRedirectHandler):
    """Follow redirects only to https, or between loopback addresses when the first was one."""

    def __init__(self, origin: str) -> None:
        super().__init__()
        self.origin_loopback = is_loopback(urllib.parse.urlsplit(origin).hostname)

    def _check(self, req, fp, newurl: str) -> str:
        newurl = urllib.parse.urljoin(req.full_url, newurl)
        parts = urllib.parse.urlsplit(newurl)
        scheme = parts.scheme.lower()
        if not (scheme == "https" or (scheme == "http" and self.origin_loopback and is_loopback(parts.hostname))):
            fp.close()
            raise SourceRefused(
                _("{url} redirects to {target}, which is not https; the redirect was refused.").format(
                    url=req.full_url, target=newurl))
        return newurl

    def http_error_302(self, req, fp, code, msg, headers):
        # checked before urllib's own scheme check, so that a redirect to file: is refused, not retried later
        target = headers.get("location") or headers.get("uri")
        if target:
            self._check(req, fp, target)
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        newurl = self._check(req, fp, newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener(url: str, opts: SyncOptions) -> urllib.request.OpenerDirector:
    handlers: list = [_RedirectPolicy(url), urllib.request.HTTPSHandler(context=opts.ssl_context)]
    if is_loopback(urllib.parse.urlsplit(url).hostname):
        handlers.append(urllib.request.ProxyHandler({}))  # never send loopback traffic to a proxy
    return urllib.request.build_opener(*handlers)


def _network_error(url: str, exc: BaseException) -> SourceUnreachable:
    if isinstance(exc, urllib.error.HTTPError):
        reason = f"HTTP {exc.code} {exc.reason}"
    elif isinstance(exc, urllib.error.URLError):
        reason = str(exc.reason)
    elif isinstance(exc, (TimeoutError, socket.timeout)):
        reason = _("timed out")
    else:
        reason = str(exc) or type(exc).__name__
    reason = " ".join(str(reason).split())  # one line (urllib's redirect-loop message has several)
    return SourceUnreachable(_("{url} cannot be reached now ({reason}); it will be tried again later.").format(
        url=url, reason=reason))


def _open(url: str, opts: SyncOptions, headers: dict | None = None):
    request = urllib.request.Request(url, headers={"User-Agent": "wtdc-desktop", **(headers or {})})
    try:
        return _opener(url, opts).open(request, timeout=opts.timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return exc
        exc.close()
        raise _network_error(url, exc) from None
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
        if isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, WtdcError):
            raise exc.reason from None
        raise _network_error(url, exc) from None


@dataclass
class Feed:
    url: str
    publisher: str
    channel: str
    bundles: list[Candidate]
    etag: str | None = None
    last_modified: str | None = None


def parse_feed(data: bytes, url: str) -> Feed:
    def bad(reason: str) -> SourceRefused:
        return SourceRefused(_("{url} is not a valid feed: {reason}.").format(url=url, reason=reason))

    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise bad(_("not JSON ({reason})").format(reason=exc)) from None
    if not isinstance(doc, dict) or doc.get("format") != FEED_FORMAT:
        raise bad(_("“format” is not “{format}”").format(format=FEED_FORMAT))
    publisher, channel = doc.get("publisher"), doc.get("channel")
    if not isinstance(publisher, str) or not publisher or not isinstance(channel, str) or not channel:
        raise bad(_("“publisher” and “channel” must be non-empty strings"))
    entries = doc.get("bundles")
    if not isinstance(entries, list):
        raise bad(_("“bundles” must be a list"))
    bundles = []
    for i, entry in enumerate(entries, 1):
        def field_error(name: str) -> SourceRefused:
            return bad(_("bundle {index}: the field “{field}” is missing or malformed").format(index=i, field=name))

        if not isinstance(entry, dict):
            raise bad(_("bundle {index} is not an object").format(index=i))
        seq = entry.get("sequence")
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
            raise field_error("sequence")
        kind = entry.get("kind")
        if kind not in ("full", "delta"):
            raise field_error("kind")
        base = entry.get("base_sequence")
        if kind == "delta" and (not isinstance(base, int) or isinstance(base, bool)):
            raise field_error("base_sequence")
        href = entry.get("url")
        if not isinstance(href, str) or not href:
            raise field_error("url")
        size = entry.get("size")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise field_error("size")
        digest = entry.get("sha256")
        if not isinstance(digest, str) or not _SHA256_RE.match(digest.lower()):
            raise field_error("sha256")
        bundles.append(Candidate(location=urllib.parse.urljoin(url, href), publisher=publisher, channel=channel,
                                 sequence=seq, kind=kind, base_sequence=base if kind == "delta" else None,
                                 size=size, sha256=digest.lower()))
    return Feed(url=url, publisher=publisher, channel=channel, bundles=bundles)


def fetch_feed(url: str, opts: SyncOptions, *, etag: str | None = None,
               last_modified: str | None = None) -> Feed | None:
    """The feed at ``url``, or None when the server says it has not changed (304)."""
    check_url(url)
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    resp = _open(url, opts, headers)
    with resp:
        if getattr(resp, "code", None) == 304 or getattr(resp, "status", None) == 304:
            return None
        try:
            data = resp.read(FEED_SIZE_LIMIT + 1)
        except (OSError, http.client.HTTPException) as exc:
            raise _network_error(url, exc) from None
        if len(data) > FEED_SIZE_LIMIT:
            raise SourceRefused(_("{url}: the feed is over the limit of {limit} bytes.").format(
                url=url, limit=FEED_SIZE_LIMIT))
        feed = parse_feed(data, resp.geturl() or url)
        feed.etag = resp.headers.get("ETag")
        feed.last_modified = resp.headers.get("Last-Modified")
    return feed


def downloads_dir(data_dir: Path) -> Path:
    return Path(data_dir) / DOWNLOADS_DIR


def clean_downloads(data_dir: Path) -> None:
    """Remove what an interrupted download left (callers hold the sync lock)."""
    shutil.rmtree(downloads_dir(data_dir), ignore_errors=True)


def download(cand: Candidate, data_dir: Path, opts: SyncOptions) -> Path:
    """Download a listed bundle, checking size and hash on the way; the finished file's path."""
    url = cand.location
    check_url(url)
    assert cand.size is not None and cand.sha256 is not None
    if cand.size > opts.limits.compressed_size:
        raise SourceRefused(
            _("{url}: the feed lists {size} bytes, over the limit of {limit} bytes for a compressed bundle; refused.").format(
                url=url, size=cand.size, limit=opts.limits.compressed_size))
    folder = downloads_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix="download-", suffix=".part")
    try:
        digest = hashlib.sha256()
        got = 0
        with os.fdopen(fd, "wb") as out:
            resp = _open(url, opts)
            with resp:
                if getattr(resp, "status", 200) != 200:
                    raise _network_error(url, OSError(f"HTTP {resp.status}"))
                announced = resp.headers.get("Content-Length")
                if announced and announced.isdigit() and int(announced) != cand.size:
                    raise SourceRefused(
                        _("{url}: the server announces {announced} bytes, but the feed lists {size}; refused.").format(
                            url=url, announced=announced, size=cand.size))
                # A server that trickles bytes would keep every read under the timeout for ever.
                deadline = time.monotonic() + opts.timeout + cand.size / MIN_DOWNLOAD_RATE
                while got < cand.size:  # never read past the listed size
                    if time.monotonic() > deadline:
                        raise SourceUnreachable(
                            _("{url} sends too slowly (less than {rate} bytes a second); it will be tried again later.").format(
                                url=url, rate=MIN_DOWNLOAD_RATE))
                    try:
                        # read1: what has arrived (up to the rest of the listed size), so the deadline is checked
                        chunk = resp.read1(min(_CHUNK, cand.size - got))
                    except http.client.IncompleteRead as exc:
                        chunk = exc.partial
                        if not chunk:
                            break
                    except (OSError, http.client.HTTPException) as exc:
                        raise _network_error(url, exc) from None
                    if not chunk:
                        break
                    out.write(chunk)
                    digest.update(chunk)
                    got += len(chunk)
                    if opts.is_cancelled():
                        raise ApplyCancelled(_("The download of {url} was cancelled; nothing changed.").format(url=url))
            if got < cand.size:
                raise SourceRefused(
                    _("{url}: the download ended after {got} of the {size} bytes the feed lists (truncated); refused.").format(
                        url=url, got=got, size=cand.size))
            if digest.hexdigest() != cand.sha256:
                raise SourceRefused(
                    _("{url}: the downloaded bytes do not match the SHA-256 the feed lists; refused.").format(url=url))
            out.flush()
            os.fsync(out.fileno())
        final = folder / f"{cand.sha256}{BUNDLE_SUFFIX}"
        os.replace(tmp, final)
        return final
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _sync_feed(store: Store, url: str, result: SourceResult, opts: SyncOptions,
               row: source_table.SourceRow | None) -> tuple[str | None, str | None]:
    """Sync a feed; returns its validators (ETag, Last-Modified) to remember on success."""
    feed = fetch_feed(url, opts, etag=row.etag if row else None,
                      last_modified=row.last_modified if row else None)
    if feed is None:
        result.message = _("{url} has not changed since it was last checked.").format(url=url)
        return row.etag if row else None, row.last_modified if row else None
    last = _last_sequence(store, feed.publisher, feed.channel)
    chain = choose_chain(feed.bundles, last)
    note = _unreachable_note(feed.bundles, chain, last, url)
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
        _apply_chain(store, [(c, getter(c)) for c in chain], result, opts)
    finally:
        for path in downloaded:
            try:
                path.unlink()
            except OSError:
                pass
    return feed.etag, feed.last_modified


# --- one source, whole -------------------------------------------------------------------------------------------------

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
    try:
        if kind == "feed":
            clean_downloads(store.data_dir)
            validators = _sync_feed(store, location, result, opts, row)
        elif kind == "folder":
            if not Path(location).is_dir():
                raise SourceUnreachable(_("The folder {path} is not there now (a USB stick not plugged in?).").format(
                    path=location))
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
