"""The `security_overview` scenario of `make bench`: 信息安全总览 (/security/) as the province's authority
(every generated system in scope: 20,000 at the province scale), p50 of the whole page (middleware, the
overview's aggregate queries, the template) through Django's test client in the bench process, and the
page's query count — which must not grow with the data (security/selectors.py: aggregates in SQL,
bounded lists).

Run alone on the security generator's data only (its own database; the province's 20,000 systems
without the projects app's 100,000 projects):
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/infogov_security_bench \\
        .venv/bin/python -m bench.security
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from bench.loadgen import client_times

RUNS = 30
GOAL_MS = 300


def security_overview_scenario(
    logins: dict[str, int], scenario: Callable[..., dict[str, Any]]
) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client

    from infogov.org.models import User
    from infogov.security import selectors
    from infogov.security.models import InformationSystem

    who = "province_authority" if "province_authority" in logins else "city_authority"
    user = User.objects.get(pk=logins[who])
    client = Client()
    client.force_login(user)
    for _ in range(2):  # warm: content types, the scope cache, the menu
        assert client.get("/security/").status_code == 200
    queries: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):  # the whole request's statements (a capture is reset by it)
        assert client.get("/security/").status_code == 200
    times = client_times(client, "/security/", RUNS)
    p50 = statistics.median(times)
    t0 = time.perf_counter()
    ov = selectors.overview(user)
    selector_ms = (time.perf_counter() - t0) * 1000
    load = os.getloadavg()
    return scenario(
        "security_overview",
        round(p50, 1),
        "ms p50",
        None,
        GOAL_MS,
        f"p50 ≤ {GOAL_MS} ms (province authority, ≥ 20,000 systems), bounded queries",
        p50 <= GOAL_MS,
        user=f"{user.username} ({who})",
        p90_ms=round(statistics.quantiles(times, n=10)[-1], 1),
        runs=RUNS,
        queries=len(queries),
        selector_ms=round(selector_ms, 1),
        systems_in_scope=sum(ov.by_level.values()),
        systems_total=InformationSystem.objects.count(),
        level3_and_above=ov.level3_total,
        load_average=[round(x, 2) for x in load],
        how="Django test client in the bench process (no HTTP server): the page's own latency",
    )


def _security_only(scale: str, seed: int, log: Callable[[str], None]) -> dict[str, Any]:
    """The scale's world (jurisdictions, organisations, users) and the security generator's systems
    only: the other apps' generators are left out for this run."""
    from infogov.datagen import hooks
    from infogov.datagen import runner as generate

    done = generate.marker()
    if done and done["scale"] == scale and done["seed"] == seed:
        return done
    only = {"security": hooks.app_generators()["security"]}
    generate.app_generators = lambda: only  # type: ignore[attr-defined]  # the workers fork after this
    generate.generate(generate.spec_for(scale), seed, reset=True, log=log)
    done = generate.marker()
    assert done is not None
    return done


def main(argv: list[str]) -> int:
    """Generate the security register at a scale into BENCH_DATABASE_URL (once) and run the scenario."""
    import argparse
    import json

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="province", choices=("city", "province"))
    args = parser.parse_args(argv)
    from bench import run

    problem = run.pg_available()  # creates the database if it is missing
    if problem:
        run.log(f"PostgreSQL unavailable: {problem}")
        return 1
    run.setup_django()
    run.log(f"  load average before: {os.getloadavg()}")
    done = _security_only(args.scale, 1, run.log)
    result = security_overview_scenario(done["counts"]["logins"], run.scenario)
    run.log(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
