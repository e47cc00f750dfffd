"""Word-level differences between two texts (revisions of a resolution, versions of a brief).

Pure functions: ``word_diff`` gives the operations, ``diff_to_html`` renders
them as escaped HTML with ``<ins>`` and ``<del>``.
"""

from __future__ import annotations

import html
import re

#: A word with the spaces after it (leading spaces alone): half as many tokens as words and spaces
#: apart, and no token as common as a lone space for the matcher to trip over.
_TOKEN_RE = re.compile(r"\S+\s*|\s+")


def _tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(text or "")


#: Above this many token comparisons a changed block is shown as deleted then inserted whole:
#: difflib's matcher is quadratic, and a word-by-word diff of two unrelated pages says nothing.
WORD_DIFF_BUDGET = 400_000


def word_diff(a: str | None, b: str | None) -> list[tuple[str, str]]:
    """Operations turning ``a`` into ``b``, word by word: ("equal" | "insert" | "delete", text).

    Whitespace is kept, so joining the "equal" and "delete" texts gives ``a``
    back and joining "equal" and "insert" gives ``b``. Lines are matched first and only the
    lines that differ are compared word by word, as ``git diff --word-diff`` does: a long
    text with a few amended paragraphs costs little more than those paragraphs.
    """
    out: list[tuple[str, str]] = []

    def push(op: str, text: str) -> None:
        if not text:
            return
        if out and out[-1][0] == op:
            out[-1] = (op, out[-1][1] + text)
        else:
            out.append((op, text))

    la, lb = (a or "").splitlines(keepends=True), (b or "").splitlines(keepends=True)
    import difflib  # loaded with the first comparison, not with the window

    lines = difflib.SequenceMatcher(a=la, b=lb, autojunk=False)
    for tag, i1, i2, j1, j2 in lines.get_opcodes():
        if tag == "equal":
            push("equal", "".join(la[i1:i2]))
        else:
            _word_level("".join(la[i1:i2]), "".join(lb[j1:j2]), push)
    return out


def _word_level(a: str, b: str, push) -> None:
    ta, tb = _tokens(a), _tokens(b)
    if len(ta) * len(tb) > WORD_DIFF_BUDGET:
        push("delete", a)
        push("insert", b)
        return
    import difflib

    matcher = difflib.SequenceMatcher(a=ta, b=tb, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            push("equal", "".join(ta[i1:i2]))
            continue
        gone, came = "".join(ta[i1:i2]), "".join(tb[j1:j2])
        # A word replaced by another: the space after both is unchanged text, not part of the change.
        same = 0
        while same < min(len(gone), len(came)) and gone[-1 - same] == came[-1 - same] and gone[-1 - same].isspace():
            same += 1
        push("delete", gone[:len(gone) - same])
        push("insert", came[:len(came) - same])
        push("equal", gone[len(gone) - same:])


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


def diff_to_text(ops: list[tuple[str, str]]) -> str:
    """A word diff for a terminal, as ``git diff --word-diff`` writes it: ``[-gone-]{+came+}``."""
    return "".join(f"[-{t}-]" if op == "delete" else f"{{+{t}+}}" if op == "insert" else t for op, t in ops)


def compare_fields(before: dict, after: dict, fields) -> list[tuple[str, str | None, str | None]]:
    """(field, value before, value after) of the ``fields`` that have a value in either version,
    in the order given; values as text."""
    out = []
    for name in fields:
        a, b = before.get(name), after.get(name)
        if a in (None, "") and b in (None, ""):
            continue
        out.append((name, None if a is None else str(a), None if b is None else str(b)))
    return out
