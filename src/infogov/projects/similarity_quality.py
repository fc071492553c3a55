"""How well duplicate-construction detection (similarity.py) finds duplicates: precision and recall
on the labelled set data/duplicate_pairs.yaml, and the sweep the threshold was chosen by.

Each pair of the set is two proposals (title + content) labelled duplicate or not. A pair is
predicted a duplicate when its score reaches the threshold. The scores are computed with the whole
set as the corpus (its idf), either from scratch (`pair_scores`, the definition) or through the
database's index by the submission path (tests/projects/test_duplicate_quality.py); the two agree.

`manage.py similarity_threshold` prints the sweep; `make bench` reports `evaluate()`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).parent / "data" / "duplicate_pairs.yaml"
BASELINE_THRESHOLD = 0.32  # the measure before (jieba words alone, no synonyms) and its threshold


@dataclass(frozen=True)
class Pair:
    id: str
    kind: str
    duplicate: bool
    a: str
    b: str
    note: str


def _text(side: dict[str, Any]) -> str:
    return f"{side['title']}\n{side['content']}"


@cache
def labelled_pairs() -> tuple[Pair, ...]:
    raw = yaml.safe_load(DATA.read_text(encoding="utf-8"))["pairs"]
    return tuple(
        Pair(str(p["id"]), str(p["kind"]), bool(p["duplicate"]), _text(p["a"]), _text(p["b"]), str(p["note"]))
        for p in raw
    )


def texts(pairs: Sequence[Pair]) -> list[str]:
    """The corpus: both sides of every pair, a then b."""
    return [t for p in pairs for t in (p.a, p.b)]


def pair_scores(pairs: Sequence[Pair] | None = None) -> list[float]:
    """The fused score of each pair (similarity.vectors over the whole set), from scratch."""
    from .similarity_synonyms import refresh
    from .similarity_vectors import cosine, vectors

    pairs = labelled_pairs() if pairs is None else pairs
    refresh()
    vecs = vectors(texts(pairs))
    return [cosine(vecs[2 * i], vecs[2 * i + 1]) for i in range(len(pairs))]


def baseline_scores(pairs: Sequence[Pair] | None = None) -> list[float]:
    """The score before: TF-IDF of jieba words alone, without synonyms or bigrams."""
    from .similarity_vectors import cosine, tfidf_vectors
    from .words import jieba_words

    pairs = labelled_pairs() if pairs is None else pairs
    vecs = tfidf_vectors(texts(pairs), jieba_words)
    return [cosine(vecs[2 * i], vecs[2 * i + 1]) for i in range(len(pairs))]


def measure(scores: Sequence[float], labels: Sequence[bool], threshold: float) -> dict[str, Any]:
    """Precision, recall and F1 of "duplicate when score ≥ threshold"."""
    tp = sum(s >= threshold and d for s, d in zip(scores, labels, strict=True))
    fp = sum(s >= threshold and not d for s, d in zip(scores, labels, strict=True))
    fn = sum(s < threshold and d for s, d in zip(scores, labels, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "threshold": round(threshold, 4),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "true_positives": tp,
        "false_positives": fp,
        "false_negatives": fn,
        "pairs": len(labels),
        "duplicates": sum(labels),
    }


def sweep(
    scores: Sequence[float], labels: Sequence[bool], thresholds: Iterable[float] | None = None
) -> list[dict[str, Any]]:
    """measure() at each threshold (0.10 to 0.60 by 0.01 unless given)."""
    grid = [round(0.1 + 0.01 * i, 2) for i in range(51)] if thresholds is None else list(thresholds)
    return [measure(scores, labels, t) for t in grid]


def best(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The row of highest F1; of equals, the one with the highest precision, then the lowest
    threshold (more is shown to the reviewer, who decides)."""
    return max(rows, key=lambda r: (r["f1"], r["precision"], -r["threshold"]))


def auc(scores: Sequence[float], labels: Sequence[bool]) -> float:
    """The chance that a duplicate pair scores above a non-duplicate one (ranking quality)."""
    pos = [s for s, d in zip(scores, labels, strict=True) if d]
    neg = [s for s, d in zip(scores, labels, strict=True) if not d]
    if not pos or not neg:
        return 0.0
    wins = sum((p > q) + 0.5 * (p == q) for p in pos for q in neg)
    return round(wins / (len(pos) * len(neg)), 4)


def evaluate(threshold: float) -> dict[str, dict[str, Any]]:
    """The fused measure at `threshold` (similarity.THRESHOLD in use) and the baseline at its
    threshold, on the labelled set, each with its AUC."""
    pairs = labelled_pairs()
    labels = [p.duplicate for p in pairs]
    fused = pair_scores(pairs)
    base = baseline_scores(pairs)
    return {
        "fused": {
            **measure(fused, labels, threshold),
            "auc": auc(fused, labels),
        },
        "baseline": {**measure(base, labels, BASELINE_THRESHOLD), "auc": auc(base, labels)},
    }


def misses(scores: Sequence[float], threshold: float, pairs: Sequence[Pair] | None = None) -> list[str]:
    """The pairs decided wrongly at `threshold`: "id kind score note"."""
    pairs = labelled_pairs() if pairs is None else pairs
    return [
        f"{p.id} {'漏报' if p.duplicate else '误报'} {s:.3f} {p.note}"
        for p, s in zip(pairs, scores, strict=True)
        if (s >= threshold) != p.duplicate
    ]
