"""Buttons that size themselves for everything they draw."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QStyle, QToolButton


class MenuButton(QToolButton):
    """A tool button that opens its menu when pressed ("Export ▾").

    A QToolButton in InstantPopup mode draws its menu arrow over its text but leaves the arrow
    out of its size hint, so the end of the text is hidden under it ("Export brief pac▾") in
    every language; this one asks for the arrow's room too.
    """

    def __init__(self, text: str = "", parent=None) -> None:
        super().__init__(parent)
        self.setPopupMode(QToolButton.InstantPopup)
        if text:
            self.setText(text)

    def _arrow(self) -> int:
        return self.style().pixelMetric(QStyle.PM_MenuButtonIndicator, None, self) if self.text() else 0

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        hint = super().sizeHint()
        return QSize(hint.width() + self._arrow(), hint.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        hint = super().minimumSizeHint()
        return QSize(hint.width() + self._arrow(), hint.height())
