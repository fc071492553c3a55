"""The exchange at province scale (issue 13, "Performance"): bulk load with validation, quality figures
and a paged pull, each repeated, each figure beside its ceiling from the same run (median, min, max of
the runs) and the load average at the time — the machine is shared, every figure moves with its load.

- `exchange_bulk_load`: N synthetic population records (resources.synthetic: valid ID numbers of Jilin
  City's districts) in one CSV file, loaded through the loading path — rows read, prepared, COPYed into
  the staging table, checked there in SQL (GB 11643, code lists, dates, required, duplicates), merged
  into the records store — in batches of loading.MAX_ROWS, against a plain `COPY … FROM STDIN (FORMAT
  csv)` of the same file into an unindexed table of text columns. Goal: ≥ 0.3 × the plain COPY.
- `exchange_quality`: resources.quality.figures of that N-record resource. Goal: ≤ 5 s. Beside it,
  a bare count(*) over the same rows.
- `exchange_page`: GET /api/exchange/{resource}/records?limit=100&f.name=… with the grant's token
  (django-ninja in process, token check, rate limit, access log written, masked SQL), a different value
  each time on a field served by the GIN index. Goal: p50 ≤ 20 ms. Beside it, the page's own SQL alone.

Run alone: `python -m bench.exchange --records 1000000` (with the streaming scenario)."""

from __future__ import annotations

import contextlib
import csv
import os
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

GOAL_LOAD_RATIO = 0.3
GOAL_QUALITY_S = 5.0
GOAL_PAGE_MS = 20.0
LOAD_CODE = "9-99-999-998"  # the bulk-load resource (class 9: no real resource uses it)
VAR = Path(__file__).resolve().parent / "var"


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def spread(values: list[float], digits: int = 3) -> dict[str, Any]:
    return {
        "median": round(statistics.median(values), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
        "runs": [round(v, digits) for v in values],
    }


def csv_file(records: int) -> Path:
    """The population file (header = field names, as a provider's export), written once per size."""
    from infogov.resources.demo import POPULATION_FIELDS
    from infogov.resources.synthetic import people

    VAR.mkdir(exist_ok=True)
    path = VAR / f"population-{records}.csv"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        codes = [f["code"] for f in POPULATION_FIELDS]
        with tmp.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow([f["name"] for f in POPULATION_FIELDS])
            for p in people(records, seed=13):
                writer.writerow([p[c] for c in codes])
        tmp.rename(path)
    return path


def load_fixture() -> tuple[Any, Any]:
    """(resource, provider user): a published population resource with the demo's field list and a
    user of its provider (the load step's actor)."""
    from django.db import transaction

    from infogov.org.choices import Role
    from infogov.org.models import Membership, Organisation, User
    from infogov.resources.demo import POPULATION_FIELDS
    from infogov.resources.models import Resource, ResourceField

    resource = Resource.objects.filter(catalogue_code=LOAD_CODE).first()
    org = (
        resource.owner if resource else Organisation.objects.filter(kind="department").order_by("id").first()
    )
    user, _ = User.objects.get_or_create(
        username="bench_res_provider", defaults={"organisation": org, "full_name": "基准测试提供单位经办人"}
    )
    Membership.objects.get_or_create(user=user, organisation=org, role=Role.DEPT_STAFF)
    if resource is None:
        with transaction.atomic():
            resource = Resource(
                title="基准测试人口库（导入）",
                catalogue_code=LOAD_CODE,
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
            for i, f in enumerate(POPULATION_FIELDS):
                ResourceField.objects.create(
                    resource=resource,
                    code=f["code"],
                    name=f["name"],
                    field_type=f.get("field_type", "text"),
                    sensitivity=f["field_sensitivity"],
                    required=f.get("required", False),
                    code_list=f.get("code_list", []),
                    position=i,
                )
    return resource, user


def _batches(path: Path, names: dict[str, str], size: int) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = [names.get(h, h) for h in next(reader)]
        batch: list[dict[str, Any]] = []
        first = 2
        for row in reader:
            batch.append(dict(zip(header, row, strict=True)))
            if len(batch) >= size:
                yield first, batch
                first += len(batch)
                batch = []
        if batch:
            yield first, batch


def _plain_copy(path: Path) -> float:
    """Seconds of a plain COPY of the file into an unindexed table of text columns."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute(
            "CREATE UNLOGGED TABLE IF NOT EXISTS bench_plain_copy (id_number text, name text, gender text, "
            "born_on text, district text, address text, phone text)"
        )
        c.execute("TRUNCATE bench_plain_copy")
        t0 = time.perf_counter()
        with (
            path.open("rb") as f,
            c.cursor.copy("COPY bench_plain_copy FROM STDIN (FORMAT csv, HEADER true)") as cp,
        ):
            while block := f.read(1 << 20):
                cp.write(block)
        seconds = time.perf_counter() - t0
        c.execute("TRUNCATE bench_plain_copy")
    return seconds


@contextlib.contextmanager
def _phases() -> Iterator[dict[str, float]]:
    """Seconds spent in each phase of the loads run inside (summed over the batches): the staging
    module's prepare + COPY and its whole check, the store's INSERT (a handful of calls per batch: the
    wrappers cost nothing measurable). The rest of a batch is the step's commit (the deferred foreign
    key checks) and the workflow step around the merge."""
    from infogov.resources import staging, store

    spent = {"stage_prepare_copy": 0.0, "validate": 0.0, "merge_insert": 0.0}
    wrapped = [(staging, "_stage", "stage_prepare_copy"), (staging, "validate", "validate"),
               (store, "_merge_staged", "merge_insert")]  # fmt: skip
    originals = [getattr(module, name) for module, name, _ in wrapped]

    def timed(original: Callable[..., Any], phase: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[phase] += time.perf_counter() - t0

        return call

    for (module, name, phase), original in zip(wrapped, originals, strict=True):
        setattr(module, name, timed(original, phase))
    try:
        yield spent
    finally:
        for (module, name, _), original in zip(wrapped, originals, strict=True):
            setattr(module, name, original)


def _our_load(path: Path, resource: Any, user: Any) -> tuple[float, int, dict[str, float]]:
    from django.db import connection

    from infogov.resources import loading, services
    from infogov.resources.models import DataRecord

    with connection.cursor() as c:  # not timed: the previous run's records, and their dead tuples
        c.execute("DELETE FROM resources_datarecord WHERE resource_id = %s", [resource.pk])
        c.execute("VACUUM resources_datarecord")  # (autovacuum may be off on a benchmark server)
    names = {f.name: f.code for f in resource.fields.all()}
    reading = 0.0
    with _phases() as spent:
        t0 = time.perf_counter()
        batches = _batches(path, names, loading.MAX_ROWS)
        while True:
            t1 = time.perf_counter()
            batch = next(batches, None)
            reading += time.perf_counter() - t1
            if batch is None:
                break
            first, rows = batch
            services.records_load(
                user=user, resource=resource, rows=rows, source=path.name, file_format="csv", first_row=first
            )
        seconds = time.perf_counter() - t0
    phases = {
        "csv_read": reading,
        "stage_prepare_copy": spent["stage_prepare_copy"],
        "sql_check": spent["validate"] - spent["stage_prepare_copy"],
        "merge_insert": spent["merge_insert"],
        "commit_and_step": seconds - reading - spent["validate"] - spent["merge_insert"],
    }
    return seconds, DataRecord.objects.filter(resource=resource).count(), phases


def bulk_load(scenario: Callable[..., dict[str, Any]], records: int, repeat: int) -> dict[str, Any]:
    path = csv_file(records)
    resource, user = load_fixture()
    load0 = load_average()
    ours, plain, loaded = [], [], 0
    phases: dict[str, list[float]] = {}
    for _ in range(repeat):  # interleaved: both see the same load
        plain.append(records / _plain_copy(path))
        seconds, loaded, spent = _our_load(path, resource, user)
        ours.append(records / seconds)
        for phase, value in spent.items():
            phases.setdefault(phase, []).append(value)
    rate, ceiling = statistics.median(ours), statistics.median(plain)
    return scenario(
        "exchange_bulk_load",
        round(rate),
        "rows/s",
        round(ceiling),
        f"≥ {GOAL_LOAD_RATIO} × plain COPY",
        f"validated load of {records:,} records ≥ {GOAL_LOAD_RATIO} × a plain COPY of the same file",
        rate >= GOAL_LOAD_RATIO * ceiling and loaded == records,
        ceiling_what="COPY … FROM STDIN (FORMAT csv) of the same file into an unindexed table (text columns)",
        records=loaded,
        file_mb=round(path.stat().st_size / 1e6, 1),
        ours_rows_per_s=spread(ours, 0),
        plain_copy_rows_per_s=spread(plain, 0),
        ratios=spread([o / p for o, p in zip(ours, plain, strict=True)]),
        phase_seconds={phase: spread(values, 2) for phase, values in phases.items()},
        load_average_before=load0,
        load_average_after=load_average(),
        how=(
            "csv.reader → services.records_load in batches of loading.MAX_ROWS: prepare by column, COPY into "
            "the staging table, SQL checks (resources_resident_id_error, code lists, dates, required, "
            "duplicates; one array of messages per row), one INSERT by record_id into resources_datarecord "
            "(unique btree + GIN jsonb index; plain into the emptied resource, … ON CONFLICT otherwise); the "
            "previous run's records deleted and VACUUMed untimed"
        ),
    )


def quality_figures(scenario: Callable[..., dict[str, Any]], repeat: int) -> dict[str, Any]:
    from django.db import connection

    from infogov.resources import quality
    from infogov.resources.models import Resource

    resource = Resource.objects.get(catalogue_code=LOAD_CODE)
    load0 = load_average()
    times, bare = [], []
    figures = None
    for _ in range(repeat):
        with connection.cursor() as c:
            t0 = time.perf_counter()
            c.execute("SELECT count(*) FROM resources_datarecord WHERE resource_id = %s", [resource.pk])
            c.fetchone()
            bare.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        figures = quality.figures(resource)
        times.append(time.perf_counter() - t0)
    assert figures is not None
    seconds = statistics.median(times)
    return scenario(
        "exchange_quality",
        round(seconds, 3),
        "s",
        GOAL_QUALITY_S,
        GOAL_QUALITY_S,
        f"quality figures of a {figures.records:,}-record resource ≤ {GOAL_QUALITY_S} s",
        seconds <= GOAL_QUALITY_S,
        ceiling_what="the goal itself; bare count(*) of the same rows in details",
        records=figures.records,
        completeness=figures.completeness,
        validity=figures.validity,
        uniqueness=figures.uniqueness,
        seconds=spread(times),
        bare_count_seconds=spread(bare),
        load_average_before=load0,
        load_average_after=load_average(),
        how="resources.quality.figures: one pass, each value read from the jsonb once (PostgreSQL subquery)",
    )


def page_pull(
    scenario: Callable[..., dict[str, Any]], grant: Any, requests: int, repeat: int
) -> dict[str, Any]:
    import datetime as dt

    from django.db import connection
    from django.test import Client

    from infogov.core.regulation.policy import override_policy
    from infogov.resources import exchange
    from infogov.resources.policy import PULLS_PER_MINUTE

    plaintext, prefix, digest = exchange.new_token()
    type(grant).objects.filter(pk=grant.pk).update(token_prefix=prefix, token_digest=digest)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    url = f"/api/exchange/{grant.resource_id}/records"
    load0 = load_average()
    medians, bare_medians, p95s = [], [], []
    with override_policy(PULLS_PER_MINUTE, 10**9):  # the bench pulls far faster than any consumer may
        for r in range(repeat):
            times, bare = [], []
            for i in range(requests):
                name = "张" + chr(19968 + (i * 7 + r) % 2000)
                t0 = time.perf_counter()
                response = client.get(url, {"limit": 100, "f.name": name})
                times.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200, response.content[:300]
                pull = exchange.prepare(grant, grant.resource_id, {"f.name": name}, today=dt.date.today())
                sql, params = pull.queryset[:101].query.sql_with_params()
                with connection.cursor() as c:
                    t0 = time.perf_counter()
                    c.execute(sql, params)
                    c.fetchall()
                    bare.append((time.perf_counter() - t0) * 1000)
            medians.append(statistics.median(times))
            p95s.append(statistics.quantiles(times, n=20)[-1])
            bare_medians.append(statistics.median(bare))
    p50 = statistics.median(medians)
    return scenario(
        "exchange_page",
        round(p50, 2),
        "ms (p50)",
        round(statistics.median(bare_medians), 2),
        GOAL_PAGE_MS,
        f"paged pull of 100 records filtered on an indexed field: p50 ≤ {GOAL_PAGE_MS} ms",
        p50 <= GOAL_PAGE_MS,
        ceiling_what="the page's own SQL alone (the same masked SELECT … LIMIT 101), p50",
        requests_per_run=requests,
        p50_ms=spread(medians, 2),
        p95_ms=spread(p95s, 2),
        bare_sql_p50_ms=spread(bare_medians, 2),
        load_average_before=load0,
        load_average_after=load_average(),
        how="django.test.Client in process: ninja, token, rate limit, access log, masked SQL (no HTTP)",
    )
