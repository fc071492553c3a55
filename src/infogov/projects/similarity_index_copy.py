"""Bulk writes of the duplicate-construction index (similarity_index.fill): the words with their
frequencies and the postings, by COPY on PostgreSQL and executemany elsewhere."""

from __future__ import annotations

from array import array
from typing import Any

from django.db import connection

TERMS = "projects_similarityterm"
POSTINGS = "projects_similarityposting"


def write_terms(cur: Any, rows: list[tuple[str, int, float]]) -> None:
    columns = "term, df, max_weight"
    if connection.vendor == "postgresql":
        with cur.connection.cursor() as raw, raw.copy(f"COPY {TERMS} ({columns}) FROM STDIN") as cp:
            for r in rows:
                cp.write_row(r)
    else:
        cur.executemany(f"INSERT INTO {TERMS} ({columns}) VALUES (%s, %s, %s)", rows)


def write_postings(cur: Any, postings: dict[str, tuple[array[int], array[int], array[float]]]) -> int:
    n = 0
    if connection.vendor == "postgresql":
        # COPY's text format, written by hand: the words are CJK or Latin/digit runs, a bigram with a
        # leading # (words.features): nothing to escape; repr() gives the float back exactly
        with (
            cur.connection.cursor() as raw,
            raw.copy(f"COPY {POSTINGS} (term, jurisdiction_id, document_id, weight) FROM STDIN") as cp,
        ):
            for t in sorted(postings):
                jids, ids, ws = postings[t]
                cp.write("".join(f"{t}\t{j}\t{d}\t{w!r}\n" for j, d, w in zip(jids, ids, ws, strict=True)))
                n += len(ids)
        return n
    sql = f"INSERT INTO {POSTINGS} (term, jurisdiction_id, document_id, weight) VALUES (%s, %s, %s, %s)"
    for t in sorted(postings):
        jids, ids, ws = postings[t]
        cur.executemany(sql, [(t, j, d, w) for j, d, w in zip(jids, ids, ws, strict=True)])
        n += len(ids)
    return n
