"""Proposal blocks of a regional common proposals document."""

from __future__ import annotations

from itu_fixtures import COVER_LINES, PROPOSALS_LINES
from wtdc_desktop.domain.records import PUBLISHED_TYPES
from wtdc_desktop.exchange.itu.proposals import proposal_record, read_proposals, sources_for

TEXT = "\n".join(COVER_LINES + PROPOSALS_LINES)


def test_blocks_of_a_common_proposals_document():
    proposals, unread = read_proposals(TEXT, body="WTDC", question_period="2022-2025")
    assert [(p.id, p.action, p.action_written) for p in proposals] == [
        ("IAP/25A1/1", "ADD", "ADD"), ("IAP/25A1/2", "MOD", "MOD"), ("IAP/25A1/3", "SUP", "SUP*"),
        ("IAP/25A1/4", "MOD", "(MOD)"), ("IAP/25A1/5", "NOC", "NOC")]
    add, mod, sup, question, noc = proposals
    assert (add.target_type, add.target_id) == ("resolution", "WTDC/[IAP-1]")
    assert add.title == "Connecting schools"
    assert (mod.target_type, mod.target_id) == ("resolution", "WTDC/37")
    assert mod.target_text == "RESOLUTION 37 (REV. BUENOS AIRES, 2017)"
    assert mod.title == "Bridging the digital divide"
    assert mod.text == "resolves\n\n1 to bridge the divide faster;"
    assert mod.reasons == "To update the resolution."
    assert (sup.target_id, sup.reasons) == ("WTDC/9", "Merged into Resolution 37.")
    assert (question.target_type, question.target_id) == ("question", "2022-2025:1/1")
    assert noc.text == "" and noc.target_id == "WTDC/1"
    assert all(p.sources == ("CITEL",) for p in proposals)
    (missing,) = unread
    assert missing.id == "IAP/25A1/6" and "Reasons" in missing.reason
    assert missing.text.startswith("MOD\tIAP/25A1/6") and "text whose reasons are missing" in missing.text


def test_records_are_valid():
    proposals, _unread = read_proposals(TEXT, body="WTDC", question_period="2022-2025")
    for proposal in proposals:
        record = proposal_record(proposal, "WTDC-22/25(Add.1)")
        PUBLISHED_TYPES["proposal"].validate(record)
    assert proposal_record(proposals[1], "WTDC-22/25(Add.1)") == {
        "id": "IAP/25A1/2", "document": "WTDC-22/25(Add.1)", "sources": ["CITEL"], "action": "MOD",
        "target": {"type": "resolution", "id": "WTDC/37"}, "status": "submitted",
        "title": "Bridging the digital divide", "text": "resolves\n\n1 to bridge the divide faster;",
        "reasons": "To update the resolution."}


def test_without_a_body_the_target_is_kept_as_written():
    proposals, _unread = read_proposals(TEXT)
    assert proposals[1].target_id == "RESOLUTION 37 (REV. BUENOS AIRES, 2017)"
    assert proposals[3].target_id == "1/1"


def test_unrecognised_target_and_duplicate_id_are_unread():
    text = "\n".join([
        "MOD\tEUR/25A2/3", "ANNEX 7 TO THE FINAL ACTS", "text", "Reasons:\tx",
        "ADD\tACP/25A1/1", "WTDC DECLARATION", "text", "Reasons: y",
        "ADD\tACP/25A1/1", "ACTION PLAN", "text", "Reasons: z",
        "SUP\tUSA/16/47", "",
        "MOD\tAFCP/25A3/2", "STRATEGIC PLAN", "Reasons: w",
    ])
    proposals, unread = read_proposals(text, body="WTDC")
    assert [(p.id, p.target_type) for p in proposals] == [("ACP/25A1/1", "declaration"), ("AFCP/25A3/2", "strategic_plan")]
    assert proposals[0].sources == ("APT",) and proposals[1].sources == ("ATU",)
    assert [(u.id, word in u.reason) for u, word in zip(unread, ("recognised", "twice", "no target"), strict=True)] == [
        ("EUR/25A2/3", True), ("ACP/25A1/1", True), ("USA/16/47", True)]


def test_sources():
    assert sources_for("EUR/25A2/3") == ("CEPT",)
    assert sources_for("ARB/25A1/1") == ("ASMG",)
    assert sources_for("RCC/25A1/1") == ("RCC",)
    assert sources_for("USA/16/47") == ("USA",)
