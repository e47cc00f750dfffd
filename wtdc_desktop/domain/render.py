"""Markdown from bundles to safe HTML: one pure function, tested without Qt.

Everything a bundle carries is untrusted. Markdown is converted, then the HTML
is cleaned by nh3 (ammonia) with an allowlist: no scripts, no styles, no
images or other remote loads, and links only to https, mailto and the app's
own ``wtdc:`` scheme (internal navigation).
"""

from __future__ import annotations

import html

import markdown as _markdown
import nh3

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
    converted = _markdown.markdown(escaped, extensions=_MD_EXTENSIONS, output_format="html")
    return sanitize_html(converted)


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


def plain_to_html(text: str | None) -> str:
    return html.escape(text or "").replace("\n", "<br>")


def record_to_html(type_name: str, record: dict, *, field_labels: dict[str, str] | None = None,
                   markdown_fields: tuple[str, ...] = ()) -> str:
    """A record as safe HTML: a heading, a table of its simple fields, its Markdown texts."""
    labels = field_labels or {}
    title = record.get("title") or record.get("name") or record.get("id", "")
    parts = [f"<h2>{html.escape(str(title))}</h2>", f"<p><code>{html.escape(str(record.get('id', '')))}</code></p>"]
    rows = []
    for key, value in record.items():
        if key in ("id", "title", "name") or key in markdown_fields or value in (None, "", [], {}):
            continue
        if isinstance(value, (dict, list)):
            import json

            shown = json.dumps(value, ensure_ascii=False)
        else:
            shown = str(value)
        rows.append(f"<tr><th align='left'>{html.escape(labels.get(key, key))}</th>"
                    f"<td>{html.escape(shown)}</td></tr>")
    if rows:
        parts.append("<table cellspacing='4'>" + "".join(rows) + "</table>")
    for key in markdown_fields:
        if record.get(key):
            parts.append(f"<h3>{html.escape(labels.get(key, key))}</h3>")
            parts.append(markdown_to_html(record[key]))
    return sanitize_html("".join(parts))
