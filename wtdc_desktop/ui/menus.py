"""The main window's menus, their keyboard shortcuts, and the dialog that lists the shortcuts."""

from __future__ import annotations

import re

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTableWidget, QTableWidgetItem, QVBoxLayout

from wtdc_desktop.i18n import _
from wtdc_desktop.ui.navigation import NAVIGATION


def add_action(window, menu, text: str, slot, shortcut=None, *, extra=()) -> QAction:
    """An action in ``menu`` and on the window (so its shortcut works anywhere), listed in
    ``window.shortcut_actions``."""
    action = QAction(text, window)
    keys = []
    if shortcut is not None:
        keys = QKeySequence.keyBindings(shortcut) if isinstance(shortcut, QKeySequence.StandardKey) \
            else [QKeySequence(shortcut)]
    keys += [QKeySequence(k) for k in extra]
    unique: list[QKeySequence] = []
    for k in keys:  # a standard key may already be one of the extras: never bind one twice
        if not k.isEmpty() and k not in unique:
            unique.append(k)
    keys = unique
    if keys:
        action.setShortcuts(keys)
    action.triggered.connect(slot)
    menu.addAction(action)
    window.addAction(action)
    window.shortcut_actions.append(action)
    return action


def with_mnemonics(labels: list[str]) -> list[str]:
    """Each label with an access key of its own ("&Today", "&What changed", "Ag&enda"…): the first
    letter not yet taken in the menu; a label with none free (Chinese, Arabic) gets one in brackets
    after it, as those languages write it ("今天(&1)"). A label that has one keeps it."""
    used: set[str] = set()
    for label in labels:
        i = label.replace("&&", "").find("&")
        if i >= 0 and i + 1 < len(label.replace("&&", "")):
            used.add(label.replace("&&", "")[i + 1].lower())
    spare = iter("123456789" "abcdefghijklmnopqrstuvwxyz")
    out = []
    for label in labels:
        if "&" in label.replace("&&", ""):
            out.append(label)
            continue
        for i, ch in enumerate(label):
            if ch.isascii() and ch.isalnum() and ch.lower() not in used:
                used.add(ch.lower())
                out.append(label[:i] + "&" + label[i:])
                break
        else:
            key = next(k for k in spare if k not in used)
            used.add(key)
            out.append(f"{label}(&{key.upper()})")
    return out


def add_mnemonics(menu) -> None:
    """Access keys for every entry of ``menu`` (see :func:`with_mnemonics`)."""
    actions = [a for a in menu.actions() if not a.isSeparator()]
    for action, text in zip(actions, with_mnemonics([a.text() for a in actions]), strict=True):
        action.setText(text)


#: Keys of the Go menu's entries past the tenth (Ctrl+1…Ctrl+0 go to the first ten).
GO_KEYS = {"sync": "Ctrl+Shift+R"}  # beside Ctrl+R, "Sync now"


def build_menus(window) -> None:
    """File, Edit, Go and Help, each action calling one of the window's methods."""
    window.shortcut_actions = []
    mb = window.menuBar()

    def action(menu, text, slot, shortcut=None, *, extra=()):
        return add_action(window, menu, text, slot, shortcut, extra=extra)

    file_menu = mb.addMenu(_("&File"))
    action(file_menu, _("Sync now"), window.sync.sync_now, QKeySequence.Refresh, extra=("Ctrl+R",))
    action(file_menu, _("Sync a bundle file…"), lambda: window.views["sync"]._choose_file(), "Ctrl+Shift+O")
    action(file_menu, _("Load the demo content"), window.load_demo)
    file_menu.addSeparator()
    action(file_menu, _("Settings…"), window.open_settings, QKeySequence.Preferences, extra=("Ctrl+,",))
    file_menu.addSeparator()
    action(file_menu, _("Quit"), window.close, QKeySequence.Quit, extra=("Ctrl+Q",))
    edit = mb.addMenu(_("&Edit"))
    action(edit, _("Search everything"), window.open_search, "Ctrl+K", extra=QKeySequence.keyBindings(
        QKeySequence.Find))
    action(edit, _("Filter this list"), window.focus_filter, "Ctrl+L")
    action(edit, _("Star or unstar the record"), window.toggle_star, "Ctrl+D")
    action(edit, _("Mark read or unread"), window.toggle_read, "Ctrl+U")
    action(edit, _("Edit my notes"), window.focus_notes, "Ctrl+N")
    go = mb.addMenu(_("&Go"))
    for i, (key, label, _type) in enumerate(NAVIGATION):
        shortcut = f"Ctrl+{i + 1}" if i < 9 else ("Ctrl+0" if i == 9 else GO_KEYS.get(key))
        action(go, _(label), lambda _c=False, k=key: window.show_view(k), shortcut)
    go.addSeparator()
    action(go, _("Back"), window.go_back, QKeySequence.Back)
    action(go, _("Forward"), window.go_forward, QKeySequence.Forward)
    help_menu = mb.addMenu(_("&Help"))
    action(help_menu, _("Keyboard shortcuts"), window.show_shortcuts, QKeySequence.HelpContents)
    action(help_menu, _("About WTDC Desktop"), window.show_about)
    for menu in (file_menu, edit, go, help_menu):
        add_mnemonics(menu)


def shortcuts_dialog(parent, actions: list[QAction]) -> QDialog:
    """A dialog listing every action that has a shortcut, and the keys that need no action."""
    dialog = QDialog(parent)
    dialog.setWindowTitle(_("Keyboard shortcuts"))
    rows = [(re.sub(r"\(&.\)$", "", a.text()).replace("&", ""), ", ".join(k.toString(QKeySequence.NativeText) for k in a.shortcuts()))
            for a in actions if a.shortcuts()]
    rows += [(_("Next field / previous field"), "Tab, Shift+Tab"),
             (_("Open the selected search result"), "Enter")]
    table = QTableWidget(len(rows), 2, dialog)
    table.setAccessibleName(_("Keyboard shortcuts"))
    table.setHorizontalHeaderLabels([_("Action"), _("Keys")])
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.NoEditTriggers)
    for r, (name, keys) in enumerate(rows):
        table.setItem(r, 0, QTableWidgetItem(name))
        table.setItem(r, 1, QTableWidgetItem(keys))
    table.setColumnWidth(0, 300)
    table.horizontalHeader().setStretchLastSection(True)
    buttons = QDialogButtonBox(QDialogButtonBox.Close, dialog)
    buttons.rejected.connect(dialog.reject)
    lay = QVBoxLayout(dialog)
    lay.addWidget(table)
    lay.addWidget(buttons)
    dialog.resize(560, 520)
    return dialog
