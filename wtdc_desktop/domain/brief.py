"""A brief pack as HTML and as an outline (for PDF and DOCX): pure, no Qt, no I/O.

The input is :func:`wtdc_desktop.store.brief_packs.brief_pack`'s dict. Every
text that came from a bundle or a colleague is rendered through
:mod:`wtdc_desktop.domain.render`.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata

from wtdc_desktop.domain.diff import word_diff
from wtdc_desktop.domain.matrix import OTHER
from wtdc_desktop.domain.render import markdown_to_html
from wtdc_desktop.i18n import _, current_language, is_rtl, ngettext
from wtdc_desktop.instants import format_date, format_time, parse_instant

#: Where US Letter is the paper of custom (CLDR's paperSize data); A4 everywhere else.
LETTER_TERRITORIES = frozenset({"US", "CA", "MX", "PH", "BZ", "CL", "CO", "CR", "GT", "NI", "PA", "PR", "SV", "VE"})
#: The level of the heading a position's texts (brief, red lines, fallback) sit under.
TEXT_HEADING_LEVEL = 3


def paper_size(territory: str | None) -> str:
    """``"Letter"`` where it is the custom (the United States, Canada, Mexico, the Philippines…), else ``"A4"``."""
    return "Letter" if (territory or "").upper() in LETTER_TERRITORIES else "A4"


def nested_markdown_html(text: str | None, below: int = TEXT_HEADING_LEVEL) -> str:
    """A brief's Markdown as HTML with its headings nested below the section it sits in: under a
    level-3 heading, its "# x" becomes a level-4 heading (never deeper than 6)."""
    return re.sub(r"<(/?)h([1-6])\b", lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + below)}",
                  markdown_to_html(text))


def region_label(region: str | None) -> str:
    """A region as a delegate reads it: its id (AFR, EUR…), and the proposals of no region by name."""
    return _("Other sources") if region == OTHER else (region or "")


def format_moment(value: str | dt.datetime) -> str:
    """A day and a time, without seconds, at the offset the value was given with: "18 October 2021, 23:59 (UTC+02:00)"."""
    moment = parse_instant(value, keep_offset=True)
    offset = moment.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    zone = "UTC" if not minutes else "UTC{sign}{h:02d}:{m:02d}".format(
        sign="+" if minutes > 0 else "−", h=abs(minutes) // 60, m=abs(minutes) % 60)
    return _("{day}, {time} ({zone})").format(day=format_date(moment.date(), "long"),
                                             time=format_time(moment, moment.tzinfo), zone=zone)

def text_direction(text: str | None) -> str:
    """``rtl`` when a text's first strong character is right-to-left (Arabic, Hebrew), else ``ltr``."""
    for ch in text or "":
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def _content(fragment_html: str, source_text: str | None) -> str:
    """Content from a bundle or a brief, in its own direction whatever the interface's."""
    return f"<div dir='{text_direction(source_text)}'>{fragment_html}</div>"


def _e(value) -> str:
    return html.escape("" if value is None else str(value))


def format_due(due: str | None) -> str:
    if not due:
        return ""
    if len(due) == 10:
        return format_date(dt.date.fromisoformat(due), "long")
    return format_moment(due)  # shown at the offset it was given with


def prepared_text(pack: dict) -> str:
    return _("Prepared on {date}").format(date=format_date(parse_instant(pack["generated_at"]), "long"))


def country_name(code: str | None) -> str:
    """A country by its name in the interface language ("ET" → "Ethiopia", "Éthiopie"), not its code."""
    if not code:
        return ""
    from babel import Locale

    try:
        return Locale.parse(current_language()).territories.get(code.upper(), code)
    except (ValueError, LookupError):
        return code


def meeting_text(meeting: dict | None) -> str:
    """The meeting of a pack: its title, and where and when it is held."""
    if not meeting:
        return ""
    place = ", ".join(x for x in (meeting.get("city"), country_name(meeting.get("country"))) if x)
    days = ""
    if meeting.get("starts_on"):
        start = format_date(dt.date.fromisoformat(meeting["starts_on"]), "long")
        end = format_date(dt.date.fromisoformat(meeting["ends_on"]), "long") if meeting.get("ends_on") else ""
        days = start + (" – " + end if end and end != start else "")
    return " · ".join(x for x in (meeting.get("title") or meeting["id"], place, days) if x)


def cover_lines(pack: dict) -> list[tuple[str, str]]:
    """The cover page's lines below the title: (kind, text), kind "delegation", "meeting", "scope" or "date"."""
    lines = []
    if pack.get("delegation"):
        # a delegation id is shown as ITU writes it ("KEN"), whatever case the setting was stored in
        lines.append(("delegation", _("Delegation: {name}").format(name=str(pack["delegation"]).upper())))
    if pack.get("meeting"):
        lines.append(("meeting", meeting_text(pack["meeting"])))
    scope = pack["scope"]
    if scope.get("title") and not (pack.get("meeting") and scope["title"] == pack["meeting"].get("title")):
        lines.append(("scope", scope["title"]))
    lines.append(("scope", scope_text(scope)))
    lines.append(("date", prepared_text(pack)))
    return lines


def scope_text(scope: dict) -> str:
    parts = []
    if scope.get("meeting"):
        parts.append(_("Meeting {id}").format(id=scope["meeting"]))
    if scope.get("committee"):
        parts.append(_("Committee {id}").format(id=scope["committee"]))
    if scope.get("session"):
        parts.append(_("Session {id}").format(id=scope["session"]))
    return ", ".join(parts) if parts else _("Every position of the delegation")


def counts_text(pack: dict) -> str:
    return ", ".join((
        ngettext("{count} position", "{count} positions", len(pack["entries"])).format(count=len(pack["entries"])),
        ngettext("{count} document", "{count} documents", len(pack["documents"])).format(
            count=len(pack["documents"])),
        ngettext("{count} deadline", "{count} deadlines", len(pack["deadlines"])).format(
            count=len(pack["deadlines"])),
    ))


def entry_heading(entry: dict, labels: dict[str, str]) -> str:
    p = entry["position"]
    subj = p["subject"]
    kind = labels.get(subj["type"], subj["type"])
    title = p.get("title")
    return f"{kind} {subj['id']}" + (f" – {title}" if title else "")


def diff_html(current: str | None, proposed: str | None) -> str:
    """A word diff as HTML that Qt's rich text understands (coloured spans, struck-through deletions)."""
    parts = []
    for op, text in word_diff(current or "", proposed or ""):
        t = _e(text).replace("\n", "<br>")
        if op == "insert":
            parts.append(f'<span style="background-color:#d7f5d7; color:#0b5d0b; text-decoration:underline">{t}</span>')
        elif op == "delete":
            parts.append(f'<span style="background-color:#f9dada; color:#8b1111; text-decoration:line-through">{t}</span>')
        else:
            parts.append(t)
    return "".join(parts)


def _cover_html(pack: dict, title: str | None, D: str) -> list[str]:
    """The cover page (Qt's rich text honours page breaks on headings and paragraphs, not on divs)."""
    h = ["<p style='margin-top:160px'>&nbsp;</p>",
         "<h1{} style='font-size:28pt'>{}</h1>".format(D, _e(title or _('Brief pack')))]
    sizes = {"delegation": "16pt", "meeting": "16pt", "scope": "13pt", "date": "13pt"}
    for kind, text in cover_lines(pack):
        h.append(f"<p{D} style='font-size:{sizes[kind]}'>{_e(text)}</p>")
    h.append(f"<p{D}>" + _e(counts_text(pack)) + "</p>")
    h.append(f"<p{D}><i>" + _e(_("Internal to the delegation: positions, red lines and fallbacks are not for distribution."))
             + "</i></p>")
    return h


def _contents_html(pack: dict, labels: dict[str, dict[str, str]], D: str) -> list[str]:
    h = ["<h1{} style='page-break-before:always'>{}</h1>".format(D, _e(_('Contents'))),
         "<p{}>1. {}</p>".format(D, _e(_('Positions')))]
    for i, entry in enumerate(pack["entries"], 1):
        h.append(f"<p{D} style='margin-left:24px'>1.{i} <a href='#pos{i}'>{_e(entry_heading(entry, labels['subject']))}</a></p>")
    for n, (anchor, label) in enumerate((("docs", _("Documents")), ("coord", _("Coordinators")),
                                         ("deadlines", _("Deadlines"))), 2):
        h.append(f"<p{D}>{n}. <a href='#{anchor}'>{_e(label)}</a></p>")
    return h


def _proposal_cell_html(pr: dict, current: dict | None, labels: dict[str, dict[str, str]], D: str) -> str:
    status = labels["proposal_status"].get(pr.get("status") or "", pr.get("status") or "")
    cell = f"<p{D}><i>{_e(status)}</i></p>"
    if pr.get("title"):
        cell += _content(f"<p><b>{_e(pr['title'])}</b></p>", pr["title"])
    if current and current.get("text") and pr.get("text") and pr["action"] == "MOD":
        cell += _content(f"<p>{diff_html(current.get('text'), pr.get('text'))}</p>", pr.get("text"))
    else:
        cell += _content(nested_markdown_html(pr.get("text") or ""), pr.get("text"))
    return cell


def _proposals_html(entry: dict, labels: dict[str, dict[str, str]], D: str, tdir: str) -> list[str]:
    """The proposals on the position's subject, three to a table."""
    props = entry["proposals"]
    current = entry.get("current")
    if not props:
        return []
    h = ["<h3{}>{}</h3>".format(D, _e(_('Proposals side by side')))]
    for start in range(0, len(props), 3):
        chunk = props[start:start + 3]
        h.append(f"<table border='1' cellspacing='0' cellpadding='4' width='100%'{tdir}><tr>")
        for pr in chunk:
            head = "{id} · {regions} · {action}".format(
                id=pr["id"], regions=", ".join(region_label(r) for r in pr.get("regions") or pr.get("sources") or []),
                action=labels["action"].get(pr["action"], pr["action"]))
            h.append(f"<th style='background-color:#eef2f7'>{_e(head)}</th>")
        h.append("</tr><tr>")
        for pr in chunk:
            h.append(f"<td valign='top'>{_proposal_cell_html(pr, current, labels, D)}</td>")
        h.append("</tr></table><br>")
    return h


def _entry_coordinators_html(entry: dict, D: str) -> list[str]:
    coords = entry.get("coordinators") or []
    if not coords:
        return []
    h = ["<h3{}>{}</h3><ul{}>".format(D, _e(_('Regional coordinators')), D)]
    for c in coords:
        h.append(f"<li>{_e(region_label(c.get('region')))}: {_e(c.get('name'))}"
                 + (f" ({_e(c['organization'])})" if c.get("organization") else "")
                 + (f" – {_e(c['email'])}" if c.get("email") else "") + "</li>")
    h.append("</ul>")
    return h


def _entry_html(i: int, entry: dict, labels: dict[str, dict[str, str]], D: str, tdir: str) -> list[str]:
    """One position: its heading, stance table, texts, the proposals on its subject and its coordinators."""
    p = entry["position"]
    h = [f"<h2{D}><a name='pos{i}'></a>1.{i} {_e(entry_heading(entry, labels['subject']))}</h2>"]
    rows = [
        (_("Our stance"), labels["stance"].get(p["stance"], p["stance"])),
        (_("Priority"), labels["priority"].get(p.get("priority") or "", p.get("priority") or "–")),
        (_("Status"), labels["status"].get(p.get("status") or "", p.get("status") or "")),
        (_("Owner"), p.get("owner") or "–"),
    ]
    h.append(f"<table cellpadding='3' border='0'{tdir}>" + "".join(
        f"<tr><td><b>{_e(k)}</b></td><td>{_e(v)}</td></tr>" for k, v in rows) + "</table>")
    for key, label in (("brief", _("Brief")), ("red_lines", _("Red lines")), ("fallback", _("Fallback"))):
        if p.get(key):
            h.append(f"<h3{D}>{_e(label)}</h3>" + _content(nested_markdown_html(p[key]), p[key]))
    h.extend(_proposals_html(entry, labels, D, tdir))
    h.extend(_entry_coordinators_html(entry, D))
    return h


def _positions_html(pack: dict, labels: dict[str, dict[str, str]], D: str, tdir: str) -> list[str]:
    h = ["<h1{} style='page-break-before:always'>1. {}</h1>".format(D, _e(_('Positions')))]
    if not pack["entries"]:
        h.append("<p{}>{}</p>".format(D, _e(_('No position recorded for this scope.'))))
    for i, entry in enumerate(pack["entries"], 1):
        h.extend(_entry_html(i, entry, labels, D, tdir))
    return h


def _documents_html(pack: dict, D: str) -> list[str]:
    h = ["<h1{}><a name='docs'></a>2. {}</h1>".format(D, _e(_('Documents')))]
    if pack["documents"]:
        h.append("<ul>" + "".join("<li><b>{}</b> {}</li>".format(_e(d['id']), _e(d.get('title') or _('(not in the store)')))
                                  for d in pack["documents"]) + "</ul>")
    else:
        h.append("<p{}>{}</p>".format(D, _e(_('None.'))))
    return h


def _coordinators_html(pack: dict, D: str, tdir: str) -> list[str]:
    """Every coordinator of this pack, by region."""
    h = ["<h1{}><a name='coord'></a>3. {}</h1>".format(D, _e(_('Coordinators')))]
    seen = {}
    for entry in pack["entries"]:
        for c in entry.get("coordinators") or []:
            seen.setdefault(c["id"], (c, []))[1].append(entry["position"]["subject"]["id"])
    if not seen:
        h.append("<p{}>{}</p>".format(D, _e(_('None.'))))
        return h
    h.append(f"<table border='1' cellspacing='0' cellpadding='4'{tdir}>")
    h.append("<tr>" + "".join(f"<th>{_e(x)}</th>" for x in (_("Region"), _("Name"), _("Organization"),
                                                              _("E-mail"), _("Phone"), _("Items"))) + "</tr>")
    for c, items in sorted(seen.values(), key=lambda v: (v[0].get("region") or "", v[0].get("name") or "")):
        h.append("<tr>" + "".join(f"<td>{_e(x)}</td>" for x in (
            region_label(c.get("region")), c.get("name"), c.get("organization"), c.get("email"), c.get("phone"),
            ", ".join(items))) + "</tr>")
    h.append("</table>")
    return h


def _deadlines_html(pack: dict, D: str) -> list[str]:
    h = ["<h1{}><a name='deadlines'></a>4. {}</h1>".format(D, _e(_('Deadlines')))]
    if pack["deadlines"]:
        h.append("<ul>" + "".join(f"<li><b>{_e(format_due(d.get('due')))}</b> – {_e(d.get('title'))}</li>"
                                  for d in pack["deadlines"]) + "</ul>")
    else:
        h.append("<p{}>{}</p>".format(D, _e(_('No deadline ahead.'))))
    return h


def brief_html(pack: dict, *, labels: dict[str, dict[str, str]], title: str | None = None) -> str:
    """The whole brief pack as one HTML document: cover, contents, positions, documents, deadlines.

    ``labels``: translated labels, {"subject": {...}, "stance": {...}, "priority": {...}, "status": {...},
    "action": {...}, "proposal_status": {...}}.
    """
    rtl = is_rtl()
    # Interface text runs right to left in Arabic; texts from bundles and briefs keep their own
    # direction (each paragraph is laid out by its first strong character), so only tables are turned.
    tdir = D = " dir='rtl'" if rtl else ""
    h = ["<html><head><meta charset='utf-8'></head><body>"]
    h.extend(_cover_html(pack, title, D))
    h.extend(_contents_html(pack, labels, D))
    h.extend(_positions_html(pack, labels, D, tdir))
    h.extend(_documents_html(pack, D))
    h.extend(_coordinators_html(pack, D, tdir))
    h.extend(_deadlines_html(pack, D))
    h.append("</body></html>")
    if rtl:  # Arabic has no italic in the common fonts (it printed as boxes): interface text stays upright
        return "".join(h).replace("<i>", "").replace("</i>", "")
    return "".join(h)


ACTION_BACKGROUND = {"ADD": "#cfe3fb", "MOD": "#fde7bd", "SUP": "#f8cfcf", "NOC": "#d3f0d3"}


def target_detail_html(detail: dict, *, labels: dict[str, dict[str, str]], assessment: str | None = None,
                       link=None, per_row: int = 3) -> str:
    """The current text of a target and every proposal on it side by side, each diffed against the current text.

    ``link(type, id)`` makes an internal link (None: no links).
    """
    def a(type_name: str, rid: str, text: str) -> str:
        return f"<a href='{_e(link(type_name, rid))}'>{_e(text)}</a>" if link else _e(text)

    D = " dir='rtl'" if is_rtl() else ""
    h = []
    kind = labels["subject"].get(detail["target_type"], detail["target_type"])
    current = detail.get("current")
    title = (current or {}).get("title")
    head = f"{kind} {detail['target_id']}" + (f" – {title}" if title else "")
    h.append(f"<h2{D}>{a(detail['target_type'], detail['target_id'], head) if current else _e(head)}</h2>")
    if assessment:
        h.append(f"<p{D}><b>{_e(assessment)}</b></p>")
    pos = detail.get("position")
    if pos:
        h.append(f"<p{D}>" + _e(_("Our position: {stance} ({status})").format(
            stance=labels["stance"].get(pos["stance"], pos["stance"]),
            status=labels["status"].get(pos["status"], pos["status"]))) + "</p>")
    h.append("<h3{}>{}</h3>".format(D, _e(_('Current text'))))
    if current and current.get("text"):
        if current.get("revision"):
            h.append(f"<p{D}><i>{_e(current['revision'])}</i></p>")
        h.append(_content(markdown_to_html(current["text"]), current["text"]))
    else:
        h.append("<p{}><i>{}</i></p>".format(D, _e(_('No current text in the store for this target.'))))
    props = detail.get("proposals") or []
    h.append("<h3{}>{}</h3>".format(D, _e(_('Proposals side by side ({count})').format(count=len(props)))))
    if props:
        h.append("<p{}><small>{}</small></p>".format(D, _e(_('Words added to the current text are underlined in green, words removed are struck through in red.'))))
    for start in range(0, len(props), per_row):
        chunk = props[start:start + per_row]
        h.append(f"<table border='1' cellspacing='0' cellpadding='5' width='100%'{D}><tr>")
        for pr in chunk:
            bg = ACTION_BACKGROUND.get(pr["action"], "#eeeeee")
            regions = ", ".join(pr.get("regions") or [])
            sources = ", ".join(pr.get("sources") or [])
            h.append(f"<th style='background-color:{bg}' width='{100 // len(chunk)}%'>"
                     f"{a('proposal', pr['id'], pr['id'])}<br>{_e(pr['action'])} · {_e(regions)} ({_e(sources)})</th>")
        h.append("</tr><tr>")
        for pr in chunk:
            status = labels["proposal_status"].get(pr.get("status") or "", pr.get("status") or "")
            cell = f"<p{D}><i>{_e(status)}</i></p>"
            if pr["action"] == "NOC":
                cell += "<p{}>{}</p>".format(D, _e(_('No change to the current text.')))
            elif pr["action"] == "SUP":
                cell += "<p{}>{}</p>".format(D, _e(_('Suppress the whole text.')))
            if pr.get("text"):
                if current and current.get("text") and pr["action"] in ("MOD", "ADD"):
                    cell += _content(f"<p>{diff_html(current['text'], pr['text'])}</p>", pr["text"])
                else:
                    cell += _content(markdown_to_html(pr["text"]), pr["text"])
            if pr.get("reasons"):
                cell += "<p{}><b>{}</b></p>".format(D, _e(_('Reasons'))) + _content(markdown_to_html(pr["reasons"]), pr["reasons"])
            h.append(f"<td valign='top'>{cell}</td>")
        h.append("</tr></table><br>")
    return "".join(h)
