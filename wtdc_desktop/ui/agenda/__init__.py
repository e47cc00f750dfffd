"""The Agenda view, one part per module:

- ``view``: AgendaView, which composes the parts below, loads the meeting and day, and navigates;
- ``day_grid``: the sessions of a day painted on a time axis;
- ``session_list``: the list of the day's sessions beside it;
- ``session_pane``: the chosen session's details, language notes and coverage controls;
- ``coverage_board`` and ``members_panel``: the Coverage board and Members tabs;
- ``banners``: sessions changed by a sync, and messages;
- ``reminders``: reminders before covered sessions, and notice of their changes;
- ``timetable_import`` and ``exports``: importing a timetable, exporting sessions and the board.
"""

from wtdc_desktop.ui.agenda.view import AgendaView

__all__ = ["AgendaView"]
