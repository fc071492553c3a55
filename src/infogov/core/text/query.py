"""The word search over a stored search column (segment.search_column), with one behaviour on
SQLite and PostgreSQL: every word of the query (segment.query_words) must be a word of the row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import BooleanField, F, Func, Q

from .normal import normalise
from .segment import query_words

MAX_QUERY = 100  # characters of a query that are read


class HasWords(Func):
    """True when the search column `field` (" word word … ") holds every one of `words`.
    PostgreSQL: containment of the word array — string_to_array(btrim(column), ' ') @> words — which
    a GIN index on that expression serves (projects migration 0003); elsewhere (SQLite) one
    LIKE '% word %' per word (words are Chinese or [a-z0-9] runs: nothing for LIKE to escape)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, field: str, words: Sequence[str]) -> None:
        if not words:
            raise ValueError("HasWords needs at least one word")
        super().__init__(F(field))
        self.column_name = field
        self.words = list(words)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        lhs, params = compiler.compile(self.source_expressions[0])
        sql = " AND ".join([f"{lhs} LIKE %s"] * len(self.words))
        return f"({sql})", [p for w in self.words for p in (*params, f"% {w} %")]

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        lhs, params = compiler.compile(self.source_expressions[0])
        column = words_column(compiler.query.model, self.column_name)
        if column and lhs.endswith(connection.ops.quote_name(self.column_name)):
            # the stored word array (words_column_sql): no split of the text per row at query time
            qualifier = lhs.rsplit(".", 1)[0] + "." if "." in lhs else ""
            return f"{qualifier}{connection.ops.quote_name(column)} @> %s::text[]", [*params, self.words]
        return f"string_to_array(btrim({lhs}), ' ') @> %s::text[]", [*params, self.words]


def words_column(model: Any, field: str) -> str | None:
    """The PostgreSQL array column that stores `field`'s words, if the model declares one
    (``SEARCH_WORDS = {"search_text": "search_words"}``, added by a migration with
    ``words_column_sql``)."""
    return (getattr(model, "SEARCH_WORDS", None) or {}).get(field)


def words_column_sql(table: str, field: str, column: str, index: str) -> list[str]:
    """PostgreSQL: the word array of a search column kept by the database itself (a STORED generated
    column) and its GIN index. Reading a stored array instead of splitting the text on every row
    makes a search's row checks about twice as fast (bench/README.md); the model names it in
    ``SEARCH_WORDS`` so that HasWords reads it."""
    return [
        f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} text[] "
        f"GENERATED ALWAYS AS (string_to_array(btrim({field}), ' ')) STORED",
        f"CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin ({column})",
    ]


def search_q(field: str, query: str | None, *, fallback: Sequence[str] = ()) -> Q:
    """Rows whose search column `field` holds every word of `query` (normalised, folded, cut as
    segment.query_words): 政务 finds 电子政务外网, 資訊化 finds 信息化, ２０２６ finds 2026. A query
    without any word (only punctuation or symbols) matches the `fallback` fields containing it
    (no index serves that), or nothing. An empty query is no condition."""
    text = normalise(query)[:MAX_QUERY]
    if not text:
        return Q()
    found = query_words(text)
    if found:
        return Q(HasWords(field, found))
    cond = Q(pk__in=[])
    for name in fallback:
        cond |= Q(**{f"{name}__icontains": text})
    return cond
