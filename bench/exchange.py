"""The `exchange_streaming` scenario of `make bench`: stream N masked population records of a granted
resource as NDJSON through the exchange's own code path (resources.exchange: the grant's masked
queryset read through a server-side cursor, chunked NDJSON), against PostgreSQL's own
`COPY (SELECT …) TO STDOUT` of the same rows and columns (the same masking expressions), and the
process's RSS growth while streaming.

The records are a bench fixture written by one INSERT … SELECT generate_series (valid-looking, fictitious
values; the exchange does not re-validate what it serves), in a resource of its own, kept between runs.

With bench/exchange_load.py (bulk load, quality figures, a paged pull) these are the province-scale
scenarios of issue 13, each repeated (median, min, max) with the load average recorded.

Run alone: BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/infogov_res_bench \\
    .venv/bin/python -m bench.exchange --records 1000000 [--repeat 3] [--only streaming,page,load,quality]
"""

from __future__ import annotations

import statistics
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


def _stream(pull: Any) -> tuple[float, int, int, float]:
    """(rows/s, rows, bytes, RSS growth MB) of the exchange's NDJSON stream of the pull."""
    from django.db import transaction

    from infogov.resources import exchange

    rss0 = peak = _rss_mb()
    size, t0 = 0, time.perf_counter()
    counted: list[int] = []
    with transaction.atomic():  # the server-side cursor lives in a transaction, as under a request
        for i, chunk in enumerate(exchange.ndjson_chunks(pull, counted.append)):
            size += len(chunk)
            if i % 50 == 0:
                peak = max(peak, _rss_mb())
    n = counted[0] if counted else 0
    return n / (time.perf_counter() - t0), n, size, peak - rss0


def exchange_scenario(
    scenario: Callable[..., dict[str, Any]], rows: int = ROWS, repeat: int = 3
) -> dict[str, Any]:
    """Streaming and the COPY ceiling, interleaved `repeat` times; the median of each beside the other."""
    import datetime as dt

    from bench.exchange_load import load_average, spread
    from infogov.resources import exchange

    resource, grant = fixture(rows)
    pull = exchange.prepare(grant, resource.pk, {}, today=dt.date.today())
    load0 = load_average()
    rates, ceilings, growths = [], [], []
    n = copied = size = 0
    for _ in range(repeat):
        ceiling, copied = _copy_rate(pull)
        rate, n, size, growth = _stream(pull)
        ceilings.append(ceiling)
        rates.append(rate)
        growths.append(growth)
    rate, ceiling, growth = statistics.median(rates), statistics.median(ceilings), max(growths)
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
        stream_rows_per_s=spread(rates, 0),
        copy_rows_per_s=spread(ceilings, 0),
        ratios=spread([r / c for r, c in zip(rates, ceilings, strict=True)]),
        rss_growth_mb=spread(growths, 1),
        load_average_before=load0,
        load_average_after=load_average(),
        how="resources.exchange.ndjson_chunks in the bench process (no HTTP server)",
    )


SETTLE = "SELECT gin_clean_pending_list('datarecord_values') before the paged pull, untimed"


def settle() -> int:
    """Move the GIN index's pending list into the index proper, untimed — the part of autovacuum's work
    after a bulk write that the paged pull feels (the benchmark server runs with autovacuum off). Every
    `data @> …` lookup scans the whole pending list, up to gin_pending_list_limit (4 MB): ~3 ms more
    SQL a page when full. Returns the pending-list pages it emptied (0 when autovacuum got there first)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT gin_clean_pending_list('datarecord_values')")
        return int(cursor.fetchone()[0])


def exchange_scale_scenarios(
    scenario: Callable[..., dict[str, Any]],
    records: int = ROWS,
    repeat: int = 3,
    *,
    streaming: bool = True,
    only: frozenset[str] = frozenset(),
) -> list[dict[str, Any]]:
    """The province-scale scenarios of issue 13: streaming (unless `make bench` runs it as a step of
    its own), a paged pull, bulk load, quality figures."""
    import json

    from bench import exchange_load as xl
    from bench.run import log

    def done(result: dict[str, Any]) -> dict[str, Any]:
        log(json.dumps(result, ensure_ascii=False))  # each as it is measured: a long run keeps what it got
        return result

    def wanted(name: str) -> bool:
        return not only or name in only

    out = [done(exchange_scenario(scenario, records, repeat))] if streaming and wanted("streaming") else []
    _, grant = fixture(records)
    if wanted("page"):
        pending = settle()
        page = xl.page_pull(scenario, grant, requests=100, repeat=repeat)
        page["details"]["settled"] = {"gin_pending_pages_emptied": pending, "how": SETTLE}
        out.append(done(page))
    if wanted("load"):
        out.append(done(xl.bulk_load(scenario, records, repeat)))
    if wanted("quality"):  # of the bulk-loaded resource
        out.append(done(xl.quality_figures(scenario, repeat)))
    return out


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", "--rows", dest="records", type=int, default=ROWS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="", help="some of streaming,page,load,quality (comma-separated)")
    args = parser.parse_args(argv)
    from bench import run

    problem = run.pg_available()
    if problem:
        run.log(f"PostgreSQL unavailable: {problem}")
        return 1
    run.setup_django()
    # every module the scenarios use, imported now: a run of many minutes measures the code it started with
    import infogov.resources.exchange
    import infogov.resources.quality
    import infogov.resources.services
    import infogov.resources.staging  # noqa: F401
    from infogov.org.models import Jurisdiction, Organisation

    if Organisation.objects.filter(kind="department").count() < 2:
        j, _ = Jurisdiction.objects.get_or_create(code="220200", defaults={"name": "吉林市", "kind": "city"})
        for name in ("基准提供单位", "基准使用单位"):
            Organisation.objects.get_or_create(name=name, defaults={"kind": "department", "jurisdiction": j})
    only = frozenset(s for s in args.only.split(",") if s)
    got = exchange_scale_scenarios(run.scenario, args.records, args.repeat, only=only)
    run.log(run.table(got))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
