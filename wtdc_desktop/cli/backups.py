"""The store's backups taken before each sync (``backups``, ``restore``)."""

from __future__ import annotations

from wtdc_desktop.cli.output import (
    data_dir_of, fmt_number, fmt_when, open_store, print_json, print_table,
)
from wtdc_desktop.i18n import _


def cmd_backups(args) -> int:
    from wtdc_desktop.store import backup

    from wtdc_desktop.store.db import STORE_FILENAME, StoreDamaged

    backups = backup.list_backups(data_dir_of(args))
    syncs_of = {}
    # The backups of a store that is gone or damaged are listed still: they are what “restore”
    # brings back.
    if not backups or (data_dir_of(args) / STORE_FILENAME).exists():
        try:
            with open_store(args) as store:
                syncs_of = {b.before_sync: backup.sync_summary(store, b.before_sync) for b in backups}
        except StoreDamaged:
            if not backups:
                raise
    if args.json:
        print_json([{**b.as_dict(), "sync": syncs_of.get(b.before_sync)} for b in backups])
        return 0
    if not backups:
        print(_("No backup yet: one is taken before each sync that applies a bundle."))
        return 0

    def bundle_of(sync) -> str:
        if not sync or not sync.get("publisher"):
            return ""
        return f"{sync['publisher']}/{sync['channel']} {sync['sequence']}"

    print_table([_("backup"), _("when"), _("size"), _("before sync"), _("bundle")],
                 [[b.name, fmt_when(b.created_at), _("{size} bytes").format(size=fmt_number(b.size)),
                   b.before_sync, bundle_of(syncs_of.get(b.before_sync))] for b in backups], max_width=70)
    return 0


def cmd_restore(args) -> int:
    from wtdc_desktop.store import backup

    result = backup.restore_backup(data_dir_of(args), args.backup)
    if result.safety is None:  # the store was damaged: moved aside, not backed up
        print(_("Restored {name}; the damaged store was moved, unchanged, to {path}.").format(
            name=result.restored.name, path=result.damaged_copy))
        return 0
    print(_("Restored {name}; the state before the restore was kept as {safety}.").format(
        name=result.restored.name, safety=result.safety.name))
    return 0


def register(sub, add, common) -> None:
    """Add these commands to the main parser (``add`` is parser.build_parser's helper)."""
    add("backups", _("list the backups of the store taken before each sync"), cmd_backups)
    p = add("restore", _("restore the store from a backup (a backup of the current state is kept)"), cmd_restore,
            json_flag=False)
    p.add_argument("backup", help=_("a backup's name as listed by “backups”, or a path to one"))
