"""Sync sources (spec §5): a bundle, a folder of bundles, or an HTTPS feed.

One module per job:

- :mod:`.model`: what a source is (locations, candidates, options, results, errors);
- :mod:`.folder`: scanning a folder, passing over what is still being copied;
- :mod:`.feed`: the feed format;
- :mod:`.fetch`: fetching a feed and downloading its bundles (through :mod:`wtdc_desktop.network`);
- :mod:`.chain`: choosing the shortest chain of bundles and applying it, each after a backup;
- :mod:`.sync`: syncing one source, whole (:func:`sync_source`).

The names callers use are importable from the package itself.
"""

from wtdc_desktop.bundles.sources.chain import choose_chain
from wtdc_desktop.bundles.sources.feed import FEED_FORMAT, Feed, parse_feed
from wtdc_desktop.bundles.sources.fetch import FEED_SIZE_LIMIT, clean_downloads, download, downloads_dir, fetch_feed
from wtdc_desktop.bundles.sources.folder import TEMPORARY_SUFFIXES, scan_folder
from wtdc_desktop.bundles.sources.model import (
    APPLIED, BUNDLE_SUFFIX, CANCELLED, FAILED, REFUSED, SETTLE_SECONDS, TIMEOUT_SECONDS, UNREACHABLE, UP_TO_DATE,
    Candidate, SourceRefused, SourceResult, SourceUnreachable, SyncOptions, check_url, is_url, normalize_location,
    source_kind,
)
from wtdc_desktop.bundles.sources.sync import sync_source

__all__ = [
    "APPLIED", "BUNDLE_SUFFIX", "CANCELLED", "FAILED", "FEED_FORMAT", "FEED_SIZE_LIMIT", "REFUSED",
    "SETTLE_SECONDS", "TEMPORARY_SUFFIXES", "TIMEOUT_SECONDS", "UNREACHABLE", "UP_TO_DATE",
    "Candidate", "Feed", "SourceRefused", "SourceResult", "SourceUnreachable", "SyncOptions",
    "check_url", "choose_chain", "clean_downloads", "download", "downloads_dir", "fetch_feed", "is_url",
    "normalize_location", "parse_feed", "scan_folder", "source_kind", "sync_source",
]
