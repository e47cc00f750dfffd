"""The team in the Sync view: members' last sync read here and the conflict badge."""

from __future__ import annotations

import pytest

from team_helpers import form_team, member_stores, proposals
from wtdc_desktop.store import positions
from wtdc_desktop.team import sync

pytestmark = pytest.mark.gui


def test_team_panel_shows_members_and_a_conflict_badge(qtbot, _demo_store_template, tmp_path):
    from wtdc_desktop.ui.team_panel import TeamPanel

    shared = tmp_path / "shared"
    shared.mkdir()
    stores = member_stores(_demo_store_template, tmp_path, ["amina", "baraka"])
    a, b = stores["amina"], stores["baraka"]
    try:
        panel = TeamPanel()
        qtbot.addWidget(panel)
        panel.reload(a)
        assert panel.isHidden()  # not in a team
        form_team(stores, shared)
        pid = proposals(a)[0]
        positions.save_position(a, "proposal", pid, brief="Base")
        sync(a)
        sync(b)
        positions.save_position(a, "proposal", pid, brief="A")
        positions.save_position(b, "proposal", pid, brief="B")
        sync(b)
        sync(a)
        panel.reload(a)
        panel.show()
        assert not panel.isHidden() and "amina" in panel.title.text()
        assert panel.badge.isVisibleTo(panel) and panel.badge.text() == "1 conflict"
        cells = [panel.table.item(0, c).text() for c in range(4)]
        assert cells[0] == "baraka" and cells[1] == "yes" and cells[2] != "never" and cells[3] == "2"
    finally:
        for s in stores.values():
            s.close()
