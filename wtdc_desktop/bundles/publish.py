"""Publishing bundles to a folder that a web server serves as a feed (spec §5).

:func:`publish` checks each bundle as ``bundle verify`` does (members, hashes, signature), places
it in the folder and writes the folder's feed document, ``feed.json``. A folder serves one
publisher and channel, as a feed document names one stream.

The feed lists the newest full bundle and every bundle after it (in sequence order), so that a
reader at any sequence since that full bundle can catch up by deltas and any other reader with
the full bundle; entries older than it leave the feed, their files stay (a reader that fetched
the previous feed may still be downloading one). A bundle whose sequence is not newer than the
newest the feed lists is refused.

Nothing in the folder changes unless every bundle passes: each is copied beside its final name
under a temporary one, its copy's hash checked against the verified bundle's, and only then are
the bundles renamed into place, the feed last, so that a reader never sees half a file or a feed
listing a bundle not there yet.

Publications to one folder take turns (:data:`LOCK_NAME`): from reading the feed to writing the
new one, a second waits for the first, so that the feed it writes lists both.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from wtdc_desktop.atomic import atomic_path
from wtdc_desktop.bundles.errors import BundleError, BundleRefused
from wtdc_desktop.bundles.reader import Bundle
from wtdc_desktop.bundles.signing import check_bundle_signature
from wtdc_desktop.bundles.sources.feed import FEED_FORMAT, parse_feed
from wtdc_desktop.bundles.sources.model import BUNDLE_SUFFIX
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import _
from wtdc_desktop.oslock import FileLock

FEED_NAME = "feed.json"
#: The file in the folder that publications lock, one at a time (it stays; it holds nothing).
LOCK_NAME = ".publish.lock"
#: How long a publication waits for another one to the same folder before refusing, in seconds.
LOCK_WAIT_SECONDS = 120.0
_CHUNK = 1 << 20


class PublishRefused(BundleRefused):
    """A bundle that may not be published to this folder; nothing in the folder was changed."""


@dataclass
class Placed:
    """One bundle published: where it came from, its name in the folder, what the feed lists of it."""

    source: str
    name: str
    publisher: str
    channel: str
    sequence: int
    kind: str
    base_sequence: int | None
    size: int
    sha256: str
    signed_by: str | None

    def entry(self) -> dict:
        entry: dict = {"sequence": self.sequence, "kind": self.kind}
        if self.kind == "delta":
            entry["base_sequence"] = self.base_sequence
        entry.update({"url": self.name, "size": self.size, "sha256": self.sha256})
        return entry


@dataclass
class PublishResult:
    folder: Path
    feed: Path
    publisher: str
    channel: str
    published: list[Placed] = field(default_factory=list)
    listed: list[dict] = field(default_factory=list)  # the feed's entries, as written
    unlisted: list[str] = field(default_factory=list)  # files the feed no longer lists (left in place)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "folder": str(self.folder), "feed": str(self.feed), "publisher": self.publisher, "channel": self.channel,
            "published": [{"bundle": p.source, "url": p.name, "sequence": p.sequence, "kind": p.kind,
                           "base_sequence": p.base_sequence, "size": p.size, "sha256": p.sha256,
                           "signed_by": p.signed_by} for p in self.published],
            "listed": list(self.listed), "unlisted": list(self.unlisted), "notes": list(self.notes),
        }


def bundle_name(channel: str, sequence: int, kind: str) -> str:
    """The file name a bundle gets in the folder, as in the spec's example (``WTDC-21-0043-delta.wtdc.zip``)."""
    return f"{channel}-{sequence:04d}{'-delta' if kind == 'delta' else ''}{BUNDLE_SUFFIX}"


def _hash_file(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fp:
        while chunk := fp.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _verified(path: Path, trust_key: bytes | None) -> Placed:
    """Check a bundle whole (as ``bundle verify``); what the feed will say of it."""
    if not path.is_file():
        if path.is_dir():
            raise PublishRefused(_("{path} is a bundle folder; only a bundle file ({suffix}) can be published.").format(
                path=path, suffix=BUNDLE_SUFFIX))
        raise BundleError(_("{where} does not exist or is not a file or folder.").format(where=path))
    with Bundle(path) as bundle:
        m = bundle.manifest
        signer = check_bundle_signature(bundle, trust_key)
        bundle.verify()
    try:
        size, digest = _hash_file(path)
    except OSError as exc:
        raise BundleError(_("Cannot read {path}: {reason}.").format(path=path, reason=exc.strerror or exc)) from None
    return Placed(source=str(path), name=bundle_name(m.channel, m.sequence, m.kind), publisher=m.publisher_id,
                  channel=m.channel, sequence=m.sequence, kind=m.kind, base_sequence=m.base_sequence, size=size,
                  sha256=digest, signed_by=signer.fingerprint if signer else None)


def read_feed(folder: Path) -> dict | None:
    """The folder's feed document as written (relative urls), checked as a reader would; None if there is none."""
    path = folder / FEED_NAME
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise BundleError(_("Cannot read {path}: {reason}.").format(path=path, reason=exc.strerror or exc)) from None
    parse_feed(data, path.resolve().as_uri())  # refuses what a reader would refuse
    return json.loads(data.decode("utf-8"))


def _feed_entries(existing: list[dict], placed: list[Placed]) -> tuple[list[dict], list[str]]:
    """The entries to list (newest full bundle onwards, by sequence) and the names no longer listed."""
    by_sequence = {e["sequence"]: e for e in existing}
    by_sequence.update({p.sequence: p.entry() for p in placed})
    entries = [by_sequence[s] for s in sorted(by_sequence)]
    fulls = [e["sequence"] for e in entries if e["kind"] == "full"]
    keep_from = max(fulls) if fulls else None
    kept = [e for e in entries if keep_from is None or e["sequence"] >= keep_from]
    dropped = [e["url"] for e in entries if keep_from is not None and e["sequence"] < keep_from]
    return kept, dropped


def _check_order(folder: Path, feed: dict | None, placed: list[Placed]) -> tuple[str, str]:
    """Refuse another stream than the feed's, and any sequence not newer than what precedes it."""
    publisher, channel = (feed["publisher"], feed["channel"]) if feed else (placed[0].publisher, placed[0].channel)
    newest = max((e["sequence"] for e in feed["bundles"]), default=None) if feed else None
    given: set[int] = set()
    for p in placed:
        if p.sequence in given:
            raise PublishRefused(_("{bundle} has the same sequence ({sequence}) as another bundle given; nothing was changed.").format(
                bundle=p.source, sequence=p.sequence))
        given.add(p.sequence)
        if (p.publisher, p.channel) != (publisher, channel):
            raise PublishRefused(
                _("{bundle} is of {publisher}/{channel}, but the feed of {folder} is that of {feed_publisher}/{feed_channel}: publish it to another folder; nothing was changed.").format(
                    bundle=p.source, publisher=p.publisher, channel=p.channel, folder=folder,
                    feed_publisher=publisher, feed_channel=channel))
        if newest is not None and p.sequence <= newest:
            raise PublishRefused(
                _("{bundle} has sequence {sequence}, not newer than sequence {newest} already listed for {publisher}/{channel}; nothing was changed.").format(
                    bundle=p.source, sequence=p.sequence, newest=newest, publisher=publisher, channel=channel))
        newest = p.sequence
    return publisher, channel


def _notes(entries: list[dict]) -> list[str]:
    """Deltas whose base the feed does not list: only readers already at that base can use them."""
    listed = {e["sequence"] for e in entries}
    return [_("Sequence {sequence} is a delta on sequence {base}, which the feed does not list: only readers already at sequence {base} can apply it.").format(
        sequence=e["sequence"], base=e["base_sequence"])
        for e in entries if e["kind"] == "delta" and e["base_sequence"] not in listed]


def _new_validators(feed: Path, size: int) -> None:
    """Wait for the next second if the new feed would otherwise look unchanged to a web server.

    nginx's ETag is the file's modification time (in seconds) and size, and Last-Modified is that
    second: a feed rewritten at the same size within the second of the old one would be answered
    304 to readers holding the old one. Servers that answer If-Modified-Since from Last-Modified
    alone (Python's http.server, many static hosts) do so whatever the size: the new feed always
    gets a later second than the old one.
    """
    try:
        old = feed.stat()
    except OSError:
        return
    now = time.time()
    if int(now) <= int(old.st_mtime):
        time.sleep(int(now) + 1 - now)


def _write(folder: Path, placed: list[Placed], text: str) -> None:
    """Copy the bundles in under temporary names, check the copies, then rename them into place, the feed last."""
    with ExitStack() as stack:
        # Entered feed first, so left last: the bundles are renamed into place before the feed.
        feed_tmp = stack.enter_context(atomic_path(folder / FEED_NAME))
        for p in placed:
            tmp = stack.enter_context(atomic_path(folder / p.name))
            shutil.copyfile(p.source, tmp)
            if _hash_file(tmp) != (p.size, p.sha256):
                raise PublishRefused(_("{bundle} changed while it was being published; nothing was changed.").format(
                    bundle=p.source))
        _new_validators(folder / FEED_NAME, len(text.encode("utf-8")))
        feed_tmp.write_text(text, encoding="utf-8")


class PublishBusy(WtdcError):
    """Another publication to the same folder went on for longer than a publication waits."""


def _publish_lock(folder: Path) -> FileLock:
    """The folder's publication lock (creating the folder); see :data:`LOCK_NAME`."""
    def busy() -> PublishBusy:
        return PublishBusy(_("Another publication to {folder} is still running; nothing was changed: try again when it has finished.").format(
            folder=folder))

    def unwritable(exc: OSError) -> WtdcError:
        return WtdcError(_("Cannot publish to {folder}: {reason}.").format(folder=folder, reason=exc.strerror or exc))

    return FileLock(folder / LOCK_NAME, wait=LOCK_WAIT_SECONDS, busy=busy, unwritable=unwritable, write_pid=False)


def publish(bundles: list[Path], folder: Path, *, trust_key: bytes | None = None) -> PublishResult:
    """Place ``bundles`` in ``folder`` and write its feed; raises (nothing changed) if any is refused.

    ``trust_key`` (a public key) requires every bundle to be signed with it.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise BundleError(_("{path} is not a folder.").format(path=folder))
    placed = sorted((_verified(Path(b), trust_key) for b in bundles), key=lambda p: p.sequence)
    if not placed:
        raise BundleError(_("No bundle to publish."))
    created = not folder.exists()
    try:
        # From reading the feed to writing the new one, one publication at a time: two at once
        # would each list their own bundle after the feed both read, and the last written would win.
        with _publish_lock(folder):
            feed = read_feed(folder)
            publisher, channel = _check_order(folder, feed, placed)
            entries, dropped = _feed_entries(feed["bundles"] if feed else [], placed)
            document = dict(feed) if feed else {}  # unknown keys a publisher added stay
            document.update({"format": FEED_FORMAT, "publisher": publisher, "channel": channel, "bundles": entries})
            text = json.dumps(document, ensure_ascii=False, indent=1) + "\n"
            _write(folder, placed, text)
    except BaseException as exc:
        if created:
            shutil.rmtree(folder, ignore_errors=True)
        if isinstance(exc, OSError) and not isinstance(exc, WtdcError):
            raise WtdcError(_("Cannot publish to {folder}: {reason}.").format(
                folder=folder, reason=exc.strerror or exc)) from None
        raise
    result = PublishResult(folder=folder, feed=folder / FEED_NAME, publisher=publisher, channel=channel,
                           published=placed, listed=entries,
                           unlisted=[name for name in dropped if (folder / name).exists()])
    result.notes = _notes(entries)
    return result
