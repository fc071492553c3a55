"""The inbox's SQL, built once and run many times (core/workflow/inbox.py finds the work; this module keeps
its compiled statements and runs them).

The inbox's SQL depends on the user's scope (organisations, jurisdictions), the day and the registered
workflows — not on the cases: it is built and compiled once per user, scope and day and kept a few
minutes (building the ORM expressions of every step of every case type costs more than running them).
On PostgreSQL each statement is also prepared on its connection, so that the server plans it once."""

from __future__ import annotations

import datetime as dt
import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections, models

Compiled = tuple[str, str, tuple[Any, ...]]  # (database alias, SQL, parameters)


def sql_of(qs: models.QuerySet[Any]) -> Compiled | None:
    """The queryset's SQL and parameters (None: it can match nothing, e.g. no organisation)."""
    try:
        sql, params = qs.query.get_compiler(using=qs.db).as_sql()
    except EmptyResultSet:
        return None
    return qs.db, sql, tuple(params)


class _PartLimit:
    """The place of each part's LIMIT among a statement's parameters (first_by_wait): given on running."""

    def __repr__(self) -> str:
        return "PART_LIMIT"


PART_LIMIT: Any = _PartLimit()


def bind(compiled_sql: Compiled, *trailing: int, part_limit: int = 0) -> Compiled:
    """The statement with its trailing LIMIT/OFFSET parameters and its parts' LIMIT (PART_LIMIT)."""
    alias, sql, params = compiled_sql
    return alias, sql, (*(part_limit if p is PART_LIMIT else p for p in params), *trailing)


def limited(compiled_sql: Compiled | None) -> Compiled | None:
    """The ordered statement's first rows (LIMIT bound on running)."""
    if compiled_sql is None:
        return None
    alias, sql, params = compiled_sql
    return alias, f"{sql} LIMIT %s", params


def first_by_wait(parts: list[tuple[Compiled | None, Compiled | None, Compiled | None]]) -> Compiled | None:
    """Each part is (rows, keys, judged): the rows (columns with `pk`) of the first PART_LIMIT keys
    (`pk`, `updated_at`) by waiting time that `judged` (correlated on `inbox_k.pk`) finds; then all
    parts' rows by waiting time (LIMIT and OFFSET bound on running). The keys are sorted first (a
    subquery PostgreSQL does not merge into the rest, OFFSET 0), then judged one by one in that order
    until the part has its rows: the steps' conditions are judged on about as many cases as the page
    shows, not on every case of the user's states; the columns (the steps of each row among them) on
    the rows read only."""
    selects: list[str] = []
    params: list[Any] = []
    alias = DEFAULT_DB_ALIAS
    for rows, keys, judged in parts:
        if rows is None or keys is None or judged is None:
            continue
        alias, rows_sql, rows_params = rows
        fence = " OFFSET 0" if connections[alias].vendor == "postgresql" else ""
        selects.append(
            f"SELECT * FROM ({rows_sql}) AS inbox_r WHERE inbox_r.pk IN (SELECT inbox_k.pk FROM "
            f"(SELECT * FROM ({keys[1]}) AS inbox_s ORDER BY inbox_s.updated_at, inbox_s.pk{fence}) "
            f"AS inbox_k WHERE ({judged[1]}) IS NOT NULL ORDER BY inbox_k.updated_at, inbox_k.pk LIMIT %s)"
        )
        params.extend((*rows_params, *keys[2], *judged[2], PART_LIMIT))
    if not selects:
        return None
    union = " UNION ALL ".join(selects)
    sql = f"SELECT * FROM ({union}) AS inbox_u ORDER BY inbox_u.updated_at, inbox_u.pk LIMIT %s OFFSET %s"
    return alias, sql, tuple(params)


def bounded_count_sql(parts: list[tuple[int, Compiled | None]], cap: int) -> Compiled | None:
    """Per case type (its content type's id), how many of its rows there are, counting at most `cap`:
    each part reads its first `cap` ids and stops (a derived table with LIMIT, PostgreSQL and SQLite)."""
    selects: list[str] = []
    params: list[Any] = []
    alias = DEFAULT_DB_ALIAS
    for ct, found in parts:
        if found is None:
            continue
        alias, sql, part_params = found
        selects.append(
            f"SELECT {int(ct)} AS inbox_ct, COUNT(*) AS inbox_n FROM (SELECT 1 AS one FROM ({sql}) "
            f"AS inbox_m LIMIT {int(cap)}) AS inbox_c"
        )
        params.extend(part_params)
    if not selects:
        return None
    return alias, " UNION ALL ".join(selects), tuple(params)


def fetch(compiled_sql: Compiled | None) -> list[dict[str, Any]]:
    """Run compiled inbox SQL. On PostgreSQL as a prepared statement of the connection, its values
    written into it: the inbox's statements are the same for a user all day, and planning their UNION
    of every case type's conditions costs more than running them — prepared, each is planned once per
    connection (psycopg's per-connection statement cache, 100 statements), not on every request. With
    its values in the text (no parameters), the one plan is the plan for those values: PostgreSQL's
    generic plan of a parametrised statement (chosen after five runs) can be several times slower."""
    if compiled_sql is None:
        return []
    alias, sql, params = compiled_sql
    connection = connections[alias]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _server_side(cursor, connection)
            cursor.execute(_literal(connection, sql, params))
        else:
            cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _literal(connection: Any, sql: str, params: tuple[Any, ...]) -> str:
    """The statement with its values written in as literals (psycopg's quoting)."""
    import psycopg

    return psycopg.ClientCursor(connection.connection).mogrify(sql, params)


def _server_side(wrapper: Any, connection: Any) -> None:
    """Swap the Django cursor wrapper's psycopg client-side-binding cursor for a server-side-binding one
    that prepares every statement (Django's logging and query capture still see the query)."""
    wrapper.cursor.close()
    wrapper.cursor = _prepared_cursor()(connection.connection)


class _Shown:
    """A prepared statement's text where Django's query log looks for it (cursor._query.query)."""

    def __init__(self, sql: Any) -> None:
        self.query = sql if isinstance(sql, bytes) else str(sql).encode()


_NEVER_BY_COUNT = 2**31 - 1  # a statement is prepared because it asks (prepare=True), never by count


@functools.cache
def _prepared_cursor() -> Any:
    import psycopg

    class Prepared(psycopg.Cursor):  # type: ignore[type-arg]
        def execute(self, query: Any, params: Any = None, **kw: Any) -> Any:
            # Django opens its connections with prepare_threshold=None, which makes psycopg prepare
            # nothing, prepare=True included: for the inbox's statements (this call only) a threshold
            # no other statement reaches, so that prepare=True prepares it, or finds it prepared
            conn = self.connection
            saved = conn.prepare_threshold
            conn.prepare_threshold = _NEVER_BY_COUNT if saved is None else saved
            try:
                done = super().execute(query, params, prepare=True)
            finally:
                conn.prepare_threshold = saved
            if self._query is None:  # run by name: what Django's query log reads (last_executed_query)
                self._query = _Shown(query)  # type: ignore[assignment]
            return done

    return Prepared


# Compiled SQL per (user, scope key, vendor, day, key); the scope key is renewed whenever the user's
# memberships change (core/org_signals.py).
_COMPILED: OrderedDict[tuple[Any, ...], tuple[float, Any]] = OrderedDict()
_COMPILED_MAX = 2048
COMPILED_TTL_SECONDS = 300.0
_COMPILED_LOCK = threading.Lock()


def compiled(user: Any, today: dt.date, key: tuple[Any, ...], build: Callable[..., Any]) -> Any:
    full = (user.pk, getattr(user, "scope_key", ""), connections[DEFAULT_DB_ALIAS].vendor, today, *key)
    now = time.monotonic()
    with _COMPILED_LOCK:
        hit = _COMPILED.get(full)
        if hit is not None and now - hit[0] < COMPILED_TTL_SECONDS:
            _COMPILED.move_to_end(full)
            return hit[1]
    value = build(user, today, key)
    with _COMPILED_LOCK:
        _COMPILED[full] = (now, value)
        while len(_COMPILED) > _COMPILED_MAX:
            _COMPILED.popitem(last=False)
    return value


def forget_compiled() -> None:
    """Empty this process's compiled inbox SQL (tests; after changing the organisation register)."""
    with _COMPILED_LOCK:
        _COMPILED.clear()


@dataclass(frozen=True)
class StepsSQL:
    """The statements of 待办's steps for one user and day (core/workflow/inbox.py)."""

    dated: Compiled | None  # the rows with a date, by date then waiting time (LIMIT bound on running)
    undated: Compiled | None  # the rows without, by waiting time (each part's LIMIT, LIMIT, OFFSET)
    count: Compiled | None  # per case type, the bounded count


def page_rows(sqls: StepsSQL, offset: int, limit: int) -> list[dict[str, Any]]:
    """Rows offset … offset + limit of 待办's order — the rows with a date by date (ties: waiting time,
    id), then those without by waiting time (ORDER BY date NULLS LAST, updated_at, pk). The rows with
    a date are read first: few (each has an open duty, read from the open duties' index); the others
    only when the page reaches past them, each case type's first rows by waiting time and no more."""
    wanted = offset + limit
    dated = fetch(bind(sqls.dated, wanted)) if sqls.dated is not None else []
    if len(dated) >= wanted or sqls.undated is None:
        return dated[offset:wanted]
    skip = max(0, offset - len(dated))
    take = wanted - max(offset, len(dated))
    rest = fetch(bind(sqls.undated, take, skip, part_limit=skip + take))
    return dated[offset:] + rest
