"""Rows into tables, fast: COPY on PostgreSQL (a worker's own connection), executemany on SQLite."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import connection

UTC = dt.UTC


def pg_params() -> dict[str, Any]:
    s = connection.settings_dict
    params = {"dbname": s["NAME"], "user": s["USER"], "password": s["PASSWORD"], "host": s["HOST"]}
    if s.get("PORT"):
        params["port"] = s["PORT"]
    return {k: v for k, v in params.items() if v not in (None, "")}


class Sink:
    """Rows into tables: COPY on PostgreSQL (own connection in a worker), executemany elsewhere."""

    def __init__(self, pg_conn: Any = None) -> None:
        self.pg = pg_conn
        self.counts: dict[str, int] = {}

    def rows(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> int:
        n = 0
        if self.pg is not None:
            with self.pg.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
                for r in rows:
                    cp.write_row(r)
                    n += 1
        else:
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
            batch: list[tuple[Any, ...]] = []
            with connection.cursor() as cur:
                for r in rows:
                    batch.append(tuple(_sqlite_value(v) for v in r))
                    n += 1
                    if len(batch) >= 2000:
                        cur.executemany(sql, batch)
                        batch = []
                if batch:
                    cur.executemany(sql, batch)
        self.counts[table] = self.counts.get(table, 0) + n
        return n


def _sqlite_value(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return v.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, bool):
        return int(v)
    if hasattr(v, "as_tuple"):  # Decimal
        return str(v)
    return v


def copy_text(v: Any) -> str:
    if v is None:
        return "\\N"
    if v.__class__ is int:
        return str(v)
    s = v if isinstance(v, str) else str(v)
    if "\\" in s or "\t" in s or "\n" in s or "\r" in s:
        s = s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return s
