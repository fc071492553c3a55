"""Text similarity for Chinese plan tasks (第六条: 避免重复建设, 与相关规划相衔接).

Character bigrams of the Chinese text (normalised and folded to simplified as every text path
does, core.text; punctuation and spaces dropped) compared by Jaccard similarity: no dictionary
needed, good enough to flag near-repeats for a human to judge.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from infogov.core.text import segment as text_segment

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)

DUPLICATE_THRESHOLD = 0.5  # at least half the bigrams shared: a likely repeat of a task in force
TRACE_THRESHOLD = 0.15  # below this against every parent task: the task does not trace to the parent plan


def segmenter() -> Any:
    """The platform's one segmenter (core.text: jieba, quiet, with the government IT terms)."""
    return text_segment.segmenter()


@lru_cache(maxsize=4096)
def bigrams(text: str) -> frozenset[str]:
    s = _NOISE.sub("", text_segment.prepared(text))
    if len(s) < 2:
        return frozenset({s}) if s else frozenset()
    return frozenset(s[i : i + 2] for i in range(len(s) - 1))


def jaccard(a: str, b: str) -> float:
    x, y = bigrams(a), bigrams(b)
    if not x or not y:
        return 0.0
    return len(x & y) / len(x | y)


def cosine(a: str, b: str) -> float:
    x, y = bigrams(a), bigrams(b)
    if not x or not y:
        return 0.0
    return len(x & y) / ((len(x) * len(y)) ** 0.5)


@dataclass(frozen=True)
class Match:
    text: str
    other_text: str
    other_ref: str
    score: float


def best_match(text: str, candidates: Iterable[tuple[str, str]]) -> Match | None:
    """The most similar of (reference, text) candidates, or None when there are none."""
    best: Match | None = None
    for ref, other in candidates:
        score = jaccard(text, other)
        if best is None or score > best.score:
            best = Match(text, other, ref, round(score, 3))
    return best
