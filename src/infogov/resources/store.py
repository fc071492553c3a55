"""The records store: one table (DataRecord) of every resource's records, keyed by (resource, record id).

A validated batch is handed to the load step through ``pending`` (a context variable set by the
service for the one step it fires) and merged in one statement: on PostgreSQL the batch is COPYed into
a temporary staging table and merged with one INSERT … ON CONFLICT (a plain INSERT into a resource
that has no record yet) or one DELETE; elsewhere a bulk upsert. All of it inside the step's
transaction: a batch lands whole or not at all."""

from __future__ import annotations

import contextlib
import contextvars
import json
from collections.abc import Iterator
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from .models import DataRecord, Resource

Rows = list[tuple[str, dict[str, str]]]
_PENDING: contextvars.ContextVar[Any] = contextvars.ContextVar("resources_pending", default=None)


@contextlib.contextmanager
def pending(rows: Any) -> Iterator[None]:
    token = _PENDING.set(rows)
    try:
        yield
    finally:
        _PENDING.reset(token)


def merge(resource: Resource, mode: str) -> int:
    rows = _PENDING.get()
    if rows is None:  # the step taken without a validated batch (e.g. the generic step endpoint)
        from infogov.core.errors import InvalidInput

        raise InvalidInput(
            "数据须经“导入数据”或 POST /api/catalogue/{id}/records 整批校验后更新，不能直接办理该步骤",
            code="no_batch",
            article="第二十七条第一款",
        )
    if mode == "replace":
        DataRecord.objects.filter(resource=resource).delete()
        mode = "upsert"
    if not isinstance(rows, list):  # staging.Staged: validated in the staging table, merged from it
        return _merge_staged(resource, rows, mode)
    if connection.vendor == "postgresql" and rows:
        return _merge_pg(resource, rows, mode)
    if mode == "delete":
        keys = [r for r, _ in rows]
        deleted = 0
        for i in range(0, len(keys), 500):
            deleted += DataRecord.objects.filter(resource=resource, record_id__in=keys[i : i + 500]).delete()[
                0
            ]
        return deleted
    now = timezone.now()
    objs = [DataRecord(resource=resource, record_id=rid, data=data, loaded_at=now) for rid, data in rows]
    DataRecord.objects.bulk_create(
        objs,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["resource", "record_id"],
        update_fields=["data", "loaded_at"],
    )
    return len(objs)


def _merge_pg(resource: Resource, rows: Rows, mode: str) -> int:
    table = DataRecord._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS resources_staging (record_id text, data jsonb) "
            "ON COMMIT DELETE ROWS"
        )
        cursor.execute("TRUNCATE resources_staging")
        with cursor.cursor.copy("COPY resources_staging (record_id, data) FROM STDIN") as copy:
            for rid, data in rows:
                copy.write_row((rid, json.dumps(data, ensure_ascii=False)))
        if mode == "delete":
            cursor.execute(
                f"DELETE FROM {table} t USING resources_staging s "
                "WHERE t.resource_id = %s AND t.record_id = s.record_id",
                [resource.pk],
            )
            return int(cursor.rowcount)
        cursor.execute(
            f"INSERT INTO {table} (resource_id, record_id, data, loaded_at) "
            "SELECT DISTINCT ON (record_id) %s, record_id, data, %s FROM resources_staging "
            "ON CONFLICT (resource_id, record_id) "
            "DO UPDATE SET data = EXCLUDED.data, loaded_at = EXCLUDED.loaded_at",
            [resource.pk, timezone.now()],
        )
        return int(cursor.rowcount)


def _merge_staged(resource: Resource, staged: Any, mode: str) -> int:
    from .staging import TABLE

    table = DataRecord._meta.db_table
    with connection.cursor() as cursor:
        if mode == "delete":
            cursor.execute(
                f"DELETE FROM {table} t USING {TABLE} s "
                f"WHERE t.resource_id = %s AND t.record_id = s.{staged.column(staged.key)}",
                [resource.pk],
            )
            return int(cursor.rowcount)
        # a first load (or a replace, whose DELETE came first): nothing to meet, a plain INSERT — no
        # speculative insertion per row. The load step holds the resource's row lock, so no other load
        # fills the resource meanwhile; a record written past it would fail the unique key, not merge.
        first = not DataRecord.objects.filter(resource=resource).exists()
        upsert = (
            ""
            if first
            else " ON CONFLICT (resource_id, record_id) "
            "DO UPDATE SET data = EXCLUDED.data, loaded_at = EXCLUDED.loaded_at"
        )
        # in the order of the unique key: its btree is filled page after page rather than at random
        # (a fifth less time for 200,000 records), and the heap lies in the exchange's order (record_id)
        key = staged.column(staged.key)
        cursor.execute(
            f"INSERT INTO {table} (resource_id, record_id, data, loaded_at) "
            f"SELECT %s, {key}, {staged.data_sql()}, %s FROM {TABLE} ORDER BY {key}{upsert}",
            [resource.pk, timezone.now()],
        )
        return int(cursor.rowcount)


def record_count(resource: Any) -> int:
    return DataRecord.objects.filter(resource=resource).count()
