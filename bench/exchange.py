"""The `exchange_streaming` scenario of `make bench`: stream N masked population records of a granted
resource as NDJSON through the exchange's own code path (resources.exchange: the grant's masked
queryset read through a server-side cursor, chunked NDJSON), against PostgreSQL's own
`COPY (SELECT …) TO STDOUT` of the same rows and columns (the same masking expressions), and the
process's RSS growth while streaming.

The records are a bench fixture written by one INSERT … SELECT generate_series (valid-looking, fictitious
values; the exchange does not re-validate what it serves), in a resource of its own, kept between runs.

Run alone: BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/infogov_exchange_bench \\
    .venv/bin/python -m bench.exchange --rows 200000
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

ROWS = 1_000_000
GOAL_RATIO = 0.3
GOAL_RSS_MB = 50
CODE = "9-99-999-999"  # the bench's own catalogue code (no real resource uses class 9)


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    import os

    return pages * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


def fixture(rows: int) -> Any:
    """(resource, grant): a published population resource with `rows` records and a granted request."""
    import datetime as dt

    from django.db import connection, transaction

    from infogov.org.models import Organisation
    from infogov.resources.models import DataRecord, Resource, ResourceField, SharingRequest

    resource = Resource.objects.filter(catalogue_code=CODE).first()
    if resource is None:
        org = Organisation.objects.filter(kind="department").order_by("id").first()
        consumer = Organisation.objects.filter(kind="department").exclude(pk=org.pk).order_by("id").first()
        with transaction.atomic():
            resource = Resource(
                title="基准测试人口库",
                catalogue_code=CODE,
                summary="基准测试（虚构数据）",
                base_category="population",
                share_type="conditional",
                share_basis="基准测试",
                record_key="id_number",
                owner=org,
                jurisdiction=org.jurisdiction,
                state="published",
            )
            resource.save()
            for i, (code, name, kind, sens) in enumerate(
                [
                    ("id_number", "公民身份号码", "resident_id", "personal"),
                    ("name", "姓名", "person_name", "personal"),
                    ("phone", "联系电话", "phone", "personal"),
                    ("district", "区县", "code", "public"),
                ]
            ):
                ResourceField.objects.create(
                    resource=resource, code=code, name=name, field_type=kind, sensitivity=sens, position=i
                )
            today = dt.date.today()
            SharingRequest(
                title="基准测试授权",
                resource=resource,
                owner=consumer,
                jurisdiction=consumer.jurisdiction,
                purpose="基准测试",
                fields_requested=["id_number", "name", "phone", "district"],
                fields_granted=["id_number", "name", "phone", "district"],
                period_start=today,
                period_end=today + dt.timedelta(days=3650),
                consumer_system="基准",
                state="granted",
            ).save()
    have = DataRecord.objects.filter(resource=resource).count()
    if have != rows:
        with transaction.atomic(), connection.cursor() as cursor:
            DataRecord.objects.filter(resource=resource).delete()
            cursor.execute(
                "INSERT INTO resources_datarecord (resource_id, record_id, data, loaded_at) "
                "SELECT %s, lpad(i::text, 10, '0'), jsonb_build_object("
                "'id_number', '220202' || to_char(date '1950-01-01' + (i %% 20000), 'YYYYMMDD') "
                "|| lpad((i %% 1000)::text, 3, '0') || 'X',"
                "'name', '张' || chr(19968 + i %% 2000), "
                "'phone', '138' || lpad((i %% 100000000)::text, 8, '0'),"
                "'district', '220202'), now() FROM generate_series(1, %s) AS i",
                [resource.pk, rows],
            )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE resources_datarecord")
    grant = SharingRequest.objects.select_related("resource", "owner").get(resource=resource)
    return resource, grant


def _copy_rate(pull: Any) -> tuple[float, int]:
    """rows/s of COPY (the pull's own SELECT) TO STDOUT, read to the end."""
    import psycopg
    from django.db import connection

    sql, params = pull.queryset.query.sql_with_params()
    connection.ensure_connection()
    raw = connection.connection
    statement = psycopg.ClientCursor(raw).mogrify(sql, params)
    n, t0 = 0, time.perf_counter()
    with raw.cursor() as cursor, cursor.copy(f"COPY ({statement}) TO STDOUT") as copy:
        for block in copy:
            n += bytes(block).count(b"\n")
    return n / (time.perf_counter() - t0), n


def exchange_scenario(scenario: Callable[..., dict[str, Any]], rows: int = ROWS) -> dict[str, Any]:
    import datetime as dt

    from django.db import transaction

    from infogov.resources import exchange

    resource, grant = fixture(rows)
    pull = exchange.prepare(grant, resource.pk, {}, today=dt.date.today())
    ceiling, copied = _copy_rate(pull)
    rss0 = peak = _rss_mb()
    n, size, t0 = 0, 0, time.perf_counter()
    counted: list[int] = []
    with transaction.atomic():  # the server-side cursor lives in a transaction, as under a request
        for i, chunk in enumerate(exchange.ndjson_chunks(pull, counted.append)):
            size += len(chunk)
            if i % 50 == 0:
                peak = max(peak, _rss_mb())
    seconds = time.perf_counter() - t0
    n = counted[0] if counted else 0
    rate = n / seconds
    growth = peak - rss0
    return scenario(
        "exchange_streaming",
        round(rate),
        "rows/s",
        round(ceiling),
        f"≥ {GOAL_RATIO} × COPY TO STDOUT; RSS growth ≤ {GOAL_RSS_MB} MB",
        f"masked NDJSON stream of {n:,} records ≥ {GOAL_RATIO} × COPY of the same SELECT; "
        f"RSS growth ≤ {GOAL_RSS_MB} MB",
        rate >= GOAL_RATIO * ceiling and growth <= GOAL_RSS_MB and n == copied == rows,
        ceiling_what="PostgreSQL COPY (the same masked SELECT) TO STDOUT, read to the end",
        rows=n,
        bytes=size,
        seconds=round(seconds, 2),
        rss_growth_mb=round(growth, 1),
        how="resources.exchange.ndjson_chunks in the bench process (no HTTP server)",
    )


def main(argv: list[str]) -> int:
    import argparse
    import json

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args(argv)
    from bench import run

    problem = run.pg_available()
    if problem:
        run.log(f"PostgreSQL unavailable: {problem}")
        return 1
    run.setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from infogov.org.models import Jurisdiction, Organisation

    if Organisation.objects.filter(kind="department").count() < 2:
        j, _ = Jurisdiction.objects.get_or_create(code="220200", defaults={"name": "吉林市", "kind": "city"})
        for name in ("基准提供单位", "基准使用单位"):
            Organisation.objects.get_or_create(name=name, defaults={"kind": "department", "jurisdiction": j})
    run.log(json.dumps(exchange_scenario(run.scenario, args.rows), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
