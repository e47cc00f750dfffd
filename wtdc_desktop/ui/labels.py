"""Readable, translated names for the coded values of records (statuses, kinds)."""

from __future__ import annotations

from wtdc_desktop.i18n import N_, _

#: (field, coded value) -> label; fields listed in CODED_FIELDS.
VALUE_LABELS = {
    "status": {
        "in_force": N_("in force"), "suppressed": N_("suppressed"), "draft": N_("draft"),
        "published": N_("published"), "withdrawn": N_("withdrawn"), "submitted": N_("submitted"),
        "under_discussion": N_("under discussion"), "agreed": N_("agreed"),
        "agreed_modified": N_("agreed with modifications"), "not_agreed": N_("not agreed"), "noted": N_("noted"),
        "scheduled": N_("scheduled"), "changed": N_("changed"), "cancelled": N_("cancelled"),
        "new": N_("new"), "continued": N_("continued"), "revised": N_("revised"), "deleted": N_("deleted"),
    },
    "kind": {
        "contribution": N_("contribution"), "information": N_("information"), "temporary": N_("temporary"),
        "administrative": N_("administrative"), "report": N_("report"), "other": N_("other"),
        "plenary": N_("plenary"), "committee": N_("committee"), "working_group": N_("working group"),
        "ad_hoc": N_("ad hoc group"), "rapporteur_group": N_("rapporteur group"), "editorial": N_("editorial"),
        "conference": N_("conference"), "rpm": N_("regional preparatory meeting"),
        "irpm": N_("interregional preparatory meeting"), "tdag": N_("TDAG meeting"),
        "study_group": N_("study group"), "workshop": N_("workshop"),
        "rto": N_("regional telecommunication organization"), "member_state": N_("Member State"),
        "sector_member": N_("Sector Member"), "secretariat": N_("secretariat"),
    },
}


def value_label(field: str, value) -> str | None:
    """The translated label of a coded value, or None when the field or value is not a coded one."""
    labels = VALUE_LABELS.get(field)
    if labels is None or not isinstance(value, str) or value not in labels:
        return None
    return _(labels[value])
