"""Duplicate detection's worst case (docs/projects.md 查重耗时): an index of 20,000 documents put
together from the labelled set's sentences and names (data/duplicate_pairs.yaml) — every document
near-identical to hundreds of others — and 100 proposals of the same kind checked against it:
term_counts + similarity_index.search (top 10 at the threshold), p50 and p90, with the load average.
The index tables are filled directly (no projects behind them), in a database of its own.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/infogov_imp_dup \\
        .venv/bin/python -m bench.similarity_synthetic [--documents 20000] [--profile]
"""

from __future__ import annotations

import os
import random
import re
import statistics
import sys
import time
from typing import Any

os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/infogov_imp_dup")


def corpus_texts(n: int, seed: int) -> list[str]:
    import yaml

    from infogov.projects.similarity_quality import DATA

    titles, sentences = [], []
    for pair in yaml.safe_load(DATA.read_text(encoding="utf-8"))["pairs"]:
        for side in ("a", "b"):
            titles.append(str(pair[side]["title"]))
            sentences += [s + "。" for s in re.split("[。；]", str(pair[side]["content"])) if s.strip()]
    rng = random.Random(seed)
    return [rng.choice(titles) + "\n" + "".join(rng.sample(sentences, rng.randint(2, 5))) for _ in range(n)]


def build(n: int) -> dict[str, Any]:
    from django.db import connection, transaction

    from infogov.projects import similarity_index as ix

    t0 = time.perf_counter()
    texts = corpus_texts(n, 1)
    with transaction.atomic(), connection.cursor() as cur:
        for table in (ix.POSTINGS, ix.TERMS, ix.DOCS, ix.QUEUE):
            cur.execute(f"DELETE FROM {table}")
        rows = [ix.document_row(-(i + 1), 1 + i % 3, t) for i, t in enumerate(texts)]
        ix.write_documents(cur, rows)
        t1 = time.perf_counter()
        report = ix.fill(cur)
    return {"documents": n, "words_s": round(t1 - t0, 1), "postings_s": round(time.perf_counter() - t1, 1),
            "postings": report.postings, "vocabulary": report.words}  # fmt: skip


def measure(queries: int = 100) -> dict[str, Any]:
    from infogov.projects import similarity_index as ix
    from infogov.projects.similarity import THRESHOLD

    texts = corpus_texts(queries, 2)
    for t in texts[:5]:  # warm: jieba, the synonym table, the plans
        ix.search(ix.term_counts(t), jurisdictions=[1, 2], limit=10, threshold=THRESHOLD)
    times, words, found = [], [], []
    for t in texts:
        t0 = time.perf_counter()
        counts = ix.term_counts(t)
        t1 = time.perf_counter()
        top = ix.search(counts, jurisdictions=[1, 2], limit=10, threshold=THRESHOLD)
        times.append((time.perf_counter() - t0) * 1000)
        words.append((t1 - t0) * 1000)
        found.append(len(top))
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p90_ms": round(times[int(len(times) * 0.9)], 1),
        "term_counts_p50_ms": round(statistics.median(words), 2),
        "hits_mean": round(statistics.mean(found), 2),
        "queries": len(times),
    }


def main(argv: list[str]) -> int:
    import argparse
    import json

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="the index as the last run built it")
    args = parser.parse_args(argv)
    from bench import run

    problem = run.pg_available()
    if problem:
        run.log(f"PostgreSQL unavailable: {problem}")
        return 1
    run.setup_django()
    load = os.getloadavg()
    built = None if args.reuse else build(args.documents)
    if args.profile:
        import cProfile
        import pstats

        with cProfile.Profile() as prof:
            got = measure()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
    else:
        got = measure()
    after = [round(x, 2) for x in os.getloadavg()]
    result = {"built": built, **got, "load_average": [round(x, 2) for x in load], "load_average_after": after}
    run.log(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
