"""Verification of the docket: every case chain and the global chain of seals, recomputed —
streamed by COPY on PostgreSQL, in parallel processes past PARALLEL_MIN_EVENTS (第三十四条)."""

from __future__ import annotations

import os
from typing import Any

from django.db import models

from infogov.core.docket.chain import (
    GENESIS,
    seal_hash,
)
from infogov.core.docket.verify_base import (
    _PG_SEALS,
    _SEAL_FIELDS,
    PARALLEL_MIN_EVENTS,
    VerifyReport,
    _check,
    _gap,
    _generic_rows,
    _Part,
    _pg_select,
    _unlinked,
)
from infogov.core.docket.verify_copy import _check_copy, _pg_blocks
from infogov.core.models import DocketEvent, DocketSeal


def _pg_connect_params() -> dict[str, Any]:
    """What Django connects with (OPTIONS included: sslmode, service, …) without its Python-side
    settings: verify's own connections (its snapshot, the workers') are plain psycopg ones."""
    from django.db import connection

    params = dict(connection.get_connection_params())
    for key in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(key, None)
    return params


def _pg_snapshot_connection(params: dict[str, Any], snapshot: str | None = None) -> Any:
    """A read-only REPEATABLE READ connection, on `snapshot` (pg_export_snapshot) if given: the parent
    and its workers all read the docket as it was at one instant, whatever is appended or sealed
    meanwhile. Tuned for the id-ordered COPY: a merge join of the two primary keys, no parallel plan
    (the workers are the parallelism)."""
    import psycopg
    from psycopg import sql

    conn = psycopg.connect(**params)
    conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    conn.read_only = True
    if snapshot is not None:
        conn.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)))
    conn.execute("SET enable_hashjoin = off")
    conn.execute("SET max_parallel_workers_per_gather = 0")
    return conn


def _pg_worker(args: tuple[dict[str, Any], int, int, bool, str | None]) -> _Part:
    params, lo, hi, first, snapshot = args
    conn = _pg_snapshot_connection(params, snapshot)
    try:
        return _check_copy(_pg_blocks(conn.pgconn, _pg_select(lo, hi), drain=False), first=first)
    finally:
        conn.close()  # not a commit: the COPY may have been left unread


def _ranges(lo: int, hi: int, seals: list[tuple[int, int, int]], parts: int) -> list[tuple[int, int]]:
    """Split [lo, hi] into `parts` id ranges, cut only where no seal spans the cut."""
    if parts <= 1 or hi - lo < parts:
        return [(lo, hi)]
    cuts: list[int] = []
    spans = sorted((first, last) for _, first, last in seals)
    candidates, reach = [], lo - 1
    for first, last in spans:
        if first > reach and first > lo:
            candidates.append(first)  # every seal before this one ends before it
        reach = max(reach, last)
    if reach < hi:
        candidates.append(reach + 1)  # the unsealed tail
    if not spans:
        candidates = list(range(lo + 1, hi + 1, max(1, (hi - lo) // (parts * 8))))
    for k in range(1, parts):
        target = lo + (hi - lo + 1) * k // parts
        best = min(candidates, key=lambda c: abs(c - target), default=None)
        if best is not None and best not in cuts and lo < best <= hi:
            cuts.append(best)
    cuts.sort()
    bounds = [lo, *cuts, hi + 1]
    return [(bounds[i], bounds[i + 1] - 1) for i in range(len(bounds) - 1)]


def default_workers(events: int) -> int:
    """Processes for a docket of about `events` events on PostgreSQL."""
    return min(os.cpu_count() or 1, 4) if events >= PARALLEL_MIN_EVENTS else 1


def verify(*, workers: int | None = None) -> VerifyReport:
    """Recompute every event's hash and every per-case link, then every seal and the seal chain.

    `workers`: processes for a large docket on PostgreSQL (default: default_workers()); 1 checks in
    this process. Outside a transaction the docket is read on a snapshot of its own (shared with the
    workers); inside one, on the caller's connection, so that its own uncommitted events count (and
    in this process unless `workers` asks otherwise: workers cannot see them)."""
    from django.db import connection

    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        return _verify_pg_snapshot(workers)
    bounds = DocketEvent.objects.aggregate(lo=models.Min("id"), hi=models.Max("id"))
    seals = list(DocketSeal.objects.order_by("id").values_list(*_SEAL_FIELDS))
    parts: list[_Part] = []
    if bounds["lo"] is not None:
        lo, hi = bounds["lo"], bounds["hi"]
        if connection.vendor != "postgresql":
            parts = [_check(_generic_rows(lo, hi), first=True, decode=False)]
        else:
            ranges = _ranges(lo, hi, [(s[0], s[2], s[3]) for s in seals], workers or 1)
            if len(ranges) > 1:
                parts = _pg_pool(_pg_connect_params(), ranges, None)
            else:
                connection.ensure_connection()
                parts = [
                    _check_copy(_pg_blocks(connection.connection.pgconn, _pg_select(lo, hi)), first=True)
                ]
    return _report(parts, seals)


def _pg_pool(params: dict[str, Any], ranges: list[tuple[int, int]], snapshot: str | None) -> list[_Part]:
    import multiprocessing

    jobs = [(params, a, b, i == 0, snapshot) for i, (a, b) in enumerate(ranges)]
    with multiprocessing.get_context("fork").Pool(len(jobs)) as pool:
        return pool.map(_pg_worker, jobs)


def _verify_pg_snapshot(workers: int | None) -> VerifyReport:
    params = _pg_connect_params()
    conn = _pg_snapshot_connection(params)
    try:
        lo, hi = conn.execute("SELECT min(id), max(id) FROM core_docketevent").fetchone()
        seals = conn.execute(_PG_SEALS).fetchall()
        parts: list[_Part] = []
        if lo is not None:
            if workers is None:
                workers = default_workers(hi - lo + 1)
            ranges = _ranges(lo, hi, [(s[0], s[2], s[3]) for s in seals], workers)
            if len(ranges) > 1:
                snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
                parts = _pg_pool(params, ranges, snapshot)
            else:
                parts = [_check_copy(_pg_blocks(conn.pgconn, _pg_select(lo, hi)), first=True)]
    finally:
        conn.close()
    return _report(parts, seals)


def _report(parts: list[_Part], seals: list[tuple[Any, ...]]) -> VerifyReport:
    """Join the ranges (each chain continues where the previous range left it), then check every seal
    and the seal chain. `seals`: rows of _SEAL_FIELDS in id order."""
    report = VerifyReport()
    broken: list[tuple[int, str]] = [p.broken for p in parts if p.broken]
    tails: dict[tuple[int, int], tuple[int, str]] = {}
    for p in parts:
        report.events += p.events
        for key, (eid, seq, prev) in (p.heads or {}).items():
            last = tails.get(key, (0, GENESIS))
            if seq != last[0] + 1:
                broken.append((eid, _gap(eid, key, seq, last[0] + 1)))
            elif prev != last[1]:
                broken.append((eid, _unlinked(eid, key, seq)))
        tails.update(p.tails or {})
    report.cases = len(tails)
    if broken:
        report.broken = min(broken)[1]
        return report

    seen: dict[int, tuple[int, int, int, str]] = {}
    for p in parts:
        for seal_id, stats in (p.seals or {}).items():
            # a seal split across ranges cannot be: its entries lie outside its recorded range
            seen[seal_id] = stats if seal_id not in seen else (-1, 0, 0, "")
    prev_seal = GENESIS
    sealed = 0
    for seal_id, seal_count, seal_first, seal_last, seal_digest_, seal_prev, seal_hash_ in seals:
        report.seals += 1
        count, first_id, last_id, digest = seen.pop(seal_id, (0, 0, 0, ""))
        where = f"封存批次 #{seal_id}"
        if count != seal_count or (count and (first_id != seal_first or last_id != seal_last)):
            report.broken = f"{where}：所含记录数量或范围与封存时不符"
            return report
        if count and digest != seal_digest_:
            report.broken = f"{where}：所封存记录的哈希与封存摘要不符"
            return report
        if (
            seal_prev != prev_seal
            or seal_hash(
                count=seal_count, first=seal_first, last=seal_last, digest=seal_digest_, prev_hash=seal_prev
            )
            != seal_hash_
        ):
            report.broken = f"{where}：全局封存链断开"
            return report
        prev_seal = seal_hash_
        sealed += count
    if seen:  # entries pointing at a seal that does not exist (cannot happen with the foreign key)
        report.broken = f"封存批次 #{min(seen)}：封存记录不存在"
        return report
    report.unsealed = report.events - sealed
    return report
