"""The exact score of the duplicate index (similarity_index._exact) and of a batch's check
(similarity_batch): a document's fused cosine with a query, from its word counts and the idf of
each word — one computation for both, so that the two give the same float."""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import repeat
from operator import mul

from .words import BIGRAM

Counts = dict[str, int]

_TF = [0.0, *(1 + math.log(k) for k in range(1, 64))]  # sublinear tf of small counts


# a document's words and its bigrams (fuse's two parts), each as its features and their sublinear tf,
# in its word counts' order
Prepared = tuple[tuple[list[str], list[float]], tuple[list[str], list[float]]]


def prepare(c: Counts) -> Prepared:
    """`c` split as cosine() reads it."""
    out: Prepared = (([], []), ([], []))
    for t, k in c.items():
        terms, tfs = out[t[:1] == BIGRAM]
        terms.append(t)
        tfs.append(_TF[k] if k < len(_TF) else 1 + math.log(k))
    return out


class _Idf(dict[str, float]):
    """idf by word; `fallback` for a word it lacks (similarity_index._exact's)."""

    fallback = 0.0

    def __missing__(self, t: str) -> float:
        return self.fallback


def cosine(doc: Prepared, idfs: dict[str, float], q: dict[str, float], scales: Sequence[float]) -> float:
    """The fused cosine of a document (prepare()d) with the query's weights `q`, each feature
    weighted by tf × idf (`idfs`, by word: a dict whose [] answers every word): per part, the
    document's weights, their squares summed and their products with q's summed in the document's
    order (sum() adds floats one after another on Python 3.11, as a loop would; a word not in q adds
    0.0), then each part normalised and scaled by its share (`scales`: similarity_index._SCALE).
    Every exact score of the index and of a batch (similarity_batch) is this one computation, so the
    two give the same float."""
    parts = []
    for (terms, tfs), scale in zip(doc, scales, strict=True):
        xs = list(map(mul, tfs, map(idfs.__getitem__, terms)))
        dot = sum(map(mul, map(q.get, terms, repeat(0.0)), xs))
        parts.append(dot * scale / (math.sqrt(sum(map(mul, xs, xs))) or 1.0))
    return sum(parts)
