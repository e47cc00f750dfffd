"""Word-level differences between two texts (revisions of a resolution, versions of a brief).

Pure functions: ``word_diff`` gives the operations, ``diff_to_html`` renders
them as escaped HTML with ``<ins>`` and ``<del>``.
"""

from __future__ import annotations

import difflib
import html
import re

_TOKEN_RE = re.compile(r"\s+|[^\s]+")


def _tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(text or "")


def word_diff(a: str | None, b: str | None) -> list[tuple[str, str]]:
    """Operations turning ``a`` into ``b``, word by word: ("equal" | "insert" | "delete", text).

    Whitespace is kept, so joining the "equal" and "delete" texts gives ``a``
    back and joining "equal" and "insert" gives ``b``.
    """
    ta, tb = _tokens(a or ""), _tokens(b or "")
    matcher = difflib.SequenceMatcher(a=ta, b=tb, autojunk=False)
    out: list[tuple[str, str]] = []

    def push(op: str, text: str) -> None:
        if not text:
            return
        if out and out[-1][0] == op:
            out[-1] = (op, out[-1][1] + text)
        else:
            out.append((op, text))

    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            push("equal", "".join(ta[i1:i2]))
        else:
            if i2 > i1:
                push("delete", "".join(ta[i1:i2]))
            if j2 > j1:
                push("insert", "".join(tb[j1:j2]))
    return out


def diff_to_html(ops: list[tuple[str, str]]) -> str:
    """Escaped HTML of a word diff: deletions struck through, insertions underlined."""
    parts = []
    for op, text in ops:
        escaped = html.escape(text).replace("\n", "<br>")
        if op == "insert":
            parts.append(f"<ins>{escaped}</ins>")
        elif op == "delete":
            parts.append(f"<del>{escaped}</del>")
        else:
            parts.append(escaped)
    return "".join(parts)


def word_diff_html(a: str | None, b: str | None) -> str:
    return diff_to_html(word_diff(a, b))
