"""Rebuild resources/demo.wtdc.zip from its source folder resources/demo/.

The build is deterministic, so running it again without changes to the
source gives the same bytes (a test checks the committed file is current).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wtdc_desktop.bundles.writer import build_bundle  # noqa: E402


def main() -> int:
    out = ROOT / "resources" / "demo.wtdc.zip"
    manifest = build_bundle(ROOT / "resources" / "demo", out)
    print(f"wrote {out.relative_to(ROOT)}: {sum(r['count'] for r in manifest['records'])} records")
    return 0


if __name__ == "__main__":
    sys.exit(main())
