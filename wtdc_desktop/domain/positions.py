"""Vocabulary of positions and proposals, with labels translated where shown."""

from __future__ import annotations

from wtdc_desktop.i18n import N_, _

STANCES = ("support", "support_with_amendments", "oppose", "neutral", "undecided")
STANCE_LABELS = {
    "support": N_("Support"), "support_with_amendments": N_("Support with amendments"),
    "oppose": N_("Oppose"), "neutral": N_("Neutral"), "undecided": N_("Undecided"),
}
PRIORITIES = ("high", "medium", "low")
PRIORITY_LABELS = {"high": N_("High"), "medium": N_("Medium"), "low": N_("Low")}
STATUSES = ("draft", "approved")
STATUS_LABELS = {"draft": N_("Draft"), "approved": N_("Approved by the head of delegation")}
#: What a position may be about.
SUBJECT_TYPES = ("resolution", "question", "proposal", "agenda_item", "document",
                 "declaration", "strategic_plan", "action_plan", "other")
SUBJECT_LABELS = {
    "resolution": N_("Resolution"), "question": N_("Question"), "proposal": N_("Proposal"),
    "agenda_item": N_("Agenda item"), "document": N_("Document"), "declaration": N_("Declaration"),
    "strategic_plan": N_("Strategic plan"), "action_plan": N_("Action plan"), "other": N_("Other"),
}
ACTION_LABELS = {"ADD": N_("ADD (new)"), "MOD": N_("MOD (modify)"), "SUP": N_("SUP (suppress)"),
                 "NOC": N_("NOC (no change)")}
PROPOSAL_STATUS_LABELS = {
    "submitted": N_("Submitted"), "under_discussion": N_("Under discussion"), "agreed": N_("Agreed"),
    "agreed_modified": N_("Agreed as modified"), "not_agreed": N_("Not agreed"), "withdrawn": N_("Withdrawn"),
    "noted": N_("Noted"),
}
FIELD_LABELS = {
    "stance": N_("Stance"), "priority": N_("Priority"), "brief": N_("Brief"), "red_lines": N_("Red lines"),
    "fallback": N_("Fallback"), "owner": N_("Owner"), "status": N_("Status"),
}


def translated(table: dict[str, str]) -> dict[str, str]:
    return {k: _(v) for k, v in table.items()}


def labels() -> dict[str, dict[str, str]]:
    """Every label table, translated into the interface language."""
    return {"subject": translated(SUBJECT_LABELS), "stance": translated(STANCE_LABELS),
            "priority": translated(PRIORITY_LABELS), "status": translated(STATUS_LABELS),
            "action": {k: k for k in ACTION_LABELS}, "proposal_status": translated(PROPOSAL_STATUS_LABELS),
            "field": translated(FIELD_LABELS)}
