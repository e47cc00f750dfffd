"""The settings dialog: sources, trusted keys, sync interval, language, data folder, font size (QSettings)."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QInputDialog, QLabel, QLineEdit,
    QListWidget, QMessageBox, QPushButton, QSpinBox, QVBoxLayout, QWidget,
)

from wtdc_desktop.domain.constants import DEFAULT_INTERVAL_MINUTES
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import LANGUAGES, _, current_language
from wtdc_desktop.store.sources import list_sources
from wtdc_desktop.store.trust import get_key, list_keys
from wtdc_desktop.ui.language import CONTENT_ORDER_LABEL, ContentLanguageOrder
from wtdc_desktop.ui.prefs import setting
from wtdc_desktop.workspace import Workspace

#: Names of the interface languages in their own language.
LANGUAGE_NAMES = {"ar": "العربية", "zh": "中文", "en": "English", "fr": "Français", "ru": "Русский", "es": "Español"}
DEFAULT_FONT_SIZE = 0  # 0: the system's


def _unbroken(fingerprint: str) -> str:
    """A fingerprint kept on one line in a message box, where it is compared group by group."""
    return fingerprint.replace(" ", "\u00a0")


class SettingsDialog(QDialog):
    def __init__(self, store, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.workspace = Workspace(store)
        self.setWindowTitle(_("Settings"))
        self.sources = QListWidget(self)
        self.sources.setAccessibleName(_("Sources"))
        add_folder = QPushButton(_("Add a folder…"), self)
        add_url = QPushButton(_("Add a URL…"), self)
        remove = QPushButton(_("Remove"), self)
        src_buttons = QHBoxLayout()
        for b in (add_folder, add_url, remove):
            src_buttons.addWidget(b)
        src_buttons.addStretch(1)
        self.keys = QListWidget(self)
        self.keys.setAccessibleName(_("Trusted publisher keys"))
        trust = QPushButton(_("Trust a publisher key…"), self)
        self.interval = QSpinBox(self)
        self.interval.setRange(0, 24 * 60)
        self.interval.setSuffix(" " + _("min"))
        self.interval.setSpecialValueText(_("never (only when asked)"))
        self.interval.setAccessibleName(_("Sync interval in minutes"))
        self.interval.setValue(setting("sync/interval", DEFAULT_INTERVAL_MINUTES, int))
        self.language = QComboBox(self)
        self.language.setAccessibleName(_("Interface language"))
        for code in LANGUAGES:
            self.language.addItem(LANGUAGE_NAMES.get(code, code), code)
        self.language.setCurrentIndex(max(0, self.language.findData(setting("interface/language") or current_language())))
        self.data_dir = QLineEdit(str(setting("data/folder") or store.data_dir), self)
        self.data_dir.setAccessibleName(_("Data folder"))
        browse = QPushButton(_("Choose…"), self)
        data_row = QHBoxLayout()
        data_row.addWidget(self.data_dir, 1)
        data_row.addWidget(browse)
        self.font_size = QSpinBox(self)
        self.font_size.setRange(0, 32)
        self.font_size.setSpecialValueText(_("system size"))
        self.font_size.setSuffix(" pt")
        self.font_size.setAccessibleName(_("Font size"))
        self.font_size.setValue(setting("view/font_size", DEFAULT_FONT_SIZE, int))
        restart = QLabel(_("Changes to the interface language and the data folder take effect the next time "
                           "WTDC Desktop starts."), self)
        restart.setWordWrap(True)

        form = QFormLayout()
        form.addRow(_("Sources"), self.sources)
        form.addRow("", self._wrap(src_buttons))
        form.addRow(_("Trusted keys"), self.keys)
        form.addRow("", trust)
        form.addRow(_("Sync every"), self.interval)
        form.addRow(_("Interface language"), self.language)
        self.content_order = ContentLanguageOrder(self)
        form.addRow(_(CONTENT_ORDER_LABEL), self.content_order)
        form.addRow(_("Data folder"), self._wrap(data_row))
        form.addRow(_("Font size"), self.font_size)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel, self)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(restart)
        lay.addWidget(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        add_folder.clicked.connect(self._add_folder)
        add_url.clicked.connect(self._add_url)
        remove.clicked.connect(self._remove)
        trust.clicked.connect(self._trust)
        browse.clicked.connect(self._browse)
        self._initial_language = self.language.currentData()
        self._initial_data_dir = self.data_dir.text()
        self._fill()
        self.resize(640, 560)

    def _wrap(self, layout) -> QWidget:
        w = QWidget(self)
        layout.setContentsMargins(0, 0, 0, 0)
        w.setLayout(layout)
        return w

    def _fill(self) -> None:
        self.sources.clear()
        self.keys.clear()
        for row in list_sources(self.store):
            self.sources.addItem(row.location)
        for key in list_keys(self.store):
            self.keys.addItem(_("{publisher}: {fingerprint}").format(publisher=key.publisher,
                                                                     fingerprint=key.fingerprint))

    def add_source(self, location: str) -> bool:
        try:
            self.workspace.add_source(location)
        except WtdcError as exc:
            QMessageBox.warning(self, _("Source refused"), exc.message)
            return False
        self._fill()
        return True

    def _add_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, _("Choose a folder holding bundles"))
        if path:
            self.add_source(path)

    def _add_url(self) -> None:
        url, ok = QInputDialog.getText(self, _("Add a URL"), _("Address of the publisher's feed (https://…):"))
        if ok and url.strip():
            self.add_source(url.strip())

    def _remove(self) -> None:
        item = self.sources.currentItem()
        if item is None:
            return
        self.workspace.remove_source(item.text())
        self._fill()

    def _trust(self) -> None:
        publisher, ok = QInputDialog.getText(self, _("Trust a publisher key"), _("Publisher id (as in its bundles):"))
        if not ok or not publisher.strip():
            return
        text, ok = QInputDialog.getText(self, _("Trust a publisher key"), _("The publisher's public key (base64):"))
        if ok:
            self.trust_key(publisher.strip(), text)

    def trust_key(self, publisher: str, text: str) -> bool:
        """Pin the key ``text`` (base64) for ``publisher`` once the user has seen its fingerprint and agreed;
        replacing a key already pinned needs its own confirmation, naming both fingerprints."""
        from wtdc_desktop.bundles import signing
        from wtdc_desktop.bundles.manifest import pinnable_publisher_problem

        title = _("Trust a publisher key")
        problem = pinnable_publisher_problem(publisher)
        if problem is not None:
            QMessageBox.warning(self, title, problem)
            return False
        raw = signing.decode_public_key(text)
        if raw is None:
            QMessageBox.warning(self, title, _("This is not a public key (32 bytes in base64)."))
            return False
        fp = signing.fingerprint(raw)
        previous = get_key(self.store, publisher)
        shown, old = _unbroken(fp), _unbroken(previous.fingerprint) if previous is not None else ""
        if previous is not None and previous.public_key == raw:
            QMessageBox.information(self, title, _("This key is already pinned for {publisher}.\n\nFingerprint: "
                                                   "{fingerprint}").format(publisher=publisher, fingerprint=shown))
            return False
        if previous is None:
            answer = QMessageBox.question(
                self, title,
                _("Trust this key for {publisher}?\n\nFingerprint: {fingerprint}\n\nCompare it with the fingerprint the "
                  "publisher gave you by another channel.").format(publisher=publisher, fingerprint=shown))
        else:
            answer = QMessageBox.warning(
                self, _("Replace a pinned key"),
                _("Another key is already pinned for {publisher}.\n\nPinned key: {old}\nNew key: {new}\n\nReplace "
                  "it only if the publisher told you, by another channel, that its key changed: from then on, "
                  "bundles signed with the old key are refused.").format(
                    publisher=publisher, old=old, new=shown),
                QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
        if answer != QMessageBox.Yes:
            return False
        self.workspace.trust_key(publisher, raw, origin="user")
        self._fill()
        return True

    def _browse(self) -> None:
        path = QFileDialog.getExistingDirectory(self, _("Choose the data folder"), self.data_dir.text())
        if path:
            self.data_dir.setText(path)

    def save(self) -> bool:
        """Store the settings; True when a restart is needed for some of them."""
        s = QSettings()
        s.setValue("sync/interval", self.interval.value())
        s.setValue("interface/language", self.language.currentData())
        s.setValue("data/folder", self.data_dir.text())
        s.setValue("view/font_size", self.font_size.value())
        self.content_order.save()
        return (self.language.currentData() != self._initial_language
                or self.data_dir.text() != self._initial_data_dir)
