"""The delegation's position in a record's detail pane: its summary under the record's title and
the "Write position" / "Edit position" action that opens the position editor on the record."""

from __future__ import annotations

from wtdc_desktop.domain.links import position_link
from wtdc_desktop.domain.positions import PRIORITY_LABELS, STANCE_LABELS, STATUS_LABELS
from wtdc_desktop.domain.render import position_summary_html
from wtdc_desktop.i18n import _
from wtdc_desktop.store import positions

#: The records whose detail pane shows the delegation's position on them.
POSITION_TYPES = ("resolution", "question", "proposal", "document")


def editor_target(type_name: str, record_id: str) -> tuple[str, str]:
    """The (type, id) a pane's ``navigate`` signal carries to open the position editor on a record."""
    return "position", f"{type_name}/{record_id}"


def position_blocks(store, type_name: str, record_id: str, button) -> list[str]:
    """The position's summary (sanitised HTML) for the pane, the pane's ``button`` set to match."""
    if type_name not in POSITION_TYPES:
        button.setVisible(False)
        return []
    pos = positions.position_for(store, type_name, record_id)
    action = _("Edit position") if pos else _("Write position")
    button.setText(action)
    button.setAccessibleName(_("Open the delegation's position on this record in the position editor"))
    button.setVisible(True)
    button.setEnabled(True)
    if pos is None:
        return [position_summary_html(_("Our position"), [], None, link=position_link(type_name, record_id),
                                      action=action, empty=_("The delegation has no position on this yet."))]
    rows = [(_("Stance:"), _(STANCE_LABELS.get(pos["stance"], pos["stance"] or ""))),
            (_("Priority:"), _(PRIORITY_LABELS[pos["priority"]]) if pos.get("priority") in PRIORITY_LABELS else ""),
            (_("Owner:"), pos.get("owner") or ""),
            (_("Status:"), _(STATUS_LABELS[pos["status"]]) if pos.get("status") in STATUS_LABELS else "")]
    return [position_summary_html(_("Our position"), rows, pos.get("brief"), link=position_link(type_name, record_id),
                                  action=action)]
