"""Allow ``python -m wtdc_desktop``."""

import sys

from wtdc_desktop.cli import main

sys.exit(main())
