"""The duplicate check (第六条 避免重复建设) of many proposals submitted together — an Excel import's
rows — as find_similar (similarity.py) checks them one after another: proposal k is compared with
the index as it stands, the proposals before it in the batch counted in (as documents of the corpus
and as candidates), itself counted once more in the word frequencies. The same candidates in the
same scope, the same exact scores (each row's word frequencies and corpus size as the one-by-one
path sees them), the same top TOP_K at or above THRESHOLD, the same shared words.

What changes is the work: the index is brought up to date once, and the city read once (each
row's scope); every row's features are computed once; the index's candidates of every row are summed
in one SQL statement per scope (on PostgreSQL each row's own small sum, LATERAL — half the time
of one aggregate over every (row, document) pair — with JIT compilation off); the rows are
compared with each other in memory (an inverted index of the rows already taken); the documents
that may reach the threshold are prepared once for the batch and scored exactly from their word
counts by the index's own computation (similarity_cosine.cosine: the same float).

Pruning, as in similarity_index.search: a row's most frequent words are left out of the candidate
sum while what they can add to any score stays small (at most the row's weight times the word's
highest indexed weight plus MARGIN — more than the STALE the one-by-one search allows — and
Cauchy-Schwarz on the row's weights); a candidate is scored exactly when its summed weight over the
row's other words, plus that bound and MARGIN for the indexed weights' drift, can reach the
threshold. When the row and its candidates are few (PAIRS_EXACT), every document sharing a word
with the row is scored exactly, as the index does for a small corpus.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection

from . import similarity_index as index
from .words import BIGRAM

MARGIN = 0.05  # what an indexed weight may have drifted from the exact one, at most (5 × index.STALE)
PAIRS_EXACT = 5_000  # below this many (row, document sharing a word) pairs nothing is pruned

Counts = dict[str, int]


class _Row:
    """One proposal of the batch: its document id, jurisdiction, scope and word counts."""

    __slots__ = ("counts", "jurisdiction", "pk", "project", "scope")

    def __init__(self, project: Any, scope: list[int] | None) -> None:
        self.project = project
        self.pk = index.project_document(project.pk)
        self.jurisdiction = project.jurisdiction_id
        self.scope = None if scope is None else frozenset(scope)
        self.counts = index.term_counts(project.similarity_text())


def find_similar_many(
    projects: Sequence[Any],
    *,
    limit: int,
    threshold: float,
    progress: Callable[[int], None] | None = None,
) -> list[list[tuple[int, float, list[str]]]]:
    """For each of `projects` in order: its hits (document id, score, shared words), best first, as
    find_similar would report them were the projects submitted one after another in this order.
    `progress(k)` is called as rows are done.

    The projects are drafts never submitted (an import's): none is in the index yet (one that is —
    a proposal returned and submitted again — sends the batch through find_similar one by one) and
    none has registered an information system (a system is registered at delivery, 第三十条), so no
    system is left out of a row's candidates as find_similar leaves out the proposal's own."""
    from .similarity import candidate_scope, city_key, indexed_shared_terms

    index.sync()
    root = city_key()  # the scope of every row, from one read of the city
    rows = [_Row(p, candidate_scope(p, root)) for p in projects]
    if not rows:
        return []
    with connection.cursor() as cur:
        indexed = _indexed(cur, [r.pk for r in rows])
        if indexed:  # a proposal already in the index (a resubmission): the one-by-one path itself
            return [_one(r.project, limit, threshold) for r in rows]
        top: dict[str, float] = {}
        df0, n0 = index.frequencies(cur, {t for r in rows for t in r.counts}, top)
        queries = _queries(rows, df0, n0)
        cache: dict[int, Prepared] = {}  # each document's words prepared once for the batch
        with _without_jit(cur):
            found, floors = _index_candidates(cur, rows, queries, (df0, top), n0, threshold, limit, cache)
        docs = _documents(cur, {d for c in found for d in c}, df0)

    def prepared(c: Counts, d: int) -> Prepared:
        got = cache.get(d)
        if got is None:
            got = cache[d] = _prepare(c)
        return got

    out = []
    memory = _Memory()
    for k, (row, q) in enumerate(zip(rows, queries, strict=True)):
        bounds = {d: b for d, b in found[k].items() if d in docs}
        bounds.update(memory.candidates(row, q, floors[k]))
        top_k = _best(
            q,
            bounds,
            lambda d: prepared(docs[d] if d in docs else memory.counts[d], d),
            df0,
            memory.df,
            limit,
            threshold,
        )
        details = {
            "q": q.weights,
            "df": q.df,
            "n": q.n,
            "bump": 1,
            "docs": {d: docs[d] if d in docs else memory.counts[d] for d, _ in top_k},
        }
        out.append([(d, x, indexed_shared_terms(details, d)) for d, x in top_k])
        memory.add(row, q)
        if progress is not None and (k + 1) % 50 == 0:
            progress(k + 1)
    return out


def _best(
    q: _Query,
    bounds: dict[int, float],
    counts_of: Callable[[int], Prepared],
    df0: dict[str, int],
    added: dict[str, int],
    limit: int,
    threshold: float,
) -> list[tuple[int, float]]:
    """The `limit` best documents at or above `threshold`, scored exactly in the order of what they
    may reach (`bounds`), until none left can reach the threshold or the `limit`-th score kept — as
    similarity_index.search stops."""
    scored: dict[int, float] = {}
    kept: list[float] = []  # the best `limit` scores so far, highest first
    for minus, d in sorted([(-b, d) for d, b in bounds.items()]):
        floor = max(threshold, kept[-1]) if len(kept) >= limit else threshold
        if -minus < floor:
            break
        x = scored[d] = q.exact(counts_of(d), df0, added)
        if x >= threshold:
            bisect.insort(kept, x, key=lambda v: -v)
            del kept[limit:]
    return sorted(((d, x) for d, x in scored.items() if x >= threshold), key=index._order)[:limit]


def _one(project: Any, limit: int, threshold: float) -> list[tuple[int, float, list[str]]]:
    from .similarity import find_similar

    out = []
    for h in find_similar(project, limit=limit, threshold=threshold):
        d = index.project_document(h["project"].pk) if h["project"] else index.system_document(h["system"].pk)
        out.append((d, h["score"], h["terms"]))
    return out


@contextmanager
def _without_jit(cur: Any) -> Iterator[None]:
    """PostgreSQL's JIT compilation off for the candidate sums: their estimated cost (a small sum per
    row, times the rows) passes its thresholds, and compiling (~0.4 s) costs more than it saves. The
    setting is put back after them (a failure in a transaction: its rollback puts it back)."""
    if connection.vendor != "postgresql":
        yield
        return
    cur.execute("SELECT current_setting('jit'), set_config('jit', 'off', false)")
    was = cur.fetchone()[0]
    try:
        yield
    except BaseException:
        if not connection.in_atomic_block:
            cur.execute("SELECT set_config('jit', %s, false)", [was])
        raise
    cur.execute("SELECT set_config('jit', %s, false)", [was])


def _indexed(cur: Any, documents: list[int]) -> bool:
    for i in range(0, len(documents), 900):
        chunk = documents[i : i + 900]
        cur.execute(f"SELECT 1 FROM {index.DOCS} WHERE id IN ({index._in(chunk)}) LIMIT 1", chunk)
        if cur.fetchone() is not None:
            return True
    return False


class _Query:
    """A row as the one-by-one search sees it: the word frequencies of the index plus the rows before
    it (`df`, of its words), the number of documents with itself counted (`n`), its fused weights."""

    __slots__ = ("_idf", "df", "n", "weights")

    def __init__(self, df: dict[str, int], n: int, counts: Counts) -> None:
        self.df, self.n = df, n
        self.weights = index.weights(counts, df, n, 1)
        self._idf: _Idf | None = None

    def forget(self) -> None:
        """Drop the idf kept (computed with other frequencies than those exact() gets next)."""
        self._idf = None

    def exact(self, c: Prepared, df0: dict[str, int], added: dict[str, int]) -> float:
        """The cosine of a document's word counts (`c`, _prepare'd) with the row
        (similarity_index.cosine, as similarity_index._exact scores it), every word's frequency that
        of the index (`df0`) plus the rows before this one (`added`)."""
        if self._idf is None:
            self._idf = _Idf(self, df0, added)
        return index.cosine(c, self._idf, self.weights, index._SCALE)


class _Idf(dict[str, float]):
    """A row's idf of each word, computed when first asked for: as similarity_index._exact computes
    it for the proposal (its own words counted once more)."""

    def __init__(self, q: _Query, df0: dict[str, int], added: dict[str, int]) -> None:
        super().__init__()
        self.q, self.df0, self.added = q, df0, added

    def __missing__(self, t: str) -> float:
        q = self.q.weights
        x = self[t] = index.idf(self.q.n, self.df0.get(t, 0) + self.added.get(t, 0) + (1 if t in q else 0))
        return x


Prepared = index.Prepared
_prepare = index.prepare


def _queries(rows: list[_Row], df0: dict[str, int], n0: int) -> list[_Query]:
    """Each row's query: the index's frequencies of its words plus the rows before it."""
    added: dict[str, int] = {}
    out = []
    for k, row in enumerate(rows):
        df = {t: df0.get(t, 0) + added.get(t, 0) for t in row.counts}
        out.append(_Query({t: x for t, x in df.items() if x}, n0 + k + 1, row.counts))
        for t in row.counts:
            added[t] = added.get(t, 0) + 1
    return out


def _split_at(
    q: dict[str, float], df: dict[str, int], cap: float, top: dict[str, float] | None = None
) -> tuple[list[str], float]:
    """The row's words whose candidates are summed, and the most the others can add to any score:
    the most frequent words left out while that bound stays below `cap` (similarity_index._split).
    A word adds at most its query weight times the highest weight a document may give it: its
    highest indexed weight (`top`, the index's documents) plus MARGIN for the drift — more than the
    STALE the one-by-one search allows — or 1 when not given (the batch's own rows)."""
    order = sorted((t for t in q if df.get(t)), key=lambda t: (-df[t], t))
    by_max, by_norm = 0.0, [0.0, 0.0]  # words, bigrams

    def bound(by_max: float, by_norm: list[float]) -> float:
        return min(by_max, sum(math.sqrt(by_norm[i]) * index._SCALE[i] for i in (0, 1)))

    for i, t in enumerate(order):
        more_norm = list(by_norm)
        more_norm[t[:1] == BIGRAM] += q[t] ** 2
        more_max = by_max + q[t] * (1.0 + index.STALE if top is None else top.get(t, 1.0) + MARGIN)
        if bound(more_max, more_norm) >= cap:
            return sorted(order[i:]), bound(by_max, by_norm)
        by_max, by_norm = more_max, more_norm
    return [], bound(by_max, by_norm)


def _index_candidates(
    cur: Any,
    rows: list[_Row],
    queries: list[_Query],
    frequencies: tuple[dict[str, int], dict[str, float]],
    n0: int,
    threshold: float,
    limit: int,
    cache: dict[int, Prepared],
) -> tuple[list[dict[int, float]], list[float]]:
    """Per row, the index's documents in its scope that may enter its top `limit` at or above
    `threshold`, with the most each may score (its summed indexed weight, what the words left out can
    add, MARGIN); and per row the score below which nothing can enter its top `limit` (its floor).

    Two statements per scope. First a look through the rows' rarest words (PROBE postings each): the
    PROBE_DOCS documents that share most of them, scored exactly (with the index's frequencies: less
    MARGIN for the batch's own), give a score the row's `limit`-th hit reaches at least — its floor.
    Then the words whose postings are summed are chosen against that floor, not the threshold:
    near-duplicates raise it, so that the frequent words (and their long postings) are left out.
    `frequencies`: the index's document frequencies and highest weights of the rows' words; `cache`
    receives the documents scored, prepared (_prepare)."""
    df0, top = frequencies
    pairs = sum(df0[t] for q in queries for t in q.weights if df0.get(t))
    by_scope: dict[frozenset[int] | None, list[int]] = {}
    for k, r in enumerate(rows):
        by_scope.setdefault(r.scope, []).append(k)
    step = len(rows) if connection.vendor == "postgresql" else 40  # SQLite's parameter limit
    out: list[dict[int, float]] = [{} for _ in rows]
    if pairs <= PAIRS_EXACT or n0 < 1:  # few: every document sharing a word is scored exactly
        plans = [sorted(t for t in q.weights if df0.get(t)) for q in queries]
        for scope, ks in by_scope.items():
            for i in range(0, len(ks), step):
                chunk = [(k, plans[k], queries[k], -1.0) for k in ks[i : i + step]]
                for d, k, _ in _summed(cur, chunk, scope):
                    out[k][d] = math.inf
        return out, [threshold] * len(rows)
    probed: dict[int, list[int]] = {}
    for scope, ks in by_scope.items():
        for i in range(0, len(ks), step):
            chunk = [(k, _probe(queries[k].weights, df0), queries[k], 0.0) for k in ks[i : i + step]]
            for k, d in _leading(cur, chunk, scope, PROBE_DOCS):
                probed.setdefault(k, []).append(d)
    docs = _documents(cur, {d for ds in probed.values() for d in ds}, df0)
    floors = [threshold] * len(rows)
    for d in docs.keys() - cache.keys():
        cache[d] = _prepare(docs[d])
    for k, ds in probed.items():
        scores = sorted((queries[k].exact(cache[d], df0, {}) for d in ds if d in docs), reverse=True)
        if len(scores) >= limit:  # the row's `limit`-th hit scores at least this (less the drift)
            floors[k] = max(threshold, scores[limit - 1] - MARGIN - 1e-9)
        queries[k].forget()
    plans, slack = [], []
    for k, q in enumerate(queries):
        cap = min(REST_BATCH, floors[k] - MARGIN - 0.01)
        words, rest = _split_at(q.weights, {t: df0.get(t, 0) for t in q.weights}, cap, top)
        plans.append(words)
        slack.append(rest + MARGIN)
    for scope, ks in by_scope.items():
        for i in range(0, len(ks), step):
            chunk = [(k, plans[k], queries[k], floors[k] - slack[k]) for k in ks[i : i + step]]
            for d, k, summed in _summed(cur, chunk, scope):
                out[k][d] = summed + slack[k]
    return out, floors


PROBE = 400  # postings a row's first look reads at most (beyond its rarest word)
PROBE_DOCS = 20  # documents it scores
# what the words left out of the candidate sum may add at most: more leaves more words out (shorter
# postings summed) and makes every candidate's bound looser (more scored exactly)
REST_BATCH = 0.4


def _probe(q: dict[str, float], df0: dict[str, int]) -> list[str]:
    """The row's rarest words in the index, up to PROBE postings."""
    words: list[str] = []
    total = 0
    for t in sorted((t for t in q if df0.get(t)), key=lambda t: (df0[t], t)):
        if words and total + df0[t] > PROBE:
            break
        words.append(t)
        total += df0[t]
    return words


def _leading(
    cur: Any, plans: list[tuple[int, list[str], _Query, float]], scope: frozenset[int] | None, depth: int
) -> list[tuple[int, int]]:
    """Per row, the `depth` documents with the highest sums of indexed weights over its words."""
    if connection.vendor == "postgresql":
        sql, params = _per_row(plans, scope, "ORDER BY s DESC, p.document_id LIMIT %s", [depth])
        cur.execute(f"SELECT r.k, x.d FROM {sql}", params)
        return [(int(k), int(d)) for k, d in cur.fetchall()]
    sql, params = _q_sql(plans, scope)
    cur.execute(
        f"WITH {sql}, s AS (SELECT q.k, p.document_id AS d, SUM(p.weight * q.w) AS s FROM q "
        f"JOIN {index.POSTINGS} p ON p.term = q.term{_where(scope)} GROUP BY q.k, p.document_id) "
        "SELECT k, d FROM (SELECT k, d, ROW_NUMBER() OVER (PARTITION BY k ORDER BY s DESC, d) AS r "
        "FROM s) x WHERE r <= %s",
        [*params, depth],
    )
    return [(int(k), int(d)) for k, d in cur.fetchall()]


def _where(scope: frozenset[int] | None) -> str:
    return "" if scope is None else f" WHERE p.jurisdiction_id IN ({index._in(sorted(scope))})"


def _per_row(
    plans: list[tuple[int, list[str], _Query, float]],
    scope: frozenset[int] | None,
    tail: str,
    more: list[Any],
) -> tuple[str, list[Any]]:
    """PostgreSQL: the rows r(k, f) each joined (LATERAL) to its own sum x(d, s) over the postings of
    its words — a small aggregate per row instead of one over every (row, document) pair — `tail`
    ending each row's (HAVING, ORDER BY … LIMIT, with `more` parameters). The rows' words travel as
    two arrays, each row's a slice of them."""
    ks: list[int] = []
    lo: list[int] = []
    hi: list[int] = []
    floor: list[float] = []
    terms: list[str] = []
    weights: list[float] = []
    for k, words, q, f in plans:
        if words:
            ks.append(k)
            lo.append(len(terms) + 1)
            terms += words
            weights += [q.weights[t] for t in words]
            hi.append(len(terms))
            floor.append(f)
    sql = (
        "(SELECT %s::text[] AS t, %s::float8[] AS w) a, "
        "unnest(%s::int[], %s::int[], %s::int[], %s::float8[]) r(k, lo, hi, f) CROSS JOIN LATERAL ("
        "SELECT p.document_id AS d, SUM(p.weight * q.w) AS s "
        "FROM unnest(a.t[r.lo:r.hi], a.w[r.lo:r.hi]) q(term, w) "
        f"JOIN {index.POSTINGS} p ON p.term = q.term{_where(scope)} GROUP BY p.document_id {tail}) x"
    )
    return sql, [terms, weights, ks, lo, hi, floor, *([] if scope is None else sorted(scope)), *more]


def _q_sql(
    plans: list[tuple[int, list[str], _Query, float]], scope: frozenset[int] | None
) -> tuple[str, list[Any]]:
    """SQLite: the rows' words as a table q(k, term, w, f), and the parameters (the scope's last)."""
    qid, term, weight, floor = [], [], [], []
    for k, words, q, f in plans:
        for t in words:
            qid.append(k)
            term.append(t)
            weight.append(q.weights[t])
            floor.append(f)
    q_sql = (
        f"VALUES {', '.join(['(%s, %s, %s, %s)'] * len(qid))}" if qid else "SELECT 0, '', 0.0, 0.0 WHERE 0"
    )
    params = [x for r in zip(qid, term, weight, floor, strict=True) for x in r]
    return f"q(k, term, w, f) AS ({q_sql})", params + ([] if scope is None else sorted(scope))


def _summed(
    cur: Any, plans: list[tuple[int, list[str], _Query, float]], scope: frozenset[int] | None
) -> list[tuple[int, int, float]]:
    """(document, row, indexed dot product over the row's words) where that product reaches the floor."""
    if not any(words for _, words, _, _ in plans):
        return []
    if connection.vendor == "postgresql":
        sql, params = _per_row(plans, scope, "HAVING SUM(p.weight * q.w) >= r.f", [])
        cur.execute(f"SELECT x.d, r.k, x.s FROM {sql}", params)
        return [(int(d), int(k), float(x)) for d, k, x in cur.fetchall()]
    sql, params = _q_sql(plans, scope)
    cur.execute(
        f"WITH {sql} SELECT p.document_id, q.k, SUM(p.weight * q.w) "
        f"FROM q JOIN {index.POSTINGS} p ON p.term = q.term{_where(scope)} "
        "GROUP BY q.k, p.document_id HAVING SUM(p.weight * q.w) >= MIN(q.f)",
        params,
    )
    return [(int(d), int(k), float(x)) for d, k, x in cur.fetchall()]


def _documents(cur: Any, documents: set[int], df0: dict[str, int]) -> dict[int, Counts]:
    """The word counts of `documents`, and the index's frequencies of their words (df0, completed)."""
    ids = sorted(documents)
    docs: dict[int, Counts] = {}
    for i in range(0, len(ids), 900):
        chunk = ids[i : i + 900]
        cur.execute(f"SELECT id, terms FROM {index.DOCS} WHERE id IN ({index._in(chunk)})", chunk)
        docs.update((d, index._counts(t)) for d, t in cur.fetchall())
    missing = {t for c in docs.values() for t in c if t not in df0}
    if missing:
        df0.update(index.frequencies(cur, missing)[0])
    return docs


class _Memory:
    """The rows already taken, as documents of the corpus: their word counts, and an inverted index
    of their weights (as the index would hold them) for the candidate sum, and each word's highest
    weight among them."""

    def __init__(self) -> None:
        self.counts: dict[int, Counts] = {}
        self.rows: dict[int, _Row] = {}
        self.postings: dict[str, list[tuple[int, float]]] = {}
        self.df: dict[str, int] = {}
        self.top: dict[str, float] = {}

    def add(self, row: _Row, q: _Query) -> None:
        self.counts[row.pk] = row.counts
        self.rows[row.pk] = row
        for t in row.counts:
            self.df[t] = self.df.get(t, 0) + 1
        for t, x in q.weights.items():
            self.postings.setdefault(t, []).append((row.pk, x))
            if x > self.top.get(t, 0.0):
                self.top[t] = x

    def candidates(self, row: _Row, q: _Query, floor: float) -> dict[int, float]:
        """The rows taken that may score `floor` or more, with the most each may score (all of those
        sharing a word when they are few)."""
        if not self.rows:
            return {}
        scope = row.scope

        def in_scope(j: int) -> bool:
            return scope is None or self.rows[j].jurisdiction in scope

        if sum(len(self.postings.get(t, ())) for t in q.weights) <= PAIRS_EXACT // 10:
            return {j: math.inf for t in q.weights for j, _ in self.postings.get(t, ()) if in_scope(j)}
        # the words no row taken has add nothing; of the others, the most frequent among the rows
        # are left out while their highest weights (plus MARGIN) keep what they may add small
        words, rest = _split_at(q.weights, self.df, min(REST_BATCH, floor - MARGIN - 0.01), self.top)
        summed: dict[int, float] = {}
        for t in words:
            w = q.weights[t]
            for j, x in self.postings.get(t, ()):
                summed[j] = summed.get(j, 0.0) + w * x
        least = floor - rest - MARGIN
        return {j: s + rest + MARGIN for j, s in summed.items() if s >= least and in_scope(j)}
