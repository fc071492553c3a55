"""Synthetic data at the scale of a city or a province: `manage.py generate_data --scale
city|province [--seed N]` (see spec.GenSpec for the sizes), for `make bench` and the index checks.

The run: the world (world.py: jurisdictions, organisations, users and their roles), then each app's
cases with their records, their docket and their obligations (each app's `generate` module, found
by hooks.py), the docket written and sealed (docket.py), the obligations linked to their events
(obligations.py), each app's finishing work, ANALYZE. Deterministic for a scale and seed: the same
database content every time (ids included, on an empty database).

Fast: cases are produced by worker processes, each from its own random stream (one per case, so
the data does not depend on the number of workers); on PostgreSQL rows go in with COPY, the docket
through per-month files merged in time order so that ids grow with time as in a real docket. On
SQLite (tests) the same rows go in with executemany. Every case is validated with the model's own
field validation (clean_fields) before it is written.

The population records of the exchange store (1,000,000 / 4,000,000) and the catalogued resources
are not generated: the resources app (exchange API, catalogue) does not exist yet.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from . import obligations
from .docket import EventOut, write_docket_generic, write_docket_pg
from .hooks import AppGenerator, PartJob, app_generators
from .sink import Sink, pg_params
from .spec import SCALES, GenSpec, spec_for
from .world import World, build_world

__all__ = ["SCALES", "GenReport", "GenSpec", "database_is_empty", "generate", "marker", "spec_for"]

MARKER_TABLE = "infogov_generated"
UTC = dt.UTC


@dataclass
class GenReport:
    scale: str
    seed: int
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    phases: dict[str, float] = field(default_factory=dict)
    logins: dict[str, int] = field(default_factory=dict)
    skipped: bool = False
    pending: list[str] = field(default_factory=list)

    def add(self, counts: dict[str, int]) -> None:
        for k, v in counts.items():
            self.counts[k] = self.counts.get(k, 0) + v


PENDING = [
    "交换库人口记录（city 1,000,000 / province 4,000,000 条）：resources 应用（数据交换接口）尚未建设",
    "信息资源目录（city 3,000 条）：resources 应用（信息资源目录）尚未建设",
]


# -- the marker: what this database holds -----------------------------------------------------------


def marker() -> dict[str, Any] | None:
    """What generate() last completed in this database (scale, seed, counts), if anything."""
    with connection.cursor() as cur:
        if MARKER_TABLE not in connection.introspection.table_names(cur):
            return None
        cur.execute(
            f"SELECT scale, seed, seconds, counts FROM {MARKER_TABLE} ORDER BY generated_at DESC LIMIT 1"
        )
        row = cur.fetchone()
    if row is None:
        return None
    counts = row[3] if isinstance(row[3], dict) else json.loads(row[3])
    return {"scale": row[0], "seed": row[1], "seconds": row[2], "counts": counts}


def _write_marker(report: GenReport) -> None:
    with connection.cursor() as cur:
        if MARKER_TABLE not in connection.introspection.table_names(cur):
            cur.execute(
                f"CREATE TABLE {MARKER_TABLE} (scale varchar(40), seed integer, generated_at varchar(40), "
                "seconds double precision, counts text)"
            )
        cur.execute(f"DELETE FROM {MARKER_TABLE}")
        cur.execute(
            f"INSERT INTO {MARKER_TABLE} VALUES (%s, %s, %s, %s, %s)",
            [
                report.scale,
                report.seed,
                dt.datetime.now(UTC).isoformat(),
                report.seconds,
                json.dumps({**report.counts, "logins": report.logins}),
            ],
        )


def reset_database() -> None:
    """Empty every table of the apps (TRUNCATE: the docket's triggers refuse DELETE, by design)."""
    from django.apps import apps

    tables = [
        m._meta.db_table
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_label not in {"contenttypes", "auth", "sessions", "admin"}
        or m._meta.db_table == "auth_group"
    ]
    tables = [t for t in tables if t in connection.introspection.table_names()]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE")
            if MARKER_TABLE in connection.introspection.table_names(cur):
                cur.execute(f"DELETE FROM {MARKER_TABLE}")
        else:
            from django.core.management import call_command

            call_command("flush", interactive=False, verbosity=0)


def database_is_empty() -> bool:
    from infogov.org.models import Jurisdiction

    return not Jurisdiction.objects.exists()


# -- the workers ---------------------------------------------------------------------------------------


def run_part(job: PartJob, in_process: bool = False) -> dict[str, Any]:
    """One worker's share of one app's cases: its own connection (a worker process) or the main one,
    its rows through a Sink, its events into an EventOut. Returns the counts and (SQLite) the events."""
    generator = app_generators()[job.app]
    tag = f"{job.app}{job.part}"
    if job.tmp is None:  # SQLite: executemany, the events kept in memory
        out = EventOut(None, tag, pg=False)
        sink = Sink()
        generator.produce(job, sink, out)
        return {"counts": {**sink.counts, "events": out.count}, "items": out.items}
    out = EventOut(Path(job.tmp), tag, pg=True)
    try:
        if in_process:
            connection.ensure_connection()
            with transaction.atomic():
                sink = Sink(connection.connection)
                generator.produce(job, sink, out)
        else:
            import psycopg

            with psycopg.connect(**pg_params(), autocommit=False) as conn:
                sink = Sink(conn)
                generator.produce(job, sink, out)
                conn.commit()
    finally:
        out.close()
    return {"counts": {**sink.counts, "events": out.count}, "items": out.items}


def _run_parts(jobs: list[PartJob]) -> list[dict[str, Any]]:
    if len(jobs) == 1:
        return [run_part(jobs[0], in_process=True)]
    import multiprocessing

    connection.close()  # the workers fork; each opens its own connection
    with multiprocessing.get_context("fork").Pool(len(jobs)) as pool:
        return pool.map(run_part, jobs)


# -- the run -------------------------------------------------------------------------------------------


def _workers(spec: GenSpec, workers: int | None) -> int:
    pg = connection.vendor == "postgresql"
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if pg and spec.projects >= 5_000 else 1
    if not pg or connection.in_atomic_block:  # workers have their own connections: committed data only
        workers = 1
    return workers


def _timed(report: GenReport, phase: str) -> Callable[[], float]:
    t0 = time.perf_counter()

    def done() -> float:
        report.phases[phase] = round(time.perf_counter() - t0, 2)
        return report.phases[phase]

    return done


def _cases(
    report: GenReport,
    generators: dict[str, AppGenerator],
    world: World,
    workers: int,
    tmp: Path | None,
    spec: GenSpec,
    seed: int,
    log: Callable[[str], None],
) -> tuple[dict[str, Any], list[tuple[str, tuple[Any, ...]]]]:
    """Every app's cases, app by app (INSTALLED_APPS order); returns each app's prep and (SQLite) the
    events."""
    preps: dict[str, Any] = {}
    items: list[tuple[str, tuple[Any, ...]]] = []
    done = _timed(report, "cases")
    obligations.create_stage()
    for app, generator in generators.items():
        t0 = time.perf_counter()
        preps[app] = prep = generator.prepare(spec, seed, world)
        where = str(tmp) if tmp else None
        jobs = [PartJob(app, spec, seed, world, prep, part, workers, where) for part in range(workers)]
        for result in _run_parts(jobs):
            report.add(result["counts"])
            items.extend(result["items"])
        n = report.counts.get(generator.count_table, 0)
        log(f"  {generator.label}及其记录：{n:,} 个（{time.perf_counter() - t0:.2f} s）")
    done()
    return preps, items


def _docket_and_finish(
    report: GenReport,
    generators: dict[str, AppGenerator],
    preps: dict[str, Any],
    world: World,
    spec: GenSpec,
    tmp: Path | None,
    items: list[tuple[str, tuple[Any, ...]]],
    log: Callable[[str], None],
) -> None:
    done = _timed(report, "docket")
    if tmp is not None:
        written = write_docket_pg(tmp, log)
    else:
        with transaction.atomic():
            written = write_docket_generic(items)
    report.counts["core_docketevent"] = written.events
    report.counts["core_docketseal"] = written.seals
    done()
    done = _timed(report, "obligations")
    with transaction.atomic():
        report.counts["core_obligation"] = obligations.write_obligations()
        for app, generator in generators.items():
            report.add(generator.finish(spec, world, preps[app]))
    done()


def generate(
    spec: GenSpec,
    seed: int = 1,
    *,
    workers: int | None = None,
    reset: bool = False,
    log: Callable[[str], None] = lambda _m: None,
) -> GenReport:
    """Generate `spec` into the default database. On a database with other data, pass reset=True
    (everything of the apps is truncated first)."""
    t_start = time.perf_counter()
    report = GenReport(scale=spec.scale, seed=seed, pending=list(PENDING))
    if reset:
        reset_database()
    elif not database_is_empty():
        raise RuntimeError("数据库中已有数据：请使用空数据库，或加 --reset 清空后生成")
    pg = connection.vendor == "postgresql"
    workers = _workers(spec, workers)
    done = _timed(report, "world")
    with transaction.atomic():
        world = build_world(spec, seed)
    report.logins = world.logins
    log(
        f"  行政区域 {len(world.jurisdictions)} 个，单位 {len(world.orgs)} 个，"
        f"用户 {sum(len(o.users) for o in world.orgs.values())} 个（{done()} s）"
    )
    generators = app_generators()
    tmp = Path(tempfile.mkdtemp(prefix="infogov-gen-")) if pg else None
    try:
        preps, items = _cases(report, generators, world, workers, tmp, spec, seed, log)
        _docket_and_finish(report, generators, preps, world, spec, tmp, items, log)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    done = _timed(report, "analyze")
    if pg:
        with connection.cursor() as cur:
            # the visibility map for index-only scans and the planner's statistics (inside a
            # transaction, as in the tests, VACUUM cannot run: statistics only)
            cur.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    done()
    report.seconds = round(time.perf_counter() - t_start, 1)
    _write_marker(report)
    return report
