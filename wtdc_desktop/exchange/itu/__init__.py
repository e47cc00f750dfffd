"""Reading ITU's own material: meeting catalogs, document lists, named files, cover pages, proposals.

Every reader here is pure or reads only what it is given; :mod:`.importer` turns what they read into
records of the bundle format, so ITU material reaches the store through the one bundle write path.
"""

from wtdc_desktop.exchange.itu.importer import (  # noqa: E402 - the entry points, re-exported
    ItuImport, Skipped, apply_itu_import, read_itu_sources, write_itu_bundle,
)

__all__ = ["ItuImport", "Skipped", "apply_itu_import", "read_itu_sources", "write_itu_bundle"]
