"""Duplicate-construction detection (第六条 避免重复建设; answered in the review of 信息资源共享,
第九条第二款).

When a proposal or filing is submitted, its content is compared with every project and information
system already in its jurisdiction and at city level. A text is prepared (normalised, folded from
traditional to simplified), its government-IT synonyms replaced by their canonical term
(similarity_synonyms: 医保 → 医疗保障), and cut into jieba words and character bigrams
(words.features). Both are weighted by TF-IDF and fused: WORD_WEIGHT × the words' cosine +
(1 - WORD_WEIGHT) × the bigrams' cosine (similarity_index.weights). A candidate at or above
THRESHOLD is reported, best first, with the words the two texts share.

THRESHOLD and WORD_WEIGHT were chosen on the labelled set data/duplicate_pairs.yaml (realistic
pairs: renamed platforms, district copies, shared sub-systems rebuilt inside a department's
project, traditional-character submissions, and hard negatives), by `manage.py similarity_threshold`
(similarity_quality.sweep); tests/projects/test_duplicate_quality.py measures precision and recall
on that set through the index.

At submission the comparison runs on the database's inverted index (similarity_index.py): the idf is
that of every submitted project and information system, the proposal counted in.
find_similar_exhaustive() is the same comparison computed from scratch over candidates_for() (the
idf of the candidates alone): the reference the index is measured against.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from django.db.models import Q

from . import similarity_index as index
from .similarity_index import WORD_WEIGHT  # noqa: F401  (part of the definition, documented here)
from .similarity_synonyms import highlight  # noqa: F401  (what a hit shows)
from .similarity_vectors import cosine, tfidf_vectors, vectors  # noqa: F401  (the definition, from scratch)

# the words of a text live in words.py (the index reads them too); re-exported from their old home
from .words import BIGRAM, STOPWORDS, _jieba, bigrams, jieba_words, jieba_words_cached  # noqa: F401

METHOD = "fused"
# Fused score at or above which a candidate is reported; chosen on the labelled set (the best F1 of
# similarity_quality.sweep, rounded down; docs/projects.md quotes the measurement)
THRESHOLD = 0.34
THRESHOLDS: dict[str, float] = {METHOD: THRESHOLD}
DEFAULT_METHOD = METHOD
TOP_K = 10
SHARED_TERMS = 8  # the shared words a hit shows the reviewer


def term_counts(text: str) -> dict[str, int]:
    return index.term_counts(text)


def rank(query: str, candidates: Sequence[str]) -> list[tuple[int, float]]:
    """Indexes of `candidates` with their fused score against `query`, most similar first."""
    if not candidates:
        return []
    vecs = vectors([query, *candidates])
    scores = [(i, cosine(vecs[0], v)) for i, v in enumerate(vecs[1:])]
    return sorted(scores, key=lambda s: -s[1])


def evaluate_on_labelled_set(threshold: float | None = None) -> dict[str, dict[str, Any]]:
    """Precision and recall on the labelled set (data/duplicate_pairs.yaml): the fused measure at
    THRESHOLD (or `threshold`), and the baseline before it (jieba words alone, no synonyms, at
    0.32). See similarity_quality."""
    from . import similarity_quality

    return similarity_quality.evaluate(THRESHOLD if threshold is None else threshold)


# -- what a hit shows ---------------------------------------------------------------------------------


def shared_terms(query: dict[str, float], other: dict[str, float], limit: int = SHARED_TERMS) -> list[str]:
    """The words (not bigrams) both vectors hold, by what each adds to the score, most first."""
    common = [(query[t] * x, t) for t, x in other.items() if t in query and t[:1] != BIGRAM]
    common.sort(key=lambda c: (-c[0], c[1]))
    return [t for _, t in common[:limit]]


def indexed_shared_terms(details: dict[str, Any], document: int, limit: int = SHARED_TERMS) -> list[str]:
    """The words (not bigrams) `document` shares with the query of a search, by what each adds to
    their score, most first (a document's weights share one norm, so the order is that of query
    weight × tf × idf), from what the search read (similarity_index.search's `details`)."""
    counts = details.get("docs", {}).get(document)
    if not counts:
        return []
    q, df, n, bump = details["q"], details["df"], details["n"], details["bump"]
    common = sorted(
        (
            (q[t] * (1 + math.log(k)) * index.idf(n, df.get(t, 0) + bump), t)
            for t, k in counts.items()
            if t in q and t[:1] != BIGRAM
        ),
        key=lambda x: (-x[0], x[1]),
    )
    return [t for _, t in common[:limit]]


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
    from infogov.security.selectors import system_texts

    from .choices import ProjectState
    from .models import Project

    scope = candidate_scope(project)
    where = Q() if scope is None else Q(jurisdiction_id__in=scope)
    projects = list(
        Project.objects.filter(where)
        .exclude(pk=project.pk)
        .exclude(state=ProjectState.DRAFT)
        .select_related("jurisdiction", "owner")
        .only(*_PROJECT_FIELDS)
    )
    systems = system_texts(jurisdictions=scope, exclude_project=project.pk)
    return projects, systems


def candidate_scope(project: Any, root: int | None = None) -> list[int] | None:
    """The jurisdictions whose projects and systems candidates_for() compares `project` with (None:
    all of them — a city-level project is compared with the whole city). `root`: the city's key,
    when the caller has read it (a batch reads it once)."""
    if root is None:
        root = city_key()
    return None if project.jurisdiction_id == root else [project.jurisdiction_id, root]


def city_key() -> int:
    from infogov.org.selectors import city

    return int(city().pk)


def find_similar(project: Any, *, limit: int = TOP_K, threshold: float = THRESHOLD) -> list[dict[str, Any]]:
    """The most similar existing projects/systems at or above `threshold`, best first, each with
    its score and shared words: through the index (similarity_index), brought up to date first."""
    from infogov.security.selectors import system_texts

    from .models import Project

    index.sync()
    counts = index.term_counts(project.similarity_text())
    details: dict[str, Any] = {}
    top = index.search(
        counts,
        jurisdictions=candidate_scope(project),
        exclude=index.project_document(project.pk) if project.pk else None,
        exclude_systems_of=project.pk,
        limit=limit,
        threshold=threshold,
        details=details,
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
    systems = {s.id: s for s in system_texts(system_ids)} if system_ids else {}
    shared = {d: indexed_shared_terms(details, d) for d, _ in top}
    out = []
    for d, score in top:
        if d > 0 and d in projects:
            out.append({"project": projects[d], "system": None, "score": score, "terms": shared.get(d, [])})
        elif d < 0 and -d in systems:
            out.append({"project": None, "system": systems[-d], "score": score, "terms": shared.get(d, [])})
    return out


def find_similar_exhaustive(project: Any, *, limit: int = TOP_K) -> list[dict[str, Any]]:
    """find_similar computed from scratch: the fused TF-IDF over candidates_for() and the proposal
    (seconds for a city's projects; the peer the index is measured against)."""
    projects, systems = candidates_for(project)
    texts = [p.similarity_text() for p in projects] + [index.system_text(s.title, s.purpose) for s in systems]
    vecs = vectors([project.similarity_text(), *texts])
    ranked = sorted(((i, cosine(vecs[0], v)) for i, v in enumerate(vecs[1:])), key=lambda s: -s[1])
    out = []
    for i, score in ranked[:limit]:
        if score < THRESHOLD:
            break
        terms = shared_terms(vecs[0], vecs[i + 1])
        if i < len(projects):
            out.append({"project": projects[i], "system": None, "score": score, "terms": terms})
        else:
            out.append(
                {"project": None, "system": systems[i - len(projects)], "score": score, "terms": terms}
            )
    return out


def record_similar(project: Any) -> list[Any]:
    """Replace the project's unacknowledged hits with a fresh comparison (called on submission)."""
    from .models import SimilarityHit

    project.similar_hits.filter(acknowledged=False).delete()
    kept = set(project.similar_hits.values_list("other_project_id", "other_system_id"))
    hits = []
    for f in find_similar(project):
        key = (f["project"].pk if f["project"] else None, f["system"].pk if f["system"] else None)
        if key in kept:
            continue
        hits.append(
            SimilarityHit.objects.create(
                project=project,
                other_project=f["project"],
                other_system_id=f["system"].id if f["system"] else None,
                other_system_title=f["system"].title if f["system"] else "",
                score=f["score"],
                method=METHOD,
                shared_terms=f["terms"],
            )
        )
    return hits
