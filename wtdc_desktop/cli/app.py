"""The window and the self-test, from the command line (``gui``, the default, and ``--self-test``)."""

from __future__ import annotations

def cmd_gui(args) -> int:
    from wtdc_desktop.launch import run_window

    return run_window(data_dir=args.data_dir, lang=args.lang)


def cmd_self_test(args) -> int:
    from wtdc_desktop.selftest import run_self_test

    return run_self_test()
