"""Fetching a feed and downloading the bundles it lists, through the network module.

A feed is fetched with a conditional request (its ETag and Last-Modified are
remembered only after a successful sync, so a failed download is retried
whole). Each bundle is downloaded into a temporary file inside the data folder
while its size and SHA-256 are checked, never reading more than the listed
size, and renamed only when complete. The network's rules (https only, except
loopback; redirects; proxies; timeouts) are :mod:`wtdc_desktop.network`'s; its
errors become :class:`SourceRefused` and :class:`SourceUnreachable` here.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

from wtdc_desktop import network
from wtdc_desktop.atomic import atomic_write
from wtdc_desktop.bundles.errors import ApplyCancelled
from wtdc_desktop.bundles.limits import MiB
from wtdc_desktop.bundles.sources.feed import Feed, parse_feed
from wtdc_desktop.bundles.sources.model import BUNDLE_SUFFIX, Candidate, SourceRefused, SourceUnreachable, SyncOptions
from wtdc_desktop.i18n import _

FEED_SIZE_LIMIT = 8 * MiB
DOWNLOADS_DIR = Path("tmp") / "downloads"


@contextlib.contextmanager
def _source_errors() -> Iterator[None]:
    """The network's errors as a source's (refused: nothing applied; unreachable: try again later)."""
    try:
        yield
    except network.Refused as exc:
        raise SourceRefused(exc.message) from None
    except network.Unreachable as exc:
        raise SourceUnreachable(exc.message) from None


def fetch_feed(url: str, opts: SyncOptions, *, etag: str | None = None,
               last_modified: str | None = None) -> Feed | None:
    """The feed at ``url``, or None when the server says it has not changed (304)."""
    with _source_errors():
        try:
            fetched = network.fetch(url, limit=FEED_SIZE_LIMIT, timeout=opts.timeout, ssl_context=opts.ssl_context,
                                    etag=etag, last_modified=last_modified)
        except network.TooLarge:
            raise SourceRefused(_("{url}: the feed is over the limit of {limit} bytes.").format(
                url=url, limit=FEED_SIZE_LIMIT)) from None
    if fetched.not_modified:
        return None
    feed = parse_feed(fetched.body, fetched.url)
    feed.etag = fetched.etag
    feed.last_modified = fetched.last_modified
    return feed


def downloads_dir(data_dir: Path) -> Path:
    return Path(data_dir) / DOWNLOADS_DIR


def clean_downloads(data_dir: Path) -> None:
    """Remove what an interrupted download left (callers hold the sync lock)."""
    shutil.rmtree(downloads_dir(data_dir), ignore_errors=True)


def download(cand: Candidate, data_dir: Path, opts: SyncOptions) -> Path:
    """Download a listed bundle, checking size and hash on the way; the finished file's path."""
    url = cand.location
    assert cand.size is not None and cand.sha256 is not None
    with _source_errors():
        network.check_url(url)
    if cand.size > opts.limits.compressed_size:
        raise SourceRefused(
            _("{url}: the feed lists {size} bytes, over the limit of {limit} bytes for a compressed bundle; refused.").format(
                url=url, size=cand.size, limit=opts.limits.compressed_size))
    folder = downloads_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"{cand.sha256}{BUNDLE_SUFFIX}"
    with atomic_write(final, private=True) as out:  # chunk by chunk; the bundle appears whole or not at all
        _download_into(out, cand, opts)
    return final


def _download_into(out, cand: Candidate, opts: SyncOptions) -> None:
    """Write the listed bundle's bytes to ``out``: exactly its listed size, with its listed hash."""
    url = cand.location
    digest = hashlib.sha256()
    got = 0
    with _source_errors():
        resp = network.open_url(url, timeout=opts.timeout, ssl_context=opts.ssl_context)
        with resp:
            if network.status(resp) != 200:
                raise network.unreachable(url, OSError(f"HTTP {network.status(resp)}"))
            announced = resp.headers.get("Content-Length")
            if announced and announced.isdigit() and int(announced) != cand.size:
                raise SourceRefused(
                    _("{url}: the server announces {announced} bytes, but the feed lists {size}; refused.").format(
                        url=url, announced=announced, size=cand.size))
            for chunk in network.read_body(resp, url, cand.size, timeout=opts.timeout):
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
