"""The navigation's areas, the view of each (built the first time it is shown), and the record
dialog for records that no view lists."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from wtdc_desktop.i18n import N_, _, isolate

#: Navigation entries: (key, label, record type listed or None)
NAVIGATION = (
    ("today", N_("Today"), None),
    ("changes", N_("What changed"), None),
    ("agenda", N_("Agenda"), "session"),
    ("documents", N_("Documents"), "document"),
    ("resolutions", N_("Resolutions"), "resolution"),
    ("proposals", N_("Proposals"), "proposal"),
    ("questions", N_("Questions"), "question"),
    ("contacts", N_("Contacts"), "contact"),
    ("priorities", N_("Priorities and budget"), "priority"),
    ("positions", N_("Positions"), None),
    ("sync", N_("Sync"), None),
)
#: Which view lists a record type.
VIEW_OF_TYPE = {type_name: key for key, _label, type_name in NAVIGATION if type_name}


def make_view(key: str, store, sync, parent, *, today=None) -> QWidget:
    """The view of the navigation entry ``key`` (a :class:`~wtdc_desktop.ui.view.View`).

    Each view's module is imported here, when the view is first built: the window paints
    sooner, and a large store opens as fast as a small one.
    """
    type_name = dict((k, t) for k, _label, t in NAVIGATION)[key]
    if key == "today":
        from wtdc_desktop.ui.today import TodayView

        return TodayView(store, parent, now=today)
    if key == "changes":
        from wtdc_desktop.ui.changes import ChangesView

        return ChangesView(store, parent, deferred=True)  # read on a worker
    if key == "agenda":
        from wtdc_desktop.ui.agenda import AgendaView

        return AgendaView(store, parent, deferred=True)  # filled in the event loop's next turn
    if key == "contacts":
        from wtdc_desktop.ui.contacts import ContactsView

        return ContactsView(store, parent, deferred=True)  # read on a worker
    if key == "priorities":
        from wtdc_desktop.ui.budget import BudgetView

        return BudgetView(store, parent)
    if key == "positions":
        from wtdc_desktop.ui.positions import PositionsView

        return PositionsView(store, parent)
    if key == "sync":
        from wtdc_desktop.ui.sync_view import SyncView

        return SyncView(store, sync, parent)
    from wtdc_desktop.ui.lists import RecordListView

    return RecordListView(store, type_name, parent)


class LazyViews(dict):
    """The navigation's views by key, each built by ``build(key)`` the first time it is asked for.

    ``values()`` and ``items()`` give the views built so far; ``in`` and ``get`` know every key.
    """

    def __init__(self, build) -> None:
        super().__init__()
        self._build = build
        self._keys: list[str] = []

    def declare(self, key: str) -> None:
        self._keys.append(key)

    def __contains__(self, key) -> bool:
        return key in self._keys

    def __getitem__(self, key: str) -> QWidget:
        if not dict.__contains__(self, key):
            if key not in self._keys:
                raise KeyError(key)
            dict.__setitem__(self, key, self._build(key))
        return dict.__getitem__(self, key)

    def get(self, key, default=None):
        return self[key] if key in self._keys else default

    def is_built(self, key: str) -> bool:
        return dict.__contains__(self, key)

    def declared(self) -> list[str]:
        """Every view's key, built or not, in navigation order."""
        return list(self._keys)


class RecordDialog(QDialog):
    """A record without a view that shows it (a meeting, a committee…), shown in a dialog."""

    def __init__(self, store, type_name: str, record_id: str, parent=None) -> None:
        super().__init__(parent)
        from wtdc_desktop.ui.detail import DetailPane

        self.setWindowTitle(_("Record {id}").format(id=isolate(record_id, ltr=True)))
        self.detail = DetailPane(store, self)
        buttons = QDialogButtonBox(QDialogButtonBox.Close, self)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.detail, 1)
        lay.addWidget(buttons)
        self.detail.show_record(type_name, record_id)
        self.resize(700, 560)
