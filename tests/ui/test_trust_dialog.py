"""The settings dialog's "Trust a publisher key…": the publisher id and the fingerprint are shown before
pinning, a look-alike id is refused, and replacing a pinned key is its own confirmation naming both keys."""

from __future__ import annotations

import base64

import pytest
from PySide6.QtWidgets import QMessageBox

from wtdc_desktop.bundles.signing import fingerprint
from wtdc_desktop.store import trust

OLD = bytes(range(32))
NEW = bytes(range(1, 33))


@pytest.fixture
def dialog(qtbot, own_settings, store):
    from wtdc_desktop.ui.settings import SettingsDialog

    d = SettingsDialog(store)
    qtbot.addWidget(d)
    return d


@pytest.fixture
def boxes(monkeypatch):
    """The message boxes the dialog shows, as (kind, title, text); each answers ``boxes.answer``."""

    class Shown(list):
        answer = QMessageBox.Yes

    shown = Shown()
    for kind in ("question", "warning", "information"):
        def box(parent, title, text, *args, kind=kind):
            shown.append((kind, title, text.replace("\u00a0", " ")))  # fingerprints are kept on one line
            return shown.answer
        monkeypatch.setattr(QMessageBox, kind, staticmethod(box))
    return shown


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def test_trusting_a_key_shows_the_publisher_and_the_fingerprint_first(dialog, boxes, store):
    boxes.answer = QMessageBox.No
    assert dialog.trust_key("itu-bdt", _b64(OLD)) is False
    assert trust.get_key(store, "itu-bdt") is None
    kind, _title, text = boxes[-1]
    assert kind == "question" and "itu-bdt" in text and fingerprint(OLD) in text
    boxes.answer = QMessageBox.Yes
    assert dialog.trust_key("itu-bdt", _b64(OLD)) is True
    assert trust.get_key(store, "itu-bdt").public_key == OLD
    assert dialog.keys.item(0).text() == f"itu-bdt: {fingerprint(OLD)}"


def test_a_second_key_for_a_pinned_publisher_is_a_confirmed_replacement(dialog, boxes, store):
    trust.pin_key(store, "itu-bdt", OLD, fingerprint(OLD), "user")
    boxes.answer = QMessageBox.No
    assert dialog.trust_key("itu-bdt", _b64(NEW)) is False
    kind, title, text = boxes[-1]
    assert kind == "warning" and title == "Replace a pinned key"
    assert f"Pinned key: {fingerprint(OLD)}" in text and f"New key: {fingerprint(NEW)}" in text
    assert trust.get_key(store, "itu-bdt").public_key == OLD  # declined: nothing changed
    boxes.answer = QMessageBox.Yes
    assert dialog.trust_key("itu-bdt", _b64(NEW)) is True
    assert trust.get_key(store, "itu-bdt").public_key == NEW
    # the same key again changes nothing and says so
    assert dialog.trust_key("itu-bdt", _b64(NEW)) is False
    assert boxes[-1][0] == "information" and "already pinned" in boxes[-1][2]


@pytest.mark.parametrize(("publisher", "shown"), [("ITU-BDT", "'ITU-BDT'"), ("itu-bdt\u200b", "'itu-bdt\\u200b'")])
def test_a_look_alike_publisher_id_is_refused(dialog, boxes, store, publisher, shown):
    assert dialog.trust_key(publisher, _b64(OLD)) is False
    kind, _title, text = boxes[-1]
    assert kind == "warning" and f"The publisher id {shown} is not allowed" in text
    assert trust.list_keys(store) == []
