"""The feed format (spec §5): a JSON document listing a channel's bundles, with their sizes and hashes."""

from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import dataclass

from wtdc_desktop.bundles.sources.model import Candidate, SourceRefused
from wtdc_desktop.i18n import _

FEED_FORMAT = "wtdc-feed"
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


@dataclass
class Feed:
    url: str
    publisher: str
    channel: str
    bundles: list[Candidate]
    etag: str | None = None
    last_modified: str | None = None


def parse_feed(data: bytes, url: str) -> Feed:
    """The feed in ``data``, found at ``url`` (bundle addresses are relative to it)."""
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
        def field_error(name: str, i: int = i) -> SourceRefused:
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
