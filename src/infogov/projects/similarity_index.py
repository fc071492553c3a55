"""The duplicate-construction index (第六条第一款 避免重复建设; 第十条、第十一条的审查), kept in the
database so that a submission is compared with a province's projects in milliseconds.

What is compared is what similarity.py defines: each submitted (not draft) project and each
information system is a document of features (words.features: jieba words and character bigrams of
its text with the government-IT synonyms made canonical), weighted by TF-IDF with sublinear tf and
smoothed idf. The words and the bigrams are normalised apart and fused: a document's vector is the
words' unit vector times sqrt(WORD_WEIGHT) beside the bigrams' unit vector times
sqrt(1 - WORD_WEIGHT), so that the dot product of two documents is WORD_WEIGHT × the words' cosine +
(1 - WORD_WEIGHT) × the bigrams' cosine. The idf is the corpus's: every document of the index — all
submitted projects and all information systems — with the proposal counted in.

The tables (models: SimilarityDocument, SimilarityTerm, SimilarityPosting, SimilarityStale):

- a document per project (id = the project's id) or system (id = minus the system's id): its
  jurisdiction and its word counts;
- a word's document frequency; the empty word's is the number of documents;
- a posting per (word, jurisdiction, document) with the document's TF-IDF weight when it was
  indexed, keyed in that order (a word: a jieba word, or a bigram of the name): a proposal's
  candidates are read from the postings of its words in the jurisdictions it is compared with
  (similarity.candidates_for) and summed in SQL;
- a queue of documents to update, written by triggers (migrations 0005 and 0015: on the projects' table
  and on the security app's register of information systems) on every write path.

A search reads the postings of the query's selective words only: the most frequent words (对接、
实施、周期 … said by most projects) are left out as long as what they can add to a score stays small
and below the threshold — a document sharing nothing else with the query cannot be a hit. It sums
the postings in SQL, scores the best documents exactly from their word counts and the current
frequencies (an indexed weight goes stale by a hair each time a document is added; the exact score
does not), and stops when no document left can reach the hits kept. The reported scores are the
cosines of the definition above, and the hits those an exhaustive comparison finds.
"""

from __future__ import annotations

import json
import math
import time
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from .similarity_cosine import _TF, Prepared, _Idf, cosine, prepare  # noqa: F401  (Prepared: the batch's)
from .similarity_index_copy import write_postings as _write_postings
from .similarity_index_copy import write_terms as _write_terms
from .words import BIGRAM, features

DOCS = "projects_similaritydocument"
TERMS = "projects_similarityterm"
POSTINGS = "projects_similarityposting"
QUEUE = "projects_similaritystale"
CORPUS = ""  # the empty word: its document frequency is the number of documents
MAX_TERM = 100  # SimilarityTerm.term's length; longer Latin/digit runs are cut there
# search: documents read by indexed score at first (summing their postings costs the same for any
# number), scored exactly 50 at a time at first (at least 5 × the number asked for), then more
CANDIDATES = 2_000
MAX_DEPTH = 200_000
RERANK = 50
# how far an indexed weight may have drifted from the exact one: each document added moves the
# frequencies by 1 in the corpus's size (the nightly rebuild, projects.tasks, starts them afresh);
# below EXACT_BELOW documents the search scores every candidate exactly and leaves nothing out
STALE = 0.01
EXACT_BELOW = 2_000
REST = 0.2  # what the words left unread may add to a score at most (0.05 to 0.31 measured alike)
REBUILD_AT = 500  # queued documents from which sync() rebuilds (and past a tenth of the corpus)
_LOCK = 7_220_200_006  # pg_advisory_xact_lock key of the index's writers (one at a time)

# the words' share of the fused score (the bigrams have the rest): chosen on the labelled set with
# the threshold (similarity_quality.sweep; docs/projects.md)
WORD_WEIGHT = 0.8
_SCALE = (math.sqrt(WORD_WEIGHT), math.sqrt(1 - WORD_WEIGHT))  # words, bigrams

Counts = dict[str, int]


# what a project's similarity_text() reads, and its state (django-fsm reads it on every instance:
# without it each instance costs a query)
_TEXT_FIELDS = ("id", "state", "jurisdiction_id", "title", "content", "systems", "data_resources")


def project_document(pk: int) -> int:
    return pk


def system_document(pk: int) -> int:
    return -pk


def term_counts(text: str) -> Counts:
    """The features of `text` (words.features) with how often each occurs."""
    words = features(text)
    if any(len(w) > MAX_TERM for w in words):
        words = [w[:MAX_TERM] for w in words]
    return dict(Counter(words))


def idf(n: int, df: int) -> float:
    return math.log((1 + n) / (1 + df)) + 1


def weights(counts: Counts, df: dict[str, int], n: int, bump: int = 0) -> dict[str, float]:
    """L2-normalised TF-IDF weights of `counts` among `n` documents with frequencies `df`
    (each word's frequency raised by `bump`: the proposal's own, when it is not indexed)."""
    return fuse({t: (1 + math.log(c)) * idf(n, df.get(t, 0) + bump) for t, c in counts.items()})


def fuse(vec: dict[str, float]) -> dict[str, float]:
    """`vec`'s words and bigrams each made a unit vector, scaled by their share (_SCALE)."""
    norms = [0.0, 0.0]
    for t, x in vec.items():
        norms[t[:1] == BIGRAM] += x * x
    scale = [_SCALE[i] / (math.sqrt(norms[i]) or 1.0) for i in (0, 1)]
    return {t: x * scale[t[:1] == BIGRAM] for t, x in vec.items()}


# -- reads -------------------------------------------------------------------------------------------


def _in(values: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def frequencies(
    cur: Any, terms: Iterable[str], top: dict[str, float] | None = None
) -> tuple[dict[str, int], int]:
    """Document frequencies of `terms`, and the number of documents; their highest weights into
    `top` if given."""
    wanted = sorted({*terms, CORPUS})
    df: dict[str, int] = {}
    for i in range(0, len(wanted), 900):
        chunk = wanted[i : i + 900]
        cur.execute(f"SELECT term, df, max_weight FROM {TERMS} WHERE term IN ({_in(chunk)})", chunk)
        for t, k, w in cur.fetchall():
            df[t] = k
            if top is not None:
                top[t] = w
    return df, df.pop(CORPUS, 0)


def is_indexed(document: int) -> bool:
    with connection.cursor() as cur:
        cur.execute(f"SELECT 1 FROM {DOCS} WHERE id = %s", [document])
        return cur.fetchone() is not None


def search(
    counts: Counts,
    *,
    jurisdictions: Sequence[int] | None,
    exclude: int | None = None,
    exclude_systems_of: int | None = None,
    limit: int = 10,
    threshold: float = 0.0,
    rerank: int = RERANK,
    details: dict[str, Any] | None = None,
) -> list[tuple[int, float]]:
    """The `limit` documents most similar to a text's word `counts` among those scoring at least
    `threshold`, best first, with their cosines: among the documents of `jurisdictions` (all when
    None), other than the document `exclude` (the proposal's own: counted once in the corpus, whether
    it is indexed yet or not) and the information systems registered by the project
    `exclude_systems_of` (similarity.candidates_for). `details`, when given, receives what the
    search computed: the query's weights (q), the frequencies read (df), the number of documents
    (n), the proposal's own count (bump) and the word counts of the documents scored (docs)."""
    if not counts:
        return []
    with connection.cursor() as cur:
        top: dict[str, float] = {}
        df, n = frequencies(cur, counts, top)
        indexed = exclude is not None and is_indexed(exclude)
        bump = 0 if indexed else 1  # the proposal is a document of the corpus it is compared with
        n_all = n + bump
        q = weights(counts, df, n_all, bump)
        kept: dict[int, Counts] | None = None
        if details is not None:
            kept = {}
            details.update(q=q, df=df, n=n_all, bump=bump, docs=kept)
        if n_all < EXACT_BELOW:  # a small corpus: every document that shares a word, scored exactly
            selective, rest = sorted(t for t in q if df.get(t)), 0.0
            prune = False
        else:
            selective, rest = _split(q, df, top, threshold)
            prune = True
        if not selective:
            return []
        scored: dict[int, float] = {}
        depth, done = CANDIDATES, 0
        skip = [] if exclude_systems_of is None else _system_documents_of(exclude_systems_of)
        while True:
            seen = _candidates(cur, q, selective, jurisdictions, exclude, skip, depth)
            # score exactly, best indexed first, until no document left can reach what is kept: one
            # that shares no selective word scores at most `rest`; one read later, at most its
            # indexed score plus `rest`
            step = max(rerank, 5 * limit)
            while done < len(seen):
                best = sorted(scored.values(), reverse=True)
                floor = max(threshold, best[limit - 1] if len(best) >= limit else threshold)
                if prune and seen[done][1] + rest + STALE < floor:
                    break
                batch = [d for d, _ in seen[done : done + step]]
                scored.update(_exact(cur, q, batch, bump, n_all, df, kept))
                done += len(batch)
                step *= 2
            if done < len(seen) or len(seen) < depth or depth >= MAX_DEPTH:
                break
            depth *= 10
    return sorted(((d, x) for d, x in scored.items() if x >= threshold), key=_order)[:limit]


def _order(item: tuple[int, float]) -> tuple[float, int]:
    # ties: projects before systems, newer first (the order the register lists them)
    return (-round(item[1], 12), -item[0])


def _split(
    q: dict[str, float], df: dict[str, int], top: dict[str, float], threshold: float
) -> tuple[list[str], float]:
    """The query's words whose postings are read, and the most the others can add to a document's
    score. The most frequent words (完善、对接、实施 … in most projects: the longest posting lists)
    are left out while what they can add stays below REST (and below the threshold: a document
    sharing only those words cannot be a hit). What a set of words can add to a document's score is
    at most the sum of each word's query weight times its highest weight in any document, and at
    most the norm of their query weights times the norm of a document's part they belong to
    (Cauchy-Schwarz: a document's words have norm sqrt(WORD_WEIGHT), its name's bigrams the rest)."""
    order = sorted((t for t in q if df.get(t)), key=lambda t: (-df[t], t))
    cap = min(REST, max(0.0, threshold - STALE))
    by_max, by_norm = 0.0, [0.0, 0.0]  # words, bigrams

    def bound(by_max: float, by_norm: list[float]) -> float:
        return min(by_max, sum(math.sqrt(by_norm[i]) * _SCALE[i] for i in (0, 1)))

    for i, t in enumerate(order):
        more_norm = list(by_norm)
        more_norm[t[:1] == BIGRAM] += q[t] ** 2
        more_max = by_max + q[t] * (top.get(t, 1.0) + STALE)
        if bound(more_max, more_norm) >= cap:
            return sorted(order[i:]), bound(by_max, by_norm)
        by_max, by_norm = more_max, more_norm
    return [], bound(by_max, by_norm)


def _system_documents_of(project_id: int) -> list[int]:
    """The documents of the register entries the project's delivery registered (read through the
    security app's selectors)."""
    from infogov.security.selectors import system_ids_of_project

    return [system_document(pk) for pk in system_ids_of_project(project_id)]


def _candidates(
    cur: Any,
    q: dict[str, float],
    words: list[str],
    jurisdictions: Sequence[int] | None,
    exclude: int | None,
    skip: Sequence[int],
    depth: int,
) -> list[tuple[int, float]]:
    """The `depth` documents with the highest indexed dot product with `q` over `words`, in SQL: the
    query's weights joined to the postings of its words (on PostgreSQL as two arrays, unnested)."""
    params: list[Any]
    if connection.vendor == "postgresql":
        words_sql = "SELECT * FROM unnest(%s::text[], %s::float8[])"
        params = [list(words), [q[t] for t in words]]
    else:
        words_sql = f"VALUES {', '.join(['(%s, %s)'] * len(words))}"
        params = [x for t in words for x in (t, q[t])]
    where = []
    if jurisdictions is not None:
        where.append(f"p.jurisdiction_id IN ({_in(jurisdictions)})")
        params += list(jurisdictions)
    if exclude is not None:
        where.append("p.document_id <> %s")
        params.append(exclude)
    if skip:
        where.append(f"p.document_id NOT IN ({_in(skip)})")
        params += list(skip)
    sql = (
        f"WITH q(term, w) AS ({words_sql}) SELECT p.document_id, SUM(p.weight * q.w) AS s "
        f"FROM q JOIN {POSTINGS} p ON p.term = q.term"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " GROUP BY p.document_id ORDER BY s DESC, p.document_id LIMIT %s"
    params.append(depth)
    cur.execute(sql, params)
    return [(d, float(x)) for d, x in cur.fetchall()]


def _exact(
    cur: Any,
    q: dict[str, float],
    documents: list[int],
    bump: int,
    n: int,
    df: dict[str, int],
    kept: dict[int, Counts] | None = None,
) -> dict[int, float]:
    """The cosines of `documents` with `q`, from their word counts and the current frequencies
    (`df`: those known so far, completed here; `n`: the number of documents, the proposal's in)."""
    docs: list[tuple[int, Counts]] = []
    for i in range(0, len(documents), 900):
        chunk = documents[i : i + 900]
        cur.execute(f"SELECT id, terms FROM {DOCS} WHERE id IN ({_in(chunk)})", chunk)
        docs += [(d, _counts(t)) for d, t in cur.fetchall()]
    if kept is not None:
        kept.update(docs)
    missing = {t for _, c in docs for t in c if t not in df}
    if missing:
        df.update(frequencies(cur, missing)[0])
    # the corpus as the proposal sees it: its own words once more when it is not indexed
    idfs = _Idf({t: idf(n, k + (bump if t in q else 0)) for t, k in df.items()})
    idfs.fallback = idf(n, 0)
    return {d: cosine(prepare(c), idfs, q, _SCALE) for d, c in docs}


def _counts(value: Any) -> Counts:
    return value if isinstance(value, dict) else json.loads(value)


# -- writes: the queue -------------------------------------------------------------------------------


def _lock(cur: Any) -> None:
    """One writer of the index at a time (the word frequencies are shared by every document);
    SQLite has one writer anyway."""
    if connection.vendor == "postgresql":
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])


def pending(cur: Any, up_to: int = 1) -> int:
    """How many documents are queued (counted up to `up_to`)."""
    cur.execute(f"SELECT COUNT(*) FROM (SELECT 1 FROM {QUEUE} LIMIT %s) q", [up_to])
    return int(cur.fetchone()[0])


def sync() -> int:
    """Bring the index up to date with what changed since (the queue the triggers fill); returns how
    many documents were updated. Runs in the caller's transaction (a submission's), so a rolled-back
    submission rolls its index changes back too. The synonym table is brought in line with the
    database's groups first (similarity_synonyms.refresh)."""
    from .similarity_synonyms import refresh

    refresh()
    with connection.cursor() as cur:
        if not pending(cur):
            return 0
    with transaction.atomic(), connection.cursor() as cur:
        _lock(cur)
        # a document costs ~5 ms indexed on its own, ~0.4 ms in a rebuild: past a tenth of the
        # corpus (after a bulk load, or the migration's queue of what existed), rebuild
        _, n = frequencies(cur, ())
        if pending(cur, max(REBUILD_AT, n // 10)) >= max(REBUILD_AT, n // 10):
            return rebuild().documents
        cur.execute(f"DELETE FROM {QUEUE} RETURNING document_id")
        documents = sorted({d for (d,) in cur.fetchall()})
        for i in range(0, len(documents), 500):
            reindex(documents[i : i + 500])
    return len(documents)


def _texts(documents: Sequence[int]) -> dict[int, tuple[int, str]]:
    """(jurisdiction, text) of each of `documents` that belongs in the index now."""
    from infogov.security.selectors import system_texts

    from .choices import ProjectState
    from .models import Project

    out: dict[int, tuple[int, str]] = {}
    projects = [d for d in documents if d > 0]
    systems = [-d for d in documents if d < 0]
    if projects:
        for p in (
            Project.objects.filter(pk__in=projects).exclude(state=ProjectState.DRAFT).only(*_TEXT_FIELDS)
        ):
            out[project_document(p.pk)] = (p.jurisdiction_id, p.similarity_text())
    if systems:
        for s in system_texts(systems):
            out[system_document(s.id)] = (s.jurisdiction_id, system_text(s.title, s.purpose))
    return out


def system_text(title: str, purpose: str) -> str:
    """A register entry's text as the index compares it: its title and its purpose (用途)."""
    return f"{title}\n{purpose}"


def reindex(documents: Sequence[int]) -> None:
    """Index `documents` again from their projects and systems (or drop them: a draft, a deletion)."""
    new = {d: (jid, term_counts(text)) for d, (jid, text) in _texts(documents).items()}
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT id, jurisdiction_id, terms FROM {DOCS} WHERE id IN ({_in(documents)})", list(documents)
        )
        old = {d: (jid, _counts(t)) for d, jid, t in cur.fetchall()}
        delta: Counter[str] = Counter()
        for _, c in old.values():
            delta.subtract([CORPUS, *c])
        for _, c in new.values():
            delta.update([CORPUS, *c])
        for d, (jid, c) in old.items():  # a document's postings, through their key
            words = sorted(c)
            if not words:
                continue
            cur.execute(
                f"DELETE FROM {POSTINGS} WHERE jurisdiction_id = %s AND document_id = %s "
                f"AND term IN ({_in(words)})",
                [jid, d, *words],
            )
        if old:
            ids = list(old)
            cur.execute(f"DELETE FROM {DOCS} WHERE id IN ({_in(ids)})", ids)
        _apply(cur, {t: k for t, k in delta.items() if k})
        if not new:
            return
        df, n = frequencies(cur, (t for _, c in new.values() for t in c))
        docs, posts = [], []
        for d, (jid, c) in sorted(new.items()):
            docs.append((d, jid, json.dumps(c, ensure_ascii=False)))
            posts += [(t, jid, d, x) for t, x in weights(c, df, n).items()]
        _insert(cur, DOCS, ("id", "jurisdiction_id", "terms"), docs)
        _insert(cur, POSTINGS, ("term", "jurisdiction_id", "document_id", "weight"), posts)
        # a word's highest weight only grows here (one that left with a document stays an upper bound)
        highest: dict[str, float] = {}
        for t, _, _, x in posts:
            highest[t] = max(highest.get(t, 0.0), x)
        rows = sorted(highest.items())
        if connection.vendor == "postgresql":
            for i in range(0, len(rows), 500):
                chunk = rows[i : i + 500]
                cur.execute(
                    f"UPDATE {TERMS} AS t SET max_weight = v.w "
                    f"FROM (VALUES {', '.join(['(%s, %s::float8)'] * len(chunk))}) AS v(term, w) "
                    "WHERE t.term = v.term AND t.max_weight < v.w",
                    [x for r in chunk for x in r],
                )
        else:
            cur.executemany(
                f"UPDATE {TERMS} SET max_weight = %s WHERE term = %s AND max_weight < %s",
                [(x, t, x) for t, x in rows],
            )


def _insert(cur: Any, table: str, columns: tuple[str, ...], rows: Sequence[tuple[Any, ...]]) -> None:
    """Rows in multi-row INSERTs (one round trip per few hundred rows)."""
    one = f"({_in(columns)})"
    for i in range(0, len(rows), 200):
        chunk = rows[i : i + 200]
        cur.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([one] * len(chunk))}",
            [x for r in chunk for x in r],
        )


def _apply(cur: Any, delta: dict[str, int]) -> None:
    """Add `delta` to the document frequencies; drop the words no document has any more."""
    rows = sorted(delta.items())
    for i in range(0, len(rows), 400):
        chunk = rows[i : i + 400]
        cur.execute(
            f"INSERT INTO {TERMS} (term, df, max_weight) VALUES {', '.join(['(%s, %s, 0)'] * len(chunk))} "
            f"ON CONFLICT (term) DO UPDATE SET df = {TERMS}.df + excluded.df",
            [x for r in chunk for x in r],
        )
    gone = [t for t, k in rows if k < 0 and t != CORPUS]
    for i in range(0, len(gone), 900):
        words = gone[i : i + 900]
        cur.execute(f"DELETE FROM {TERMS} WHERE df <= 0 AND term IN ({_in(words)})", words)


# -- writes: the whole index ---------------------------------------------------------------------------


@dataclass
class BuildReport:
    documents: int = 0
    postings: int = 0
    words: int = 0
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return round(sum(self.phases.values()), 2)


def _sources(chunk: int = 5000) -> Iterator[tuple[int, int, str]]:
    """(document, jurisdiction, text) of every project that is not a draft and every system."""
    from infogov.security.selectors import iter_system_texts

    from .choices import ProjectState
    from .models import Project

    projects = Project.objects.exclude(state=ProjectState.DRAFT).only(*_TEXT_FIELDS).order_by("id")
    for p in projects.iterator(chunk_size=chunk):
        yield project_document(p.pk), p.jurisdiction_id, p.similarity_text()
    for s in iter_system_texts(chunk):
        yield system_document(s.id), s.jurisdiction_id, system_text(s.title, s.purpose)


def document_row(document: int, jurisdiction: int, text: str) -> tuple[int, int, str]:
    """A SimilarityDocument row (id, jurisdiction_id, terms as JSON) of `text`."""
    return document, jurisdiction, json.dumps(term_counts(text), ensure_ascii=False)


def rebuild(log: Callable[[str], None] = lambda _m: None) -> BuildReport:
    """Build the whole index again from the projects and systems (`manage.py similarity_reindex`),
    with the synonym table as it stands (similarity_synonyms.refresh)."""
    from .similarity_synonyms import refresh

    refresh()
    report = BuildReport()
    with transaction.atomic(), connection.cursor() as cur:
        _lock(cur)
        t0 = time.perf_counter()
        cur.execute(f"DELETE FROM {QUEUE}")  # what is queued now is read below as it stands
        for table in (POSTINGS, TERMS, DOCS):
            cur.execute(f"TRUNCATE {table}" if connection.vendor == "postgresql" else f"DELETE FROM {table}")
        batch: list[tuple[int, int, str]] = []
        for document, jid, text in _sources():
            batch.append(document_row(document, jid, text))
            if len(batch) >= 5000:
                report.documents += write_documents(cur, batch)
                batch = []
        report.documents += write_documents(cur, batch)
        report.phases["documents"] = round(time.perf_counter() - t0, 2)
        log(f"  查重索引：{report.documents:,} 个文档分词（{report.phases['documents']} s）")
        fill(cur, report)
        log(f"  查重索引：{report.words:,} 个词，{report.postings:,} 条倒排（{report.phases['postings']} s）")
    return report


def write_documents(cur: Any, rows: Sequence[tuple[int, int, str]]) -> int:
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        with (
            cur.connection.cursor() as raw,
            raw.copy(f"COPY {DOCS} (id, jurisdiction_id, terms) FROM STDIN") as cp,
        ):
            for r in rows:
                cp.write_row(r)
    else:
        cur.executemany(f"INSERT INTO {DOCS} (id, jurisdiction_id, terms) VALUES (%s, %s, %s)", rows)
    return len(rows)


def fill(cur: Any, report: BuildReport | None = None) -> BuildReport:
    """The words and postings of the documents already written, into an empty index: used by
    rebuild() and the data generator. The postings go in in key order (word, jurisdiction,
    document), so that the key's index grows at its end."""
    report = report or BuildReport()
    t0 = time.perf_counter()
    docs: list[tuple[int, int, Counts]] = []
    df: Counter[str] = Counter()
    cur.execute(f"SELECT jurisdiction_id, id, terms FROM {DOCS}")
    while rows := cur.fetchmany(10_000):
        for jid, d, terms in rows:
            c = _counts(terms)
            df.update(c.keys())
            docs.append((jid, d, c))
    n = len(docs)
    docs.sort(key=lambda x: (x[0], x[1]))
    # per word, its postings in (jurisdiction, document) order: the key's order
    postings: dict[str, tuple[array[int], array[int], array[float]]] = {}
    for jid, d, c in docs:
        for t, x in weights(c, df, n).items():
            p = postings.get(t)
            if p is None:
                p = postings[t] = (array("q"), array("q"), array("d"))
            p[0].append(jid)
            p[1].append(d)
            p[2].append(x)
    del docs
    _write_terms(cur, [*((t, df[t], max(postings[t][2])) for t in sorted(df)), (CORPUS, n, 0.0)])
    report.words = len(df)
    report.postings = _write_postings(cur, postings)
    report.phases["postings"] = round(time.perf_counter() - t0, 2)
    if connection.vendor == "postgresql":
        for table in (DOCS, TERMS, POSTINGS):
            cur.execute(f"ANALYZE {table}")
    return report
