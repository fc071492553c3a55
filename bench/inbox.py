"""The `inbox` scenario of `make bench`: 我的待办 of 吉林市's authority on the generated data, p50 of the
whole page (middleware, the inbox's queries, the template) through Django's test client in the bench
process, and the page's query count — which must not grow with the data (core/workflow/inbox.py).

Run alone on small data (its own database, a reduced city):
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/infogov_inbox_bench \\
        .venv/bin/python -m bench.inbox --projects 2000

or on data already generated (e.g. the province by `make bench`), read-only — no migration, no
generation, every transaction READ ONLY (the login's session is a signed cookie, last_login is not
updated), so the data stays exactly as generated:
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/infogov_bench \\
        .venv/bin/python -m bench.inbox --database-only
"""

from __future__ import annotations

import statistics
import sys
from collections.abc import Callable
from typing import Any

from bench.loadgen import client_times

RUNS = 60
GOAL_MS = 50


PRODUCTION_CONN_MAX_AGE = 600  # settings/base.py (the test settings close the connection per request)


def inbox_scenario(logins: dict[str, int], scenario: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """The page's p50 with the settings in use (the test settings: a new database connection per
    request, every statement planned on every request), and — a detail — with the connection kept
    between requests as in production (the inbox's statements prepared once per connection)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from infogov.core.workflow import inbox
    from infogov.org.models import User

    user = User.objects.get(pk=logins["city_authority"])
    client = Client()
    client.force_login(user)
    times = client_times(client, "/", RUNS, warm=3)  # CONN_MAX_AGE of the settings in use (test: 0)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    queries = len(ctx.captured_queries)  # read now: the next request empties the log
    p50 = statistics.median(times)
    page = inbox.step_items(user, page_size=25)
    own, waiting = inbox.duties(user)
    with CaptureQueriesContext(connection) as page2:
        client.get("/?page=2")
    queries_page_2 = len(page2.captured_queries)
    saved = connection.settings_dict["CONN_MAX_AGE"]
    connection.settings_dict["CONN_MAX_AGE"] = PRODUCTION_CONN_MAX_AGE
    kept = client_times(client, "/", RUNS, warm=3)
    connection.settings_dict["CONN_MAX_AGE"] = saved
    connection.close()
    return scenario(
        "inbox",
        round(p50, 1),
        "ms p50",
        None,
        GOAL_MS,
        f"p50 ≤ {GOAL_MS} ms (city authority), bounded queries",
        p50 <= GOAL_MS and queries_page_2 <= queries + 2,
        user="吉林市工业和信息化局 (authority)",
        p90_ms=round(statistics.quantiles(times, n=10)[-1], 1),
        runs=RUNS,
        connection=f"new per request (CONN_MAX_AGE={saved}, the settings in use)",
        kept_connection_p50_ms=round(statistics.median(kept), 1),
        kept_connection_p90_ms=round(statistics.quantiles(kept, n=10)[-1], 1),
        kept_connection=f"CONN_MAX_AGE={PRODUCTION_CONN_MAX_AGE}, as settings/base.py (production)",
        queries=queries,
        queries_page_2=queries_page_2,
        steps_waiting=page.count,
        steps_by_type=page.counts,
        duties_own=own.count(),
        duties_waiting_for_others=waiting.count(),
        how="Django test client in the bench process (no HTTP server): the page's own latency",
    )


def main(argv: list[str]) -> int:
    """Generate a reduced city into BENCH_DATABASE_URL (once) and run the scenario alone."""
    import argparse
    import json

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument(
        "--database-only", action="store_true", help="reuse the data in BENCH_DATABASE_URL, read-only"
    )
    args = parser.parse_args(argv)
    from bench import run

    if args.database_only:
        return read_only(run)

    problem = run.pg_available()  # creates the database if it is missing
    if problem:
        run.log(f"PostgreSQL unavailable: {problem}")
        return 1
    run.setup_django()
    from infogov.datagen import runner as generate

    done = generate.marker()
    if not done or done["scale"] != "city-custom" or done["counts"].get("projects") != args.projects:
        spec = generate.spec_for(
            "city", projects=args.projects, systems=args.projects // 5, events=args.projects * 40
        )
        generate.generate(spec, 1, reset=True, log=run.log)
        done = generate.marker()
    assert done is not None
    result = inbox_scenario(done["counts"]["logins"], run.scenario)
    run.log(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def read_only(run: Any) -> int:
    """The scenario on the data BENCH_DATABASE_URL holds, writing nothing to it."""
    import json
    import os

    import django
    from django.conf import settings

    os.environ["PGOPTIONS"] = "-c default_transaction_read_only=on"  # every statement of this process
    django.setup()
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    from django.contrib.auth import user_logged_in

    user_logged_in.receivers = []  # last_login, the login audit and axes' access log write rows
    user_logged_in.sender_receivers_cache.clear()
    from infogov.datagen import runner as generate

    done = generate.marker()
    if not done:
        run.log("no generated data in BENCH_DATABASE_URL (run make bench or --projects first)")
        return 1
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    result = inbox_scenario(done["counts"]["logins"], run.scenario)
    result["details"].update(
        {"data": done["scale"], "projects": done["counts"].get("projects"), "load_average_before": load}
    )
    with open("/proc/loadavg") as f:
        result["details"]["load_average_after"] = f.read().split()[:3]
    run.log(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
