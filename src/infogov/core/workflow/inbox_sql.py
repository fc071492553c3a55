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


def fetch(compiled_sql: Compiled | None) -> list[dict[str, Any]]:
    """Run compiled inbox SQL. On PostgreSQL as a prepared statement of the connection: the inbox's
    statements are the same for a user all day (only the parameters change), and planning their UNION
    of every case type's conditions costs more than running them — prepared, it is planned once per
    connection (psycopg's per-connection statement cache), not on every request."""
    if compiled_sql is None:
        return []
    alias, sql, params = compiled_sql
    connection = connections[alias]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _server_side(cursor, connection)
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _server_side(wrapper: Any, connection: Any) -> None:
    """Swap the Django cursor wrapper's psycopg client-side-binding cursor for a server-side-binding one
    that prepares every statement (Django's logging and query capture still see the query)."""
    wrapper.cursor.close()
    wrapper.cursor = _prepared_cursor()(connection.connection)


@functools.cache
def _prepared_cursor() -> Any:
    import psycopg

    class Prepared(psycopg.Cursor):  # type: ignore[type-arg]
        def execute(self, query: Any, params: Any = None, **kw: Any) -> Any:
            return super().execute(query, params, prepare=True)

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
