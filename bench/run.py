"""`make bench`: measure the platform next to a ceiling measured in the same run, on PostgreSQL.

Every figure is measured now, on this machine, beside its ceiling (the same work done the most
direct way: raw psycopg, hashlib in a loop), so that the ratio says how much the platform's layers
cost. Scenarios whose feature is not built yet are listed with "pending": true and the reason.
Writes bench/results.json: {"scenarios": [{"name", "value", "unit", "ceiling", "ratio", "goal",
"met", …}]}. See bench/README.md.

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/infogov_bench),
BENCH_TRANSITIONS (default 10000), BENCH_PROCS (parallel processes for the transitions, default 4).
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import platform
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/infogov_bench")
N_TRANSITIONS = int(os.environ.get("BENCH_TRANSITIONS", "10000"))
PROCS = max(1, int(os.environ.get("BENCH_PROCS", "4")))  # deploy/gunicorn.conf.py: 2 workers per core
RESULTS = ROOT / "bench" / "results.json"

# The Widget test case type (tests/testapp) is the case type of the transitions scenario: see
# transitions() for why the projects workflow is not used for it.
os.environ["DATABASE_URL"] = DB_URL
os.environ["DJANGO_SETTINGS_MODULE"] = "infogov.settings.test"
os.environ.setdefault("INFOGOV_LOG_LEVEL", "ERROR")


def log(msg: str) -> None:
    print(msg, flush=True)  # noqa: T201 — a command-line program


# -- database ------------------------------------------------------------------------------------


def pg_available() -> str | None:
    import psycopg

    admin = DB_URL.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(admin, connect_timeout=3, autocommit=True) as conn:
            name = DB_URL.rsplit("/", 1)[1]
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # any failure: no PostgreSQL to measure on
        return f"{type(exc).__name__}: {exc}"
    return None


def setup_django() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    log(f"  migrated {DB_URL.rsplit('/', 1)[1]} in {time.perf_counter() - t0:.1f} s")


def reset_bench_data() -> None:
    """Start each run from no cases: TRUNCATE (the docket's triggers refuse DELETE, by design)."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute(
            "TRUNCATE core_docketsealentry, core_docketseal, core_obligation, core_docketevent, "
            "testapp_widget RESTART IDENTITY CASCADE"
        )
        c.execute("DROP TABLE IF EXISTS bench_docket_raw")


def world() -> dict[str, Any]:
    """吉林市 with its authority and one department, one user each (idempotent)."""
    from infogov.org.choices import JurisdictionKind, OrganisationKind, Role
    from infogov.org.models import Jurisdiction, Membership, Organisation, User

    city, _ = Jurisdiction.objects.get_or_create(
        code="220200", defaults={"name": "吉林市", "kind": JurisdictionKind.CITY}
    )
    authority, _ = Organisation.objects.get_or_create(
        name="吉林市工业和信息化局", defaults={"kind": OrganisationKind.AUTHORITY, "jurisdiction": city}
    )
    dept, _ = Organisation.objects.get_or_create(
        name="吉林市卫生健康委员会", defaults={"kind": OrganisationKind.DEPARTMENT, "jurisdiction": city}
    )
    users = {}
    for username, org, role in (
        ("bench_dept", dept, Role.DEPT_STAFF),
        ("bench_authority", authority, Role.AUTHORITY_STAFF),
    ):
        user, _ = User.objects.get_or_create(
            username=username, defaults={"organisation": org, "full_name": username}
        )
        Membership.objects.get_or_create(user=user, organisation=org, role=role)
        users[username] = user.pk
    return {"city": city.pk, "dept": dept.pk, "authority": authority.pk, **users}


# -- scenario: transitions -----------------------------------------------------------------------


def _transitions_worker(args: tuple[list[int], int, int, Any]) -> tuple[int, float]:
    """Fire submit then approve/reject on each widget, one transaction per transition."""
    widget_ids, dept_user_id, authority_user_id, barrier = args
    from django.db import connection  # forked after django.setup(); the connection was closed before
    from tests.testapp.models import Widget

    from infogov.core.workflow import fire
    from infogov.org.models import User

    dept_user = User.objects.get(pk=dept_user_id)
    authority_user = User.objects.get(pk=authority_user_id)
    widgets = list(Widget.objects.filter(pk__in=widget_ids).order_by("pk"))
    connection.ensure_connection()
    barrier.wait()
    t0 = time.perf_counter()
    n = 0
    for i, w in enumerate(widgets):
        w = fire(w, "submit", user=dept_user, comment="申报")
        if i % 2:
            fire(w, "approve", user=authority_user, payload={"contract_amount": 90000})
        else:
            fire(w, "reject", user=authority_user, comment="材料不全，退回补正")
        n += 2
    return n, time.perf_counter() - t0


def transitions(w: dict[str, Any]) -> dict[str, Any]:
    """N transitions through core.workflow.fire: row lock, actor rules, guard rules (article-cited),
    state change, docket event (hash chain), obligation opened (submit) or fulfilled (approve/reject).

    Case type: the test app's Widget (submit → approve/reject). The projects workflow has no cheap
    loop of owner transitions: its only cycle (submit ↔ return_proposal) runs duplicate detection
    on every submit, which is a scenario of its own."""
    from django.db import connection
    from tests.testapp.models import Widget, WidgetState

    n_widgets = max(1, N_TRANSITIONS // 2)
    objs = []
    for i in range(n_widgets):
        widget = Widget(
            title=f"基准测试事项 {i}",
            jurisdiction_id=w["city"],
            owner_id=w["dept"],
            budget=100000,
            has_security_plan=True,
            reference=f"WG-BENCH-{i:06d}",
        )
        widget.__dict__["state"] = WidgetState.DRAFT  # the initial state, set as workflow.create does
        objs.append(widget)
    ids = [o.pk for o in Widget.objects.bulk_create(objs, batch_size=2000)]
    connection.close()  # the workers fork; each opens its own connection

    chunks = [ids[i::PROCS] for i in range(PROCS)]
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Manager().Barrier(PROCS)
    t0 = time.perf_counter()
    with ctx.Pool(PROCS) as pool:
        results = pool.map(
            _transitions_worker, [(c, w["bench_dept"], w["bench_authority"], barrier) for c in chunks]
        )
    wall = time.perf_counter() - t0
    done = sum(n for n, _ in results)
    slowest = max(s for _, s in results)  # from the common start (barrier) to the last worker's end
    value = done / slowest

    from infogov.core.models import DocketEvent, Obligation

    events = DocketEvent.objects.filter(action__in=["submit", "approve", "reject"]).count()
    obligations = Obligation.objects.count()
    fulfilled = Obligation.objects.filter(fulfilled_at__isnull=False).count()
    assert events == done, f"{events} docket events for {done} transitions"
    assert obligations == n_widgets == fulfilled, (obligations, fulfilled, n_widgets)

    raw = raw_docket_inserts()
    unflushed = transitions_without_flush(w)
    return {
        "name": "transitions",
        "value": round(value, 1),
        "unit": "transitions/s",
        "ceiling": round(raw["executemany"], 1),
        "ceiling_what": (
            f"the same {raw['rows']} docket rows inserted raw (psycopg executemany, one transaction) "
            "into a copy of the docket table"
        ),
        "goal": 300,
        "goal_what": "≥ 300 transitions/s",
        "met": value >= 300,
        "details": {
            "transitions": done,
            "processes": PROCS,
            "case_type": "tests.testapp.Widget (submit → approve/reject), settings infogov.settings.test",
            "per_transition": "lock, actor+guard rules, state, docket event, obligation; own commit",
            "docket_events": events,
            "obligations_opened_and_fulfilled": obligations,
            "wall_s_incl_fork": round(wall, 2),
            "per_process_rate": [round(n / s, 1) for n, s in results],
            "one_process_synchronous_commit_off": unflushed,
            "raw_copy_rows_per_s": round(raw["copy"], 1),
            "raw_insert_commit_each_rows_per_s": round(raw["commit_each"], 1),
        },
    }


def transitions_without_flush(w: dict[str, Any]) -> dict[str, Any]:
    """Diagnostic: one process, synchronous_commit off for its session, so the rate is the engine's
    CPU and round trips without waiting for the WAL flush of each commit (production keeps it on)."""
    from django.db import connection
    from tests.testapp.models import Widget, WidgetState

    from infogov.core.workflow import fire
    from infogov.org.models import User

    n = max(50, min(1000, N_TRANSITIONS // 5)) // 2
    objs = []
    for i in range(n):
        widget = Widget(
            title=f"基准测试事项（诊断）{i}",
            jurisdiction_id=w["city"],
            owner_id=w["dept"],
            budget=100000,
            has_security_plan=True,
            reference=f"WG-DIAG-{i:06d}",
        )
        widget.__dict__["state"] = WidgetState.DRAFT
        objs.append(widget)
    widgets = Widget.objects.bulk_create(objs)
    dept_user = User.objects.get(pk=w["bench_dept"])
    authority_user = User.objects.get(pk=w["bench_authority"])
    with connection.cursor() as c:
        c.execute("SET synchronous_commit = off")
    t0 = time.perf_counter()
    for widget in widgets:
        submitted = fire(widget, "submit", user=dept_user, comment="申报")
        fire(submitted, "reject", user=authority_user, comment="退回")
    rate = 2 * n / (time.perf_counter() - t0)
    with connection.cursor() as c:
        c.execute("SET synchronous_commit = on")
    return {"transitions": 2 * n, "per_s": round(rate, 1)}


_COLUMNS = (
    "case_type_id, case_id, jurisdiction_id, seq, at, actor_id, actor_name, organisation_id, action, "
    "action_label, from_state, to_state, citation, comment, attachments, payload, changes, prev_hash, hash"
)


def raw_docket_inserts() -> dict[str, float]:
    """The ceiling: the docket rows the transitions wrote, inserted again the most direct way into
    a table like core_docketevent (same columns, indexes and unique constraints; no triggers, no FKs)."""
    import psycopg

    with psycopg.connect(DB_URL) as conn:
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM core_docketevent "
            "WHERE action IN ('submit', 'approve', 'reject') ORDER BY id"
        ).fetchall()
        conn.execute("DROP TABLE IF EXISTS bench_docket_raw")
        conn.execute("CREATE TABLE bench_docket_raw (LIKE core_docketevent INCLUDING ALL)")
        conn.commit()
        placeholders = ", ".join(["%s"] * len(_COLUMNS.split(",")))
        insert = f"INSERT INTO bench_docket_raw ({_COLUMNS}) VALUES ({placeholders})"
        # psycopg gives JSON columns back as Python objects; send them back as JSON
        from psycopg.types.json import Jsonb

        data = [(*r[:14], Jsonb(r[14]), Jsonb(r[15]), Jsonb(r[16]), *r[17:]) for r in rows]

        def timed(fn) -> float:
            conn.execute("TRUNCATE bench_docket_raw")
            conn.commit()
            t0 = time.perf_counter()
            fn()
            conn.commit()
            return len(rows) / (time.perf_counter() - t0)

        def executemany() -> None:
            with conn.cursor() as cur:
                cur.executemany(insert, data)

        def copy() -> None:
            with conn.cursor() as cur, cur.copy(f"COPY bench_docket_raw ({_COLUMNS}) FROM STDIN") as cp:
                for r in data:
                    cp.write_row(r)

        def commit_each() -> float:  # one transaction per row, as fire() commits per transition
            conn.execute("TRUNCATE bench_docket_raw")
            conn.commit()
            sample = data[: min(len(data), 2000)]
            t0 = time.perf_counter()
            for r in sample:
                conn.execute(insert, r)
                conn.commit()
            return len(sample) / (time.perf_counter() - t0)

        result = {
            "rows": len(rows),
            "executemany": timed(executemany),
            "copy": timed(copy),
            "commit_each": commit_each(),
        }
        conn.execute("DROP TABLE bench_docket_raw")
        conn.commit()
    return result


# -- scenario: docket_verify ---------------------------------------------------------------------


def docket_verify() -> dict[str, Any]:
    """core.docket.verify() over every event (per-case chains, then the seal chain), next to hashing
    the same rows with hashlib in a tight loop over a raw psycopg fetch."""
    import psycopg

    from infogov.core.docket import seal_pending, verify

    while seal_pending() is not None:  # verify checks the seals too, as in production
        pass
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        report = verify()
        runs.append(time.perf_counter() - t0)
        assert report.ok, report.broken
    events = report.events
    value = events / statistics.median(runs)

    def raw_hash() -> tuple[int, float]:
        with psycopg.connect(DB_URL) as conn, conn.cursor(name="bench_verify") as cur:
            cur.itersize = 5000
            t0 = time.perf_counter()
            cur.execute(
                "SELECT id, case_type_id, case_id, seq, at, actor_id, organisation_id, action, from_state, "
                "to_state, citation, comment, attachments::text, payload::text, changes::text, "
                "prev_hash, hash "
                "FROM core_docketevent ORDER BY case_type_id, case_id, seq"
            )
            n = 0
            sha = hashlib.sha256
            for row in cur:
                sha("|".join(map(str, row)).encode()).hexdigest()
                n += 1
            return n, time.perf_counter() - t0

    ceil_runs = [raw_hash() for _ in range(3)]
    ceiling = ceil_runs[0][0] / statistics.median(s for _, s in ceil_runs)
    return {
        "name": "docket_verify",
        "value": round(value, 1),
        "unit": "events/s",
        "ceiling": round(ceiling, 1),
        "ceiling_what": "the same rows fetched raw (psycopg server-side cursor), hashed with hashlib.sha256",
        "goal": 200_000,
        "goal_what": "≥ 200,000 events/s",
        "met": value >= 200_000,
        "details": {
            "events": events,
            "cases": report.cases,
            "seals": report.seals,
            "runs_s": [round(r, 3) for r in runs],
        },
    }


# -- pending scenarios ---------------------------------------------------------------------------

PENDING = [
    (
        "project_list_api",
        "req/s",
        "project list API (ninja) vs a bare Django view vs raw psycopg vs DRF, gunicorn 2 workers, wrk on "
        "loopback, 100k projects",
        "projects/api.py exists; the data generator (100k projects) and the bare/raw/DRF peers do not yet",
    ),
    (
        "project_page",
        "req/s",
        "one project's page with its docket, obligations and options",
        "needs the data generator and the project page",
    ),
    ("overview", "req/s", "the authority's overview dashboard", "the overview/reports app is not built yet"),
    (
        "exchange_streaming",
        "rows/s",
        "exchange download streaming with constant memory vs COPY TO STDOUT",
        "the resources app (exchange API) is not built yet",
    ),
    (
        "chinese_search",
        "queries/s",
        "Chinese full-text search (jieba segmentation + index) vs pg_trgm",
        "needs the data generator and the search index",
    ),
    (
        "duplicate_detection",
        "projects/s",
        "duplicate-construction detection on submit",
        "needs the data generator (a realistic corpus of existing projects)",
    ),
    (
        "memory",
        "MB",
        "resident memory per gunicorn worker after the load runs",
        "measured with the HTTP scenarios, which are pending",
    ),
]


def pending() -> list[dict[str, Any]]:
    return [
        {
            "name": n,
            "value": None,
            "unit": u,
            "ceiling": None,
            "ratio": None,
            "goal": None,
            "met": None,
            "pending": True,
            "what": what,
            "reason": why,
        }
        for n, u, what, why in PENDING
    ]


# -- output --------------------------------------------------------------------------------------


def fmt(x: Any) -> str:
    if x is None:
        return "—"
    if isinstance(x, float) and x < 10:
        return f"{x:.3f}"
    return f"{x:,.0f}" if isinstance(x, int | float) else str(x)


def table(scenarios: list[dict[str, Any]]) -> str:
    head = ("scenario", "figure", "unit", "ceiling", "ratio", "goal", "met")
    rows = [head]
    for s in scenarios:
        if s.get("pending"):
            rows.append((s["name"], "pending", s["unit"], "—", "—", "—", s["reason"]))
        elif s.get("skipped"):
            rows.append((s["name"], "skipped", s["unit"], "—", "—", "—", s["reason"]))
        else:
            rows.append(
                (
                    s["name"],
                    fmt(s["value"]),
                    s["unit"],
                    fmt(s["ceiling"]),
                    fmt(s["ratio"]),
                    s.get("goal_what", fmt(s["goal"])),
                    "yes" if s["met"] else "NO",
                )
            )
    widths = [max(len(str(r[i])) for r in rows[:]) if i < 6 else 3 for i in range(7)]
    lines = []
    for k, r in enumerate(rows):
        lines.append("  ".join(str(c).ljust(widths[i]) if i < 6 else str(c) for i, c in enumerate(r)))
        if k == 0:
            lines.append("-" * (sum(widths[:6]) + 2 * 6 + 3))
    return "\n".join(lines)


def main() -> int:
    started = time.perf_counter()
    scenarios: list[dict[str, Any]] = []
    load_before = os.getloadavg()
    log(
        f"infogov bench — {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {load_before[0]:.2f} (other work on this machine slows every figure)"
    )
    problem = pg_available()
    if problem:
        log(f"PostgreSQL unavailable at {DB_URL} ({problem}): the PostgreSQL scenarios are skipped")
        for name, unit in (("transitions", "transitions/s"), ("docket_verify", "events/s")):
            scenarios.append(
                {
                    "name": name,
                    "value": None,
                    "unit": unit,
                    "ceiling": None,
                    "ratio": None,
                    "goal": None,
                    "met": None,
                    "skipped": True,
                    "reason": "PostgreSQL unavailable",
                }
            )
    else:
        setup_django()
        reset_bench_data()
        w = world()
        from django.db import connection

        server = connection.cursor().connection.info.server_version
        log(f"  PostgreSQL {server // 10000}.{server % 10000}; {N_TRANSITIONS} transitions, {PROCS} procs")
        for fn in (lambda: transitions(w), docket_verify):
            t0 = time.perf_counter()
            s = fn()
            s["ratio"] = round(s["value"] / s["ceiling"], 4) if s["ceiling"] else None
            scenarios.append(s)
            log(
                f"  {s['name']}: {fmt(s['value'])} {s['unit']} (ceiling {fmt(s['ceiling'])}) "
                f"in {time.perf_counter() - t0:.1f} s"
            )
    scenarios.extend(pending())
    out = {
        "generated_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": {
            "host": platform.node(),
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        },
        "database": DB_URL.rsplit("@", 1)[-1],
        "scenarios": scenarios,
    }
    RESULTS.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    log("")
    log(table(scenarios))
    log(f"\nwrote {RESULTS.relative_to(ROOT)} in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
