"""What every view of the main window's navigation offers the window (one small Protocol).

A view is a QWidget that

- refreshes itself from what an action changed: ``reload(changes)``, where ``changes`` is the
  :class:`~wtdc_desktop.workspace.Changes` an action of the workspace returned (``None``: refresh
  whatever it shows); the view decides whether anything it shows is among them;
- shows a record when the window asks: ``show_record(type_name, record_id)``, True when it did
  (False: the window opens the record in a dialog instead);
- asks the window to open a record elsewhere: its ``open_record_requested(str, str)`` signal
  (type, id);
- says what its own actions wrote: they go through the workspace, and the ``store_changed(Changes)``
  signal carries the :class:`~wtdc_desktop.workspace.Changes` they returned; the window hands them
  to every other view's ``reload(changes)`` (the view itself refreshes what it shows of its action).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance

    from wtdc_desktop.workspace import Changes


@runtime_checkable
class View(Protocol):
    open_record_requested: SignalInstance
    store_changed: SignalInstance

    def reload(self, changes: Changes | None = None) -> None: ...

    def show_record(self, type_name: str, record_id: str) -> bool: ...


def wants(changes: Changes | None, *, records: Iterable[str] = (), delegation: Iterable[str] = (),
          syncs: bool = False, any_record: bool = False) -> bool:
    """Whether a view showing these record types (or, with ``any_record``, records of every type),
    these delegation tables or the sync log should refresh for ``changes`` (None: always)."""
    if changes is None:
        return True
    return (any_record and bool(changes.records)) or changes.touches(
        records=records, delegation=delegation, syncs=syncs)
