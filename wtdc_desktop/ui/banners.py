"""The dismissable messages above the views (an empty store, demo content, stale material, errors)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QVBoxLayout, QWidget

from wtdc_desktop.i18n import _


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
