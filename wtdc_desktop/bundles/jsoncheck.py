"""Two rules of spec §7 on every JSON value a bundle carries (the manifest, each record line).

Nesting depth: the text is scanned for brackets outside strings *before* it is
parsed, without recursion, so that a value nested 100 000 levels deep is
refused, never handed to the parser (whose recursion it would exhaust).

Valid Unicode: a lone surrogate can only come from a ``\\uD800``-style escape
(the UTF-8 decoder refuses encoded ones); after parsing, every string, keys
included, is looked at, walking the value without recursion. An id holds no
control character other than tab and line feed.
"""

from __future__ import annotations

import re

#: Outside a string: everything up to the next quote or bracket.
_OUTSIDE = re.compile(r'[^"\[\]{}]*')
#: Inside a string (after its opening quote): everything up to its closing quote, escapes skipped.
_INSIDE = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*', re.DOTALL)
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: An escape that may stand for a surrogate (a look before walking the value).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def too_deep(text: str, limit: int) -> bool:
    """Whether the JSON ``text`` nests arrays and objects more than ``limit`` levels deep.

    Brackets inside strings do not count. Text that is not JSON is scanned all the same;
    the parser refuses it afterwards.
    """
    if text.count("[") + text.count("{") <= limit:
        return False  # cannot be deeper than the number of brackets it opens
    depth = 0
    pos = 0
    end = len(text)
    while True:
        pos = _OUTSIDE.match(text, pos).end()
        if pos >= end:
            return False
        ch = text[pos]
        if ch == '"':
            pos = _INSIDE.match(text, pos + 1).end() + 1
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return True
            pos += 1
        else:
            depth -= 1
            pos += 1


def lone_surrogate(value, text: str | None = None) -> tuple[str, str] | None:
    """The first lone surrogate in a parsed JSON value: (field path, the escape), or None.

    ``text``, the JSON the value was parsed from, lets a value without any such escape
    be passed without a walk. The field path is written as ``a.b[2]`` (empty for the value itself).
    """
    if text is not None and ("\\u" not in text or not _SURROGATE_ESCAPE.search(text)):
        return None
    stack: list[tuple[object, str]] = [(value, "")]
    while stack:
        node, name = stack.pop()
        if isinstance(node, str):
            found = _SURROGATE.search(node)
            if found:
                return name, f"\\u{ord(found.group()):04x}"
        elif isinstance(node, dict):
            for key, sub in node.items():
                where = f"{name}.{key}" if name else key
                found = _SURROGATE.search(key)
                if found:
                    return (name, f"\\u{ord(found.group()):04x}")
                stack.append((sub, where))
        elif isinstance(node, list):
            stack.extend((sub, f"{name}[{i}]") for i, sub in enumerate(node))
    return None


def control_in_id(value: str) -> str | None:
    """The first control character (C0, DEL, C1) other than tab and line feed in an id, as ``\\x1b``; or None."""
    found = _CONTROL.search(value)
    return f"\\x{ord(found.group()):02x}" if found else None


def printable_field(name: str) -> str:
    """A field path fit for a one-line message (surrogates and control characters made visible)."""
    return "".join(ch if ch.isprintable() and not _SURROGATE.match(ch) else f"\\u{ord(ch):04x}" for ch in name)
