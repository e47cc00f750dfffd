"""Markdown from bundles to safe HTML: one pure function, tested without Qt.

Everything a bundle carries is untrusted. Markdown is converted, then the HTML
is cleaned by nh3 (ammonia) with an allowlist: no scripts, no styles, no
images or other remote loads, and links only to https, mailto and the app's
own ``wtdc:`` scheme (internal navigation).
"""

from __future__ import annotations

import html
import re
import threading

import nh3

from wtdc_desktop.domain.records import reference_fields

ALLOWED_TAGS = {
    "p", "br", "hr", "em", "strong", "b", "i", "u", "s", "del", "ins", "sub", "sup", "code", "pre", "kbd",
    "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "a", "span", "div", "mark",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}
URL_SCHEMES = {"https", "mailto", "wtdc"}
_MD_EXTENSIONS = ["tables", "sane_lists", "fenced_code"]


def markdown_to_html(text: str | None) -> str:
    """Convert untrusted Markdown to sanitised HTML (raw HTML in the input is escaped, never trusted)."""
    if not text:
        return ""
    # Raw HTML in bundle text is never trusted: escape it before Markdown sees it,
    # so "<script>" shows as text instead of vanishing or running.
    escaped = text.replace("<", "&lt;")
    return sanitize_html(_converter().reset().convert(escaped))


_local = threading.local()


def _converter():
    """One Markdown converter per thread, reset before each use (making one costs more than
    converting a page; a converter is not safe to share between threads)."""
    md = getattr(_local, "markdown", None)
    if md is None:
        import markdown  # here, not at import: the window paints before any Markdown is shown

        md = _local.markdown = markdown.Markdown(extensions=_MD_EXTENSIONS, output_format="html")
    return md


def _keep_attribute(tag: str, name: str, value: str) -> str | None:
    """Drop links without an allowed scheme: a relative or scheme-relative URL
    could resolve against a base to file: or a remote host."""
    if name == "href":
        scheme = value.split(":", 1)[0].lower() if ":" in value else ""
        if scheme not in URL_SCHEMES or value.startswith("//"):
            return None
    return value


def sanitize_html(fragment: str) -> str:
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
        attribute_filter=_keep_attribute,
    )


# --- the detail pane -------------------------------------------------------------------

#: Fields that refer to another record: (record type, field) -> referenced type (the registry's).
REFERENCE_FIELDS = reference_fields()
#: Fields never shown in the table of simple fields (shown otherwise or internal).
_HIDDEN_FIELDS = {"id", "title", "name", "withdrawn", "number", "revision", "addendum", "corrigendum"}


def _link(type_name: str, record_id, label: str | None = None) -> str:
    from wtdc_desktop.domain.links import make_link

    text = html.escape(str(label if label is not None else record_id))
    return f'<a href="{html.escape(make_link(type_name, str(record_id)))}">{text}</a>'


def _target_html(type_name: str, value: dict, labels: dict[str, str]) -> str:
    kind, tid = value.get("type"), value.get("id")
    label = f"{labels.get('target:' + str(kind), kind)} {tid}"
    if kind in ("resolution", "question") and tid is not None:
        return _link(str(kind), tid, label)
    return html.escape(label)


def _links_html(type_name: str, value: list, labels: dict[str, str]) -> str:
    items = []
    for link in value:
        if isinstance(link, dict) and link.get("to"):
            target = str(link["to"])
            kind = labels.get("links:" + str(link.get("kind")), str(link.get("kind") or ""))
            if type_name == "resolution":
                items.append(f"{_link('resolution', target)} <i>({html.escape(kind)})</i>")
            else:
                items.append(f"{html.escape(target)} <i>({html.escape(kind)})</i>")
    return "<br>".join(items)


def _coordinates_html(type_name: str, value: list, labels: dict[str, str]) -> str:
    return ", ".join(_link(str(s.get("type")), s.get("id")) for s in value if isinstance(s, dict) and s.get("id"))


def list_numbers_agenda(numbers: list) -> bool:
    """Whether an agenda's published item numbers are 1, 2, 3… in order: a numbered list says them
    (and they are not written again: never "1. 1 Opening"); other numbers (4.1, 3bis) are written."""
    return bool(numbers) and [str(n).strip().rstrip(".") for n in numbers] == [str(i) for i in range(1, len(numbers) + 1)]


def _agenda_html(type_name: str, value: list, labels: dict[str, str]) -> str:
    rows = []
    items = [item for item in value if isinstance(item, dict)]
    numbered = list_numbers_agenda([item.get("item", "") for item in items])
    for item in items:
        docs = ", ".join(_link("document", d) for d in item.get("documents") or [] if isinstance(d, str))
        number = "" if numbered or not item.get("item") else f"<b>{html.escape(str(item['item']))}</b> "
        rows.append(f"<li>{number}{html.escape(str(item.get('title') or ''))}{' — ' + docs if docs else ''}</li>")
    if not rows:
        return ""
    return ("<ol>" + "".join(rows) + "</ol>") if numbered else ("<ul>" + "".join(rows) + "</ul>")


def _languages_html(type_name: str, value: dict, labels: dict[str, str]) -> str:
    return html.escape(", ".join(sorted(value)))


def _pledges_html(type_name: str, value: list, labels: dict[str, str]) -> str:
    rows = []
    for p in value:
        if isinstance(p, dict):
            rows.append(f"<li>{html.escape(str(p.get('from') or ''))}: {html.escape(str(p.get('amount')))} "
                        f"{html.escape(str(p.get('currency') or ''))} ({html.escape(str(p.get('status') or ''))})</li>")
    return "<ul>" + "".join(rows) + "</ul>"


#: Fields with a shape of their own: field -> (the type of value it is shown for, how it is shown).
_STRUCTURED_FIELDS = {
    "target": (dict, _target_html),
    "links": (list, _links_html),
    "coordinates": (list, _coordinates_html),
    "agenda": (list, _agenda_html),
    "languages": (dict, _languages_html),
    "pledges": (list, _pledges_html),
}


def _value_html(type_name: str, key: str, value, labels: dict[str, str]) -> str:
    import json

    ref = REFERENCE_FIELDS.get((type_name, key))
    if ref and isinstance(value, list):
        return ", ".join(_link(ref, v) for v in value if isinstance(v, (str, int)))
    if ref and isinstance(value, (str, int)):
        return _link(ref, value)
    structured = _STRUCTURED_FIELDS.get(key)
    if structured and isinstance(value, structured[0]):
        return structured[1](type_name, value, labels)
    if isinstance(value, (dict, list)):
        return html.escape(json.dumps(value, ensure_ascii=False))
    return html.escape(str(value))


def record_detail_html(type_name: str, record: dict, *, labels: dict[str, str] | None = None,
                       markdown_fields: tuple[str, ...] = (), display: dict[str, str] | None = None,
                       badges: list[str] | None = None, related: list[tuple[str, list]] | None = None,
                       extra_html: list[str] | None = None, notes: list[str] | None = None,
                       lead_html: list[str] | None = None) -> str:
    """The detail pane of one record, as sanitised HTML.

    ``labels`` translates field names (and ``target:KIND`` / ``links:KIND``);
    ``display`` gives already formatted values for some fields (local times);
    ``related`` lists sections ``(heading, groups)`` where each group is
    ``(subheading or None, [(type, id, label), ...])``; ``extra_html`` holds
    blocks made by this module's pure functions (diffs), ``lead_html`` such blocks shown first,
    under the title (the delegation's position, a comparison asked for); ``notes`` are the
    delegation's Markdown notes on the record. Mentions of documents,
    resolutions and Questions in the texts become internal links.
    """
    from wtdc_desktop.domain.links import linkify_html

    labels = labels or {}
    display = display or {}
    rid = str(record.get("id", ""))
    title = record.get("title") or record.get("name") or rid
    head = [f"<h2>{html.escape(str(title))}</h2>"]
    badge_html = "".join(f" <b>[{html.escape(b)}]</b>" for b in badges or [])
    head.append(f"<p><code>{html.escape(rid)}</code>{badge_html}</p>")
    head.extend(lead_html or [])
    rows = []
    for key, value in record.items():
        if key in _HIDDEN_FIELDS or key in markdown_fields or value in (None, "", [], {}):
            continue
        shown = html.escape(display[key]) if key in display else _value_html(type_name, key, value, labels)
        rows.append(f"<tr><th align='left'>{html.escape(labels.get(key, key))}</th><td>{shown}</td></tr>")
    parts = head
    if rows:
        parts.append("<table cellspacing='4'>" + "".join(rows) + "</table>")
    skip = {(type_name, rid)}
    for key in markdown_fields:
        if record.get(key):
            parts.append(f"<h3>{html.escape(labels.get(key, key))}</h3>")
            parts.append(linkify_html(markdown_to_html(record[key]), skip=skip))
    for block in extra_html or []:
        parts.append(block)
    for heading, groups in related or []:
        if not any(items for _sub, items in groups):
            continue
        parts.append(f"<h3>{html.escape(heading)}</h3>")
        for sub, items in groups:
            if sub:
                parts.append(f"<h4>{html.escape(sub)}</h4>")
            parts.append("<ul>" + "".join(
                f"<li>{_link(t, i, i)}{' — ' + html.escape(str(lbl)) if lbl else ''}</li>" for t, i, lbl in items
            ) + "</ul>")
    if notes:
        parts.append(f"<h3>{html.escape(labels.get('notes', 'notes'))}</h3>")
        for body in notes:
            parts.append("<blockquote>" + linkify_html(markdown_to_html(body)) + "</blockquote>")
    return sanitize_html("".join(parts))


_MD_INLINE = (
    (re.compile(r"!\[([^\]\n]*)\]\([^)\n]*\)"), r"\1"),  # an image: its text
    (re.compile(r"\[([^\]\n]*)\]\([^)\n]*\)"), r"\1"),  # a link: its text
    (re.compile(r"\[([^\]\n]*)\]\[[^\]\n]*\]"), r"\1"),  # a reference link
    (re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"), ""),  # a tag
    (re.compile(r"`+([^`\n]*)`+"), r"\1"),  # code
    (re.compile(r"(\*\*|__|~~)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # bold, strike-through
    (re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])"), r"\1"),  # italic *x*
    (re.compile(r"(?<![\w_])_(?=[^\s_])([^_\n]+?)(?<=[^\s_])_(?![\w_])"), r"\1"),  # italic _x_
    (re.compile(r"\*\*+|__+|~~+|`+"), ""),  # what a cut left unclosed
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!>~|])"), r"\1"),  # escapes
)
_MD_LINE = re.compile(r"^[ \t]{0,3}(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+(?:\[[ xX]\][ \t]+)?)+|[ \t]+#+[ \t]*$",
                      re.MULTILINE)
_MD_RULE = re.compile(r"^[ \t]*(?:[-*_][ \t]*){3,}$", re.MULTILINE)


def markdown_to_text(text: str | None) -> str:
    """Markdown (or a cut out of it, a search snippet) as plain text on one line: no markers
    of emphasis, headings, lists, quotes, links (their text stays), code or tags.

    Characters that are not Markdown (a match's delimiters, symbols such as ``WTDC-21/25`` or
    ``2022-2025:1/1``, a lone asterisk) are kept."""
    if not text:
        return ""
    out = _MD_RULE.sub("", text)
    out = _MD_LINE.sub("", out)
    for pattern, repl in _MD_INLINE:
        out = pattern.sub(repl, out)
    return " ".join(out.split())


def position_summary_html(heading: str, rows: list[tuple[str, str]], brief: str | None, *, link: str,
                          action: str, empty: str | None = None, brief_lines: int = 4) -> str:
    """The delegation's position in a record's detail pane: its facts (``rows``: label, value already
    translated), the first lines of its brief (Markdown, sanitised) and the link that opens the
    editor on it (``action``); ``empty`` is said instead when there is no position yet."""
    parts = [f"<h3>{html.escape(heading)}</h3>"]
    if empty:
        parts.append(f"<p><i>{html.escape(empty)}</i></p>")
    else:
        parts.append("<table cellspacing='4'>" + "".join(
            # each value isolated (FSI…PDI): "Amina K." stays so inside a right-to-left line
            f"<tr><th align='left'>{html.escape(label)}</th><td>\u2068{html.escape(value)}\u2069</td></tr>"
            for label, value in rows if value) + "</table>")
        lines = [ln for ln in (brief or "").strip().splitlines()]
        if lines:
            head = "\n".join(lines[:brief_lines]) + ("\n\n…" if len(lines) > brief_lines else "")
            parts.append("<blockquote>" + markdown_to_html(head) + "</blockquote>")
    parts.append(f"<p><a href=\"{html.escape(link)}\">{html.escape(action)}</a></p>")
    return sanitize_html("".join(parts))


def comparison_html(type_name: str, before: dict, after: dict, *, heading: str,
                    labels: dict[str, str] | None = None) -> str:
    """Two versions of a record compared, field by field as the registry lists them
    (``compared``): text word by word, a coded value as its word before and after. Every
    compared field with a value in either version is shown, unchanged ones as they are."""
    from wtdc_desktop.domain import diff
    from wtdc_desktop.domain.records import PUBLISHED_TYPES

    rtype = PUBLISHED_TYPES[type_name]
    labels = labels or {}
    parts = [f"<h3>{html.escape(heading)}</h3>"]
    for name, a, b in diff.compare_fields(before, after, rtype.compared):
        spec = rtype.spec(name)
        parts.append(f"<h4>{html.escape(labels.get(name) or (spec.label if spec else name))}</h4>")
        if spec is not None and spec.kind == "enum":
            a_word = html.escape(rtype.value_label(name, a) or a or "—")
            b_word = html.escape(rtype.value_label(name, b) or b or "—")
            parts.append(f"<p>{b_word}</p>" if a == b else f"<p><del>{a_word}</del> → <ins>{b_word}</ins></p>")
        else:
            parts.append("<p>" + diff.word_diff_html(a, b) + "</p>")
    # Qt's rich text draws <del> struck through but <ins> as plain text: inserted words are underlined.
    return sanitize_html("".join(parts).replace("<ins>", "<u>").replace("</ins>", "</u>"))


def snippet_to_html(snippet: str, mark: tuple[str, str] = ("\x02", "\x03")) -> str:
    """A search snippet whose matches are delimited by control characters, as safe HTML with <b>."""
    escaped = html.escape(snippet or "")
    return escaped.replace(mark[0], "<b>").replace(mark[1], "</b>")


def link_sections_html(sections: list[tuple[str, list[tuple[str, str, str, str]], str]],
                       title: str | None = None) -> str:
    """A page of linked lists: sections ``(heading, [(type, id, label, detail)], text when empty)``."""
    parts = [f"<h2>{html.escape(title)}</h2>"] if title else []
    for heading, items, empty in sections:
        parts.append(f"<h3>{html.escape(heading)}</h3>")
        if not items:
            parts.append(f"<p><i>{html.escape(empty)}</i></p>")
            continue
        parts.append("<ul>")
        for type_name, rid, label, detail in items:
            link = _link(type_name, rid, label or rid) if type_name else html.escape(label or rid)
            parts.append(f"<li>{link}{' — ' + html.escape(detail) if detail else ''}</li>")
        parts.append("</ul>")
    return sanitize_html("".join(parts))
