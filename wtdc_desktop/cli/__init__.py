"""The command line: the same features as the window, for publishers, scripts and tests.

``wtdc-desktop`` with no command opens the window. One module per command group (sync,
sources, backups, records, bundles, delegation, negotiation, agenda), each adding its
commands to the parser with ``register(sub, add, common)``; output.py holds what they share.
"""

from wtdc_desktop.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
