"""A view that is a page of the window's stack, hidden behind another, puts off its reload until it
is shown again: a sync that changed everything refreshes the view in front at once, and each other
view when the user comes to it (in its own turn of the event loop), instead of all of them in one
long block of the GUI thread. A view used on its own (a dialog, a test) reloads at once as before.

Usage, in a view's ``reload(changes)`` after deciding it wants them: ``if put_off(self, changes):
return``; in its ``showEvent``: ``reload_put_off(self)``. The window calls ``reload_now(view)``
before it asks a view that may still be hidden about its rows (``MainWindow.open_record``).
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QStackedWidget, QWidget

_NOTHING = object()


def put_off(view: QWidget, changes) -> bool:
    """True when ``view`` is a hidden page of a stack: the reload is kept for when it is shown."""
    stack = view.parentWidget()
    if view.__dict__.get("_now") or not isinstance(stack, QStackedWidget) or stack.currentWidget() is view:
        if changes is None:  # a full reload now covers whatever was put off
            view.__dict__.pop("_put_off", None)
        return False
    if view.__dict__.get("_put_off", _NOTHING) is _NOTHING:
        view._put_off = changes
    elif view._put_off is not changes:
        view._put_off = None  # two different sets of changes: refresh everything
    return True


def reload_put_off(view: QWidget) -> None:
    """From the view's ``showEvent``: the reload put off, just after the view is shown."""
    if view.__dict__.get("_put_off", _NOTHING) is not _NOTHING:
        QTimer.singleShot(0, view, lambda: _reload(view))


def reload_now(view: QWidget) -> None:
    """The reload put off, if any, at once: before a hidden view is asked about its rows (the window
    asks a list for a record to select before showing it), which must be the store's as it is now."""
    view._now = True
    try:
        _reload(view)
    finally:
        del view._now


def _reload(view: QWidget) -> None:
    changes = view.__dict__.pop("_put_off", _NOTHING)
    if changes is not _NOTHING:
        view.reload(changes)
