"""What a sync source is and what syncing it gives: locations, candidates, options, results, errors."""

from __future__ import annotations

import re
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from wtdc_desktop import network
from wtdc_desktop.bundles.apply import ApplyResult
from wtdc_desktop.bundles.errors import BundleRefused
from wtdc_desktop.bundles.limits import DEFAULT_LIMITS, Limits
from wtdc_desktop.bundles.reader import MANIFEST
from wtdc_desktop.errors import WtdcError

Progress = Callable[[int, int], None]

BUNDLE_SUFFIX = ".wtdc.zip"
#: A file changed less than this long ago is looked at twice, this far apart.
SETTLE_SECONDS = 1.0
TIMEOUT_SECONDS = network.TIMEOUT_SECONDS
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
    kind: str  # bundle | folder | feed (| timetable, for a remembered timetable's re-import)
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


def check_url(url: str) -> None:
    """Refuse what is not https (plain http only for a loopback address): the network module's rule."""
    try:
        network.check_url(url)
    except network.Refused as exc:
        raise SourceRefused(exc.message) from None
