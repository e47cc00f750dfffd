"""Allow ``python -m wtdc_desktop`` (also the frozen build's entry point)."""

import os
import sys

if os.environ.get("WTDC_STARTUP_PROBE"):  # start-up benchmark only (see startup_probe.py)
    from wtdc_desktop.startup_probe import install

    install()

from wtdc_desktop.cli import main  # noqa: E402

sys.exit(main())
