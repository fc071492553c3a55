"""Duplicate-construction detection (第六条第一款 避免重复建设；第九条第二款 信息资源共享).

When a proposal or filing is submitted, its content is compared with every project and information
system already in its jurisdiction and at city level. Two tokenisations of Chinese are measured on a
labelled set built from the demo data (demo_data.py): character bigrams and jieba words, each fed
to TF-IDF with cosine similarity. `evaluate_on_labelled_set()` reports precision and recall of
each; the better one is DEFAULT_METHOD.

At submission the comparison runs on the database's inverted index (similarity_index.py): the
idf is that of every submitted project and information system, the proposal counted in — as in the
labelled-set measurement — and the candidates are those of candidates_for(). find_similar_exhaustive()
is the comparison computed from scratch over candidates_for() (the idf of the candidates alone): the
reference the index is measured against.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db.models import Q

# the words of a text live in words.py (the index reads them too); re-exported from their old home
from .words import STOPWORDS, _jieba, bigrams, jieba_words, jieba_words_cached  # noqa: F401


def _bigrams_no_stop(text: str) -> list[str]:
    return bigrams(text)


METHODS: dict[str, Callable[[str], list[str]]] = {"bigram": _bigrams_no_stop, "jieba": jieba_words}
# Cosine at or above which a pair is reported as a possible duplicate; chosen on the labelled set
# (see evaluate_on_labelled_set and docs/projects.md for the measurement).
THRESHOLDS: dict[str, float] = {"bigram": 0.25, "jieba": 0.32}
DEFAULT_METHOD = "jieba"
TOP_K = 5


def tfidf_vectors(texts: Sequence[str], tokenize: Callable[[str], list[str]]) -> list[dict[str, float]]:
    """L2-normalised TF-IDF vectors (smoothed idf, sublinear tf) of `texts` against each other."""
    docs = [Counter(tokenize(t)) for t in texts]
    n = len(docs)
    df: Counter[str] = Counter()
    for d in docs:
        df.update(d.keys())
    vectors = []
    for d in docs:
        v = {t: (1 + math.log(c)) * (math.log((1 + n) / (1 + df[t])) + 1) for t, c in d.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vectors.append({t: x / norm for t, x in v.items()})
    return vectors


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(t, 0.0) for t, x in a.items())


def rank(query: str, candidates: Sequence[str], *, method: str = DEFAULT_METHOD) -> list[tuple[int, float]]:
    """Indexes of `candidates` with their cosine to `query`, most similar first."""
    if not candidates:
        return []
    vecs = tfidf_vectors([query, *candidates], METHODS[method])
    q = vecs[0]
    scores = [(i, cosine(q, v)) for i, v in enumerate(vecs[1:])]
    return sorted(scores, key=lambda s: -s[1])


# -- the labelled set ---------------------------------------------------------------------------------


def _pairs(items: Sequence[tuple[str, str, str]]) -> Iterable[tuple[int, int, bool]]:
    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            gi, gj = items[i][2], items[j][2]
            yield i, j, bool(gi) and gi == gj


def evaluate_on_labelled_set(thresholds: dict[str, float] | None = None) -> dict[str, dict[str, float]]:
    """Precision and recall of each method on the demo labelled set (every pair of demo projects and
    systems; a pair is a duplicate when both carry the same planted group). A pair is predicted a
    duplicate when its TF-IDF cosine (over the whole set) reaches the method's threshold."""
    from .demo_data import labelled_items

    items = labelled_items()
    texts = [t for _, t, _ in items]
    thresholds = {**THRESHOLDS, **(thresholds or {})}
    result: dict[str, dict[str, float]] = {}
    for name, tokenize in METHODS.items():
        vecs = tfidf_vectors(texts, tokenize)
        tp = fp = fn = tn = 0
        threshold = thresholds[name]
        for i, j, dup in _pairs(items):
            predicted = cosine(vecs[i], vecs[j]) >= threshold
            tp += predicted and dup
            fp += predicted and not dup
            fn += (not predicted) and dup
            tn += (not predicted) and not dup
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        result[name] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "threshold": threshold,
            "true_positives": tp,
            "false_positives": fp,
            "false_negatives": fn,
            "pairs": tp + fp + fn + tn,
        }
    return result


# -- at submission ------------------------------------------------------------------------------------


# the fields a hit shows, and the state (django-fsm reads it on every instance: without it, one query
# per project)
_PROJECT_FIELDS = (
    "id",
    "state",
    "reference",
    "title",
    "content",
    "systems",
    "data_resources",
    "jurisdiction__name",
    "owner__name",
)


def candidates_for(project: Any) -> tuple[list[Any], list[Any]]:
    """Projects and information systems already in the project's jurisdiction and at city level
    (a city-level project is compared with the whole city)."""
    from .choices import ProjectState
    from .models import InformationSystem, Project

    scope = candidate_scope(project)
    where = Q() if scope is None else Q(jurisdiction_id__in=scope)
    projects = list(
        Project.objects.filter(where)
        .exclude(pk=project.pk)
        .exclude(state=ProjectState.DRAFT)
        .select_related("jurisdiction", "owner")
        .only(*_PROJECT_FIELDS)
    )
    systems = list(InformationSystem.objects.filter(where).exclude(source_project=project))
    return projects, systems


def candidate_scope(project: Any) -> list[int] | None:
    """The jurisdictions whose projects and systems candidates_for() compares `project` with (None:
    all of them — a city-level project is compared with the whole city)."""
    from infogov.org.selectors import city

    root = city()
    return None if project.jurisdiction_id == root.pk else [project.jurisdiction_id, root.pk]


def find_similar(project: Any, *, method: str = DEFAULT_METHOD, limit: int = TOP_K) -> list[dict[str, Any]]:
    """The most similar existing projects/systems, with scores, at or above the method's threshold:
    through the index (similarity_index), brought up to date first."""
    from . import similarity_index as index
    from .models import InformationSystem, Project

    if method != "jieba":  # the index holds jieba words; other methods are measured from scratch
        return find_similar_exhaustive(project, method=method, limit=limit)
    index.sync()
    top = index.search(
        index.term_counts(project.similarity_text()),
        jurisdictions=candidate_scope(project),
        exclude=index.project_document(project.pk) if project.pk else None,
        exclude_systems_of=project.pk,
        limit=limit,
        threshold=THRESHOLDS[method],
    )
    project_ids = [d for d, _ in top if d > 0]
    system_ids = [-d for d, _ in top if d < 0]
    projects = (
        {
            p.pk: p
            for p in Project.objects.filter(pk__in=project_ids)
            .select_related("jurisdiction", "owner")
            .only(*_PROJECT_FIELDS)
        }
        if project_ids
        else {}
    )
    systems = InformationSystem.objects.in_bulk(system_ids) if system_ids else {}
    out = []
    for d, score in top:
        if d > 0 and d in projects:
            out.append({"project": projects[d], "system": None, "score": score})
        elif d < 0 and -d in systems:
            out.append({"project": None, "system": systems[-d], "score": score})
    return out


def find_similar_exhaustive(
    project: Any, *, method: str = DEFAULT_METHOD, limit: int = TOP_K
) -> list[dict[str, Any]]:
    """find_similar computed from scratch: TF-IDF over candidates_for() and the proposal (seconds
    for a city's projects; the peer the index is measured against)."""
    projects, systems = candidates_for(project)
    texts = [p.similarity_text() for p in projects] + [f"{s.name}\n{s.description}" for s in systems]
    ranked = rank(project.similarity_text(), texts, method=method)
    out = []
    for i, score in ranked[:limit]:
        if score < THRESHOLDS[method]:
            break
        if i < len(projects):
            out.append({"project": projects[i], "system": None, "score": score})
        else:
            out.append({"project": None, "system": systems[i - len(projects)], "score": score})
    return out


def record_similar(project: Any, *, method: str = DEFAULT_METHOD) -> list[Any]:
    """Replace the project's unacknowledged hits with a fresh comparison (called on submission)."""
    from .models import SimilarityHit

    project.similar_hits.filter(acknowledged=False).delete()
    kept = set(project.similar_hits.values_list("other_project_id", "other_system_id"))
    hits = []
    for f in find_similar(project, method=method):
        key = (f["project"].pk if f["project"] else None, f["system"].pk if f["system"] else None)
        if key in kept:
            continue
        hits.append(
            SimilarityHit.objects.create(
                project=project,
                other_project=f["project"],
                other_system=f["system"],
                score=f["score"],
                method=method,
            )
        )
    return hits
