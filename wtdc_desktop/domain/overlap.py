"""Likely overlaps between resolutions (or between Questions), from title and text similarity.

Computed locally and only ever offered as a suggestion: the score says how
many of the significant words two titles (and texts) share, and the user
confirms or dismisses each pair.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

_WORD_RE = re.compile(r"[^\W\d_]{3,}", re.UNICODE)

# Words too common in conference titles to say anything about overlap (EN, FR, ES).
STOPWORDS = frozenset("""
the and for with from that this its their into such other all are was were has have been will
les des une dans pour par sur aux avec qui que est son ses leur leurs entre cette ces ainsi
los las del con por para una que sus entre como
itu uit resolution resolutions resolucion question questions rev revision exemple example ejemplo
telecommunication telecommunications telecomunicaciones development developpement desarrollo
""".split())


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str | None) -> list[str]:
    """Significant words of a text: case and accents folded, short and common words dropped."""
    return [w for w in _WORD_RE.findall(_fold(text or "")) if w not in STOPWORDS]


def _stem(word: str) -> str:
    """A crude stem, so that plural and singular meet (enough for a suggestion)."""
    for suffix in ("ations", "ation", "ements", "ement", "ings", "ing", "ies", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def stems(text: str | None) -> set[str]:
    return {_stem(w) for w in words(text)}


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def cosine(a: Counter, b: Counter) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b.get(k, 0) for k, v in a.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


@dataclass(frozen=True)
class Item:
    type: str
    id: str
    title: str
    text: str = ""
    group: str = ""  # e.g. the conference body (WTDC, PP…) or the sector of a Question


@dataclass(frozen=True)
class Suggestion:
    a: Item
    b: Item
    score: float            # 0..1
    title_score: float
    text_score: float
    shared: tuple[str, ...]  # significant words the titles share

    def key(self) -> tuple[str, str, str, str]:
        return pair_key(self.a.type, self.a.id, self.b.type, self.b.id)

    def as_dict(self) -> dict:
        return {
            "a": {"type": self.a.type, "id": self.a.id, "title": self.a.title},
            "b": {"type": self.b.type, "id": self.b.id, "title": self.b.title},
            "score": round(self.score, 3), "title_score": round(self.title_score, 3),
            "text_score": round(self.text_score, 3), "shared_words": list(self.shared),
        }


def pair_key(a_type: str, a_id: str, b_type: str, b_id: str) -> tuple[str, str, str, str]:
    """The same key whichever way round a pair is given."""
    first, second = sorted([(a_type, a_id), (b_type, b_id)])
    return (*first, *second)


def suggest(items: list[Item], *, threshold: float = 0.5, exclude: set[tuple[str, str, str, str]] = frozenset(),
            only_across_groups: bool = False, limit: int = 200) -> list[Suggestion]:
    """Pairs of items whose titles (and texts) are alike, best first.

    The score weighs the titles (what a resolution is about) twice as much as
    the texts; pairs in ``exclude`` (declared links, dismissed pairs) are left out.
    """
    prepared = []
    for item in items:
        title_stems = stems(item.title)
        text_counts = Counter(_stem(w) for w in words(item.text))
        prepared.append((item, title_stems, text_counts))
    out: list[Suggestion] = []
    for i in range(len(prepared)):
        a, ta, ca = prepared[i]
        if not ta:
            continue
        for j in range(i + 1, len(prepared)):
            b, tb, cb = prepared[j]
            if not tb or (a.type, a.id) == (b.type, b.id):
                continue
            if only_across_groups and a.group == b.group:
                continue
            title_score = jaccard(ta, tb)
            if title_score < threshold / 2:
                continue
            if pair_key(a.type, a.id, b.type, b.id) in exclude:
                continue
            text_score = cosine(ca, cb) if ca and cb else title_score
            score = (2 * title_score + text_score) / 3
            if score >= threshold:
                shared = tuple(sorted(w for w in set(words(a.title)) if _stem(w) in ta & tb))
                out.append(Suggestion(a, b, score, title_score, text_score, shared))
    out.sort(key=lambda s: (-s.score, s.a.id, s.b.id))
    return out[:limit]
