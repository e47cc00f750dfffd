"""Proposal blocks of an ITU proposals document, read from its text (pure functions, no I/O).

Each block starts with its action and id on one line (``MOD	IAP/25A1/2``, ``ADD*	ACP/25A1/1``,
``(MOD)	EUR/25A2/3``, ``SUP	USA/16/47``), then names its target (``RESOLUTION 37 (REV. BUENOS AIRES,
2017)``, ``DRAFT NEW RESOLUTION [AFCP-1]``, ``QUESTION 1/1``, a declaration, an action or strategic plan),
often a title, the proposed text, and ``Reasons:``. A block that cannot be read whole (no target that
can be recognised, no reasons, an id seen twice) is returned as an :class:`UnreadBlock` with its text
and the reason, never half-read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from wtdc_desktop.i18n import _

#: Common-proposal prefixes and the regional organization (bundle ``organization`` id) behind each.
REGIONAL_PREFIXES = {"AFCP": "ATU", "ACP": "APT", "EUR": "CEPT", "ECP": "CEPT", "IAP": "CITEL", "ARB": "ASMG",
                     "RCC": "RCC"}
ACTIONS = ("ADD", "MOD", "SUP", "NOC")

_HEADER_RE = re.compile(
    r"^(?P<action>\(?(?:ADD|MOD|SUP|NOC)\)?\*?)[ \t]+(?P<id>[A-Z]{2,5}/\d{1,4}(?:A\d{1,3})?(?:R\d{1,3})?/\d{1,4})"
    r"(?:[ \t].*)?$")
_RESOLUTION_RE = re.compile(
    r"^(?P<new>DRAFT\s+NEW\s+)?(?:DRAFT\s+REVISION\s+OF\s+)?RESOLUTION\s+(?P<number>\d{1,4}|\[[^\]]{1,40}\])"
    r"\s*(?:\((?P<revision>[^)]{1,80})\))?\s*$", re.IGNORECASE)
_QUESTION_RE = re.compile(r"^(?:DRAFT\s+NEW\s+|DRAFT\s+REVISED\s+)?QUESTION\s+(?P<number>\d{1,2}(?:-\d)?/\d)\b.*$",
                          re.IGNORECASE)
_PLAN_RE = re.compile(r"^(?:DRAFT\s+)?(?:(?P<what>[A-Z][A-Z -]{0,40}?)\s+)?(?P<kind>DECLARATION|ACTION PLAN|STRATEGIC PLAN)\b"
                      r"(?:\s+(?P<rest>.*))?$", re.IGNORECASE)
_REASONS_RE = re.compile(r"^Reasons?\s*:\s*(?P<rest>.*)$", re.IGNORECASE)


@dataclass(frozen=True)
class Proposal:
    id: str
    action: str  # ADD MOD SUP NOC
    action_written: str  # as written: ADD*, (MOD)...
    target_type: str  # resolution question declaration strategic_plan action_plan
    target_id: str
    target_text: str
    title: str | None
    text: str
    reasons: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class UnreadBlock:
    id: str | None
    text: str
    reason: str


def sources_for(proposal_id: str, cover_source: str | None = None) -> tuple[str, ...]:
    """The organizations behind a proposal: the regional organization of its prefix (``IAP`` → CITEL), or
    the country prefix (``USA``); the cover's Source when the prefix names neither."""
    prefix = proposal_id.split("/", 1)[0]
    if prefix in REGIONAL_PREFIXES:
        return (REGIONAL_PREFIXES[prefix],)
    if re.fullmatch(r"[A-Z]{2,3}", prefix):
        return (prefix,)
    return (cover_source,) if cover_source else (prefix,)


def _target(line: str, *, body: str | None, question_period: str | None) -> tuple[str, str] | None:
    if match := _RESOLUTION_RE.match(line):
        number = match.group("number")
        if body is None:
            return "resolution", line
        return "resolution", f"{body}/{number}"
    if match := _QUESTION_RE.match(line):
        number = match.group("number")
        return "question", f"{question_period}:{number}" if question_period else number
    if match := _PLAN_RE.match(line):
        kind = match.group("kind").lower().replace(" ", "_")
        return kind, re.sub(r"\s+", " ", line.strip())
    return None


def _join(lines: list[str]) -> str:
    """Lines as Markdown paragraphs (blank lines dropped, tabs made spaces)."""
    return "\n\n".join(re.sub(r"[ \t]+", " ", line).strip() for line in lines if line.strip())


def split_blocks(text: str) -> tuple[str, list[tuple[str, str, list[str]]]]:
    """(text before the first block, [(action as written, id, the block's lines after its header)])."""
    preamble: list[str] = []
    blocks: list[tuple[str, str, list[str]]] = []
    for raw in text.replace("\r", "\n").split("\n"):
        line = raw.replace("\u00a0", " ").strip()
        if match := _HEADER_RE.match(line):
            blocks.append((match.group("action"), match.group("id"), []))
        elif blocks:
            blocks[-1][2].append(line)
        else:
            preamble.append(line)
    return "\n".join(preamble), blocks


def read_proposals(text: str, *, body: str | None = None, question_period: str | None = None,
                   cover_source: str | None = None) -> tuple[list[Proposal], list[UnreadBlock]]:
    """The proposal blocks of a document's text.

    ``body`` is the body whose resolutions the document amends (``WTDC`` for a WTDC or TDAG document):
    ``RESOLUTION 37 (REV. BUENOS AIRES, 2017)`` then targets ``WTDC/37``. ``question_period`` makes
    ``QUESTION 1/1`` target ``2022-2025:1/1``.
    """
    _preamble, blocks = split_blocks(text)
    proposals: list[Proposal] = []
    unread: list[UnreadBlock] = []
    seen: set[str] = set()
    for written, pid, lines in blocks:
        block_text = "\n".join([f"{written}\t{pid}", *lines]).strip()
        action = written.strip("()*")
        if pid in seen:
            unread.append(UnreadBlock(pid, block_text, _("the id {id} appears twice in the document").format(id=pid)))
            continue
        seen.add(pid)
        body_lines = list(lines)
        while body_lines and not body_lines[0]:
            body_lines.pop(0)
        if not body_lines:
            unread.append(UnreadBlock(pid, block_text, _("the block has no target and no text")))
            continue
        target_line = body_lines.pop(0)
        target = _target(target_line, body=body, question_period=question_period)
        if target is None:
            unread.append(UnreadBlock(pid, block_text, _(
                "“{line}” is not a resolution, Question, declaration or plan that can be recognised").format(
                    line=target_line[:120])))
            continue
        reasons_at = next((i for i, line in enumerate(body_lines) if _REASONS_RE.match(line)), None)
        if reasons_at is None:
            unread.append(UnreadBlock(pid, block_text, _("the block has no “Reasons:”, so where it ends is not known")))
            continue
        content = body_lines[:reasons_at]
        reasons = [_REASONS_RE.match(body_lines[reasons_at]).group("rest"), *body_lines[reasons_at + 1:]]
        title = None
        while content and not content[0]:
            content.pop(0)
        if content and len(content[0]) <= 200 and not content[0].lower().startswith(("resolves", "the ", "1")):
            title = content.pop(0).strip()
        proposals.append(Proposal(
            id=pid, action=action, action_written=written, target_type=target[0], target_id=target[1],
            target_text=target_line, title=title, text=_join(content), reasons=_join(reasons),
            sources=sources_for(pid, cover_source),
        ))
    return proposals, unread


def proposal_record(proposal: Proposal, document_id: str) -> dict:
    """The bundle ``proposal`` record of a proposal read from the document ``document_id``."""
    record: dict = {
        "id": proposal.id, "document": document_id, "sources": list(proposal.sources), "action": proposal.action,
        "target": {"type": proposal.target_type, "id": proposal.target_id}, "status": "submitted",
    }
    title = proposal.title or proposal.target_text
    if title:
        record["title"] = title
    if proposal.text:
        record["text"] = proposal.text
    if proposal.reasons:
        record["reasons"] = proposal.reasons
    return record
