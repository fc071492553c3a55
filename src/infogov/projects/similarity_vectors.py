"""Duplicate detection's score computed from scratch over a list of texts (their own idf): the
definition the index (similarity_index) computes, used by the labelled-set measurement
(similarity_quality), the exhaustive peer (similarity.find_similar_exhaustive) and the tests."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence

from .similarity_index import term_counts, weights


def vectors(texts: Sequence[str]) -> list[dict[str, float]]:
    """The fused TF-IDF vectors of `texts` against each other (their own idf): the definition the
    index computes, from scratch."""
    counts = [term_counts(t) for t in texts]
    df: Counter[str] = Counter()
    for c in counts:
        df.update(c.keys())
    return [weights(c, df, len(counts)) for c in counts]


def tfidf_vectors(texts: Sequence[str], tokenize: Callable[[str], list[str]]) -> list[dict[str, float]]:
    """L2-normalised TF-IDF vectors (smoothed idf, sublinear tf) of one tokenisation of `texts`
    (the measure before the fusion, kept as the baseline the labelled set compares against)."""
    docs = [Counter(tokenize(t)) for t in texts]
    n = len(docs)
    df: Counter[str] = Counter()
    for d in docs:
        df.update(d.keys())
    out = []
    for d in docs:
        v = {t: (1 + math.log(c)) * (math.log((1 + n) / (1 + df[t])) + 1) for t, c in d.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        out.append({t: x / norm for t, x in v.items()})
    return out


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(t, 0.0) for t, x in a.items())
