"""Likely overlaps between resolutions (or between Questions), from title and text similarity.

Computed locally and only ever offered as a suggestion: the score says how
many of the significant words two titles (and texts) share, and the user
confirms or dismisses each pair.
"""

from __future__ import annotations

import functools
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


_MARKS_RE = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def _fold(text: str) -> str:
    """Case and accents folded (é → e), other scripts left as they are."""
    if text.isascii():
        return text.casefold()
    return _MARKS_RE.sub("", unicodedata.normalize("NFKD", text.casefold()))


def words(text: str | None) -> list[str]:
    """Significant words of a text: case and accents folded, short and common words dropped."""
    return [w for w in _WORD_RE.findall(_fold(text or "")) if w not in STOPWORDS]


@functools.lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """A crude stem, so that plural and singular meet (enough for a suggestion)."""
    for suffix in ("ations", "ation", "ements", "ement", "ings", "ing", "ies", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


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
    title_words: dict[int, set[str]] = {}
    for index, item in enumerate(items):
        title_words[index] = set(words(item.title))
        title_stems = {_stem(w) for w in title_words[index]}
        text_counts = Counter(_stem(w) for w in words(item.text))
        prepared.append((item, title_stems, text_counts))
    # Only pairs whose titles share a stem can reach the threshold: find them through an index.
    by_stem: dict[str, list[int]] = {}
    for index, (_item, title_stems, _counts) in enumerate(prepared):
        for stem in title_stems:
            by_stem.setdefault(stem, []).append(index)
    out: list[Suggestion] = []
    for i in range(len(prepared)):
        a, ta, ca = prepared[i]
        if not ta:
            continue
        candidates = sorted({j for stem in ta for j in by_stem[stem] if j > i})
        for j in candidates:
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
                shared = tuple(sorted(w for w in title_words[i] if _stem(w) in ta & tb))
                out.append(Suggestion(a, b, score, title_score, text_score, shared))
    out.sort(key=lambda s: (-s.score, s.a.id, s.b.id))
    return out[:limit]
