"""The dismissable messages above the views (an empty store, demo content, stale material, errors)
and when the store calls for them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QVBoxLayout, QWidget

from wtdc_desktop.i18n import _, isolate
from wtdc_desktop.store import syncs


class Banner(QFrame):
    """A dismissable message above the views."""

    def __init__(self, key: str, text: str, parent=None, actions: list[tuple[str, object]] | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.setFrameShape(QFrame.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(self.palette().ColorRole.AlternateBase)
        self.label = QLabel(text, self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 4, 4, 4)
        lay.addWidget(self.label, 1)
        self.buttons = []
        for label, slot in actions or []:
            b = QPushButton(label, self)
            b.clicked.connect(slot)
            lay.addWidget(b)
            self.buttons.append(b)
        close = QToolButton(self)
        close.setText("✕")
        close.setAccessibleName(_("Dismiss this message"))
        close.setToolTip(_("Dismiss"))
        close.clicked.connect(self.dismiss)
        lay.addWidget(close)
        self.setAccessibleName(text)

    def dismiss(self) -> None:
        self.hide()
        self.deleteLater()


class BannerLayout(QVBoxLayout):
    """The banners, one per key (showing a banner again replaces the one of the same key)."""

    def __init__(self, owner: QWidget) -> None:
        super().__init__()
        self.owner = owner
        self.setContentsMargins(0, 0, 0, 0)

    def _banners(self) -> list[Banner]:
        return [w for w in (self.itemAt(i).widget() for i in range(self.count())) if isinstance(w, Banner)]

    def show_banner(self, key: str, text: str, actions=None) -> Banner:
        self.dismiss(key)
        banner = Banner(key, text, self.owner, actions)
        self.addWidget(banner)
        banner.show()
        return banner

    def dismiss(self, key: str) -> None:
        for banner in self._banners():
            if banner.key == key:
                banner.dismiss()

    def has(self, key: str) -> bool:
        return any(b.key == key for b in self._banners())

    def texts(self) -> list[str]:
        return [b.label.text() for b in self._banners() if not b.isHidden()]

    def check_store(self, store, *, load_demo, add_source) -> None:
        """The banners the store calls for: empty (offering the demo), demo content only, stale material."""
        if syncs.is_empty(store):
            self.show_banner("empty", _("Your store is empty. Load the demo content to try the application, or add "
                                        "a source (a folder or a publisher's address) to sync real material."),
                             [(_("Load the demo"), load_demo), (_("Add a source…"), add_source)])
        elif syncs.only_demo_content(store):
            self.show_banner("demo", _("You are looking at the built-in demo content (a summary of TDAG's second web "
                                       "dialogue on WTDC reform). Add a source to sync real conference material."),
                             [(_("Add a source…"), add_source)])
        stale = syncs.stale_channels(store)
        if stale:
            names = ", ".join(isolate(f"{s.publisher}/{s.channel}", ltr=True) for s in stale)
            self.show_banner("stale", _("The material of {streams} has passed its expiry date and nothing newer was "
                                        "synced: it may be out of date.").format(streams=names))

    def dismiss_resolved(self, store) -> None:
        """After a sync: dismiss the banners whose cause is gone."""
        if self.has("empty") and not syncs.is_empty(store):
            self.dismiss("empty")
        if self.has("demo") and not syncs.only_demo_content(store):
            self.dismiss("demo")
        if self.has("stale") and not syncs.stale_channels(store):
            self.dismiss("stale")


# -- a damaged store ------------------------------------------------------------------------------

def damaged_text(exc) -> str:
    """The window's one sentence for a damaged store (:class:`~wtdc_desktop.store.db.StoreDamaged`)."""
    if exc.backups:
        return _("The store {path} is damaged, so nothing is read from it or written to it: restore a backup "
                 "with the Restore button (the damaged file is kept in the backups folder).").format(path=exc.path)
    return _("The store {path} is damaged and has no backup, so nothing is read from it or written to it: move "
             "it aside (a new, empty store is then created) or restore a copy of it.").format(path=exc.path)


def backup_label(info) -> str:
    """A backup as the Restore menu lists it: its date in the interface language, and the sync it preceded."""
    from wtdc_desktop.instants import format_datetime

    return _("{when} (before sync {sync})").format(when=format_datetime(info.created_at, fmt="medium"),
                                                   sync=info.before_sync)


def show_damaged(layout: BannerLayout, exc, on_restore) -> Banner:
    """The damaged-store banner, with a Restore button listing the backups by date, newest first;
    ``on_restore(name)`` is called with the backup chosen."""
    from PySide6.QtWidgets import QMenu

    banner = layout.show_banner("damaged", damaged_text(exc))
    if exc.backups:
        button = QPushButton(_("Restore…"), banner)
        menu = QMenu(button)
        for info in exc.backups:  # newest first (list_backups)
            action = menu.addAction(backup_label(info))
            action.setData(info.name)
            action.triggered.connect(lambda _checked=False, name=info.name: on_restore(name))
        button.setMenu(menu)
        button.setAccessibleName(_("Restore a backup"))
        banner.layout().insertWidget(1, button)
        banner.buttons.append(button)
        banner.restore_menu = menu
    return banner


class DamagedStoreWindow(QWidget):
    """What the window shows when its store is damaged at start: the banner and nothing else (no
    view, so nothing reads or writes the store). ``restored`` is called after a restore succeeded."""

    def __init__(self, exc, restored, parent=None) -> None:
        from wtdc_desktop import APP_NAME

        super().__init__(parent)
        self.setObjectName("DamagedStoreWindow")
        self.setWindowTitle(APP_NAME)
        self.exc = exc
        self.restored = restored
        self.banners = BannerLayout(self)
        lay = QVBoxLayout(self)
        lay.addLayout(self.banners)
        lay.addStretch(1)
        self.banner = show_damaged(self.banners, exc, self.restore)
        self.resize(900, 240)

    def restore(self, name: str) -> None:
        from PySide6.QtGui import QGuiApplication

        from wtdc_desktop.errors import WtdcError
        from wtdc_desktop.store.backup import restore_backup

        QGuiApplication.setOverrideCursor(Qt.WaitCursor)
        try:
            restore_backup(self.exc.data_dir, name)
        except WtdcError as err:
            self.banners.show_banner("error", err.message)
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.close()
        self.restored()

    def banner_texts(self) -> list[str]:
        return self.banners.texts()
