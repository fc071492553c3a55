"""`make bench`: the platform under gunicorn (2 workers) on PostgreSQL with the province's data,
each figure next to a ceiling or peer measured in the same run. See bench/README.md.

Writes bench/results.json: {"scenarios": [{"name", "value", "unit", "ceiling", "ratio", "goal",
"met", …}]}; scenarios whose feature is not built yet are listed with "pending": true.

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/infogov_bench),
BENCH_SCALE (province), BENCH_SEED (1), BENCH_TRANSITIONS (10000), BENCH_PROCS (4),
BENCH_SECONDS (wrk run length, 10), BENCH_ONLY (comma-separated scenario names, for development).
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
SCALE = os.environ.get("BENCH_SCALE", "province")
SEED = int(os.environ.get("BENCH_SEED", "1"))
N_TRANSITIONS = int(os.environ.get("BENCH_TRANSITIONS", "10000"))
PROCS = max(1, int(os.environ.get("BENCH_PROCS", "4")))  # deploy/gunicorn.conf.py: 2 workers per core
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
ONLY = {s for s in os.environ.get("BENCH_ONLY", "").split(",") if s}
RESULTS = ROOT / "bench" / "results.json"
VAR = ROOT / "bench" / "var"

# The bench process runs with the test settings (the Widget case type of the transitions scenario
# lives in tests/testapp); the HTTP server runs with bench/peers/settings.py (the platform's base
# settings plus the peers' URLs).
os.environ["DATABASE_URL"] = DB_URL
os.environ["DJANGO_SETTINGS_MODULE"] = "infogov.settings.test"
os.environ.setdefault("INFOGOV_LOG_LEVEL", "ERROR")


def log(msg: str) -> None:
    print(msg, flush=True)  # noqa: T201 — a command-line program


def wanted(name: str) -> bool:
    return not ONLY or name in ONLY


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


def ensure_data() -> dict[str, Any]:
    """The province's data, generated once: the generator's marker says what the database holds."""
    from infogov.datagen import runner as generate

    cleanup_transitions()  # rows a previous run's transitions scenario may have left
    done = generate.marker()
    if done and done["scale"] == SCALE and done["seed"] == SEED:
        log(f"  {SCALE} data (seed {SEED}) already generated ({done['seconds']:.0f} s when it was): reused")
        return {**done, "generated_now": False}
    log(f"  generating {SCALE} data (seed {SEED}) …")
    report = generate.generate(generate.spec_for(SCALE), SEED, reset=True, log=log)
    log(f"  generated in {report.seconds:.0f} s")
    done = generate.marker()
    assert done is not None
    return {**done, "generated_now": True}


def widget_ct() -> int:
    from django.contrib.contenttypes.models import ContentType
    from tests.testapp.models import Widget

    return ContentType.objects.get_for_model(Widget).pk


def cleanup_transitions() -> None:
    """Remove what the transitions scenario wrote (widgets, their docket and obligations), so that
    the generated docket stays as generated between runs. The docket refuses DELETE (triggers); the
    bench's superuser session turns triggers off for this one cleanup (session_replication_role)."""
    from django.db import connection

    ct = widget_ct()
    with connection.cursor() as c:
        c.execute("SET session_replication_role = replica")
        try:
            c.execute("DELETE FROM core_obligation WHERE case_type_id = %s", [ct])
            c.execute(
                "DELETE FROM core_docketsealentry WHERE event_id IN "
                "(SELECT id FROM core_docketevent WHERE case_type_id = %s)",
                [ct],
            )
            c.execute("DELETE FROM core_docketevent WHERE case_type_id = %s", [ct])
            c.execute("DELETE FROM testapp_widget")
            c.execute("DROP TABLE IF EXISTS bench_docket_raw")
        finally:
            c.execute("SET session_replication_role = origin")


def world() -> dict[str, Any]:
    """吉林市 with its authority and one department, one bench user each (idempotent)."""
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


def scenario(
    name: str,
    value: Any,
    unit: str,
    ceiling: Any,
    goal: Any,
    goal_what: str,
    met: bool | None,
    ceiling_what: str = "",
    **details: Any,
) -> dict[str, Any]:
    ratio = round(value / ceiling, 4) if isinstance(value, int | float) and ceiling else None
    return {
        "name": name,
        "value": round(value, 2) if isinstance(value, float) else value,
        "unit": unit,
        "ceiling": round(ceiling, 2) if isinstance(ceiling, float) else ceiling,
        "ratio": ratio,
        "goal": goal,
        "met": met,
        "ceiling_what": ceiling_what,
        "goal_what": goal_what,
        "details": details,
    }


# -- HTTP scenarios: gunicorn (2 workers) + wrk ----------------------------------------------------


def _session_cookie(user: Any) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    return f"{settings.SESSION_COOKIE_NAME}={s.session_key}"


def _queries(path: str, **headers: str) -> tuple[int, list[str]]:
    """Status and SQL of one request through the test client (same code as the server runs)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(path, **headers)
    return r.status_code, [q["sql"] for q in ctx.captured_queries]


def _get(url: str, headers: dict[str, str]) -> Any:
    import urllib.request

    req = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read().decode("utf-8"))


def http_scenarios(logins: dict[str, int]) -> list[dict[str, Any]]:
    from django.db import connection

    from bench import loadgen as http
    from infogov.core.api.tokens import token_create
    from infogov.org.models import Jurisdiction, User
    from infogov.projects.models import Project

    city_user = User.objects.get(pk=logins["city_authority"])
    prov_user = User.objects.get(pk=logins.get("province_authority", logins["city_authority"]))
    _, city_token = token_create(user=city_user, name="make bench", via="bench")
    _, prov_token = token_create(user=prov_user, name="make bench", via="bench")
    city_auth = {"Authorization": f"Bearer {city_token}"}
    prov_auth = {"Authorization": f"Bearer {prov_token}"}

    # the list: 吉林市's authority, fiscal projects of one construction year, page of 50
    year = 2023
    filters = f"year={year}&funding_kind=fiscal&page_size=50"
    list_path = f"/api/projects/?{filters}"
    status, sqls = _queries(list_path, HTTP_AUTHORIZATION=city_auth["Authorization"])
    assert status == 200, status
    count_sql = next(s for s in sqls if "COUNT(*)" in s and '"projects_project"' in s)
    page_sql = next(s for s in sqls if s.lstrip().startswith("SELECT") and "LIMIT 50" in s)
    VAR.mkdir(parents=True, exist_ok=True)
    sql_file = VAR / "list_sql.json"
    sql_file.write_text(
        json.dumps({"count": count_sql, "page": page_sql}, ensure_ascii=False), encoding="utf-8"
    )

    out: list[dict[str, Any]] = []
    gunicorn = http.start_gunicorn(DB_URL, sql_file, workers=2)
    physical = http.start_physical(DB_URL, sql_file, procs=2)
    try:
        g = gunicorn.base
        ours_body = _get(g + list_path, city_auth)
        bare_body = _get(g + "/bench/bare/projects/", {})
        phys_body = _get(physical.base + "/", {})
        assert ours_body["count"] == bare_body["count"] == phys_body["count"] > 50, (
            ours_body["count"],
            bare_body["count"],
            phys_body["count"],
        )
        assert [i["id"] for i in ours_body["items"]] == [i["id"] for i in bare_body["items"]]

        log("  list: ours / bare view / physical / DRF, 16 connections …")
        ours = http.wrk(g + list_path, connections=16, seconds=SECONDS, headers=city_auth)
        bare = http.wrk(g + "/bench/bare/projects/", connections=16, seconds=SECONDS)
        phys = http.wrk(physical.base + "/", connections=16, seconds=SECONDS)
        physical.stop()
        drf = None
        try:
            drf_body = _get(g + f"/bench/drf/projects/?{filters}", city_auth)
            assert drf_body["count"] == ours_body["count"]
            drf = http.wrk(
                g + f"/bench/drf/projects/?{filters}", connections=16, seconds=SECONDS, headers=city_auth
            )
        except Exception as exc:  # DRF not installed: the comparison is skipped, said so
            log(f"  DRF peer unavailable: {exc}")
        for name, r in (("ours", ours), ("bare", bare), ("physical", phys), ("drf", drf)):
            if r is not None:
                assert r.non_2xx == 0 and r.errors == 0, (name, r)
        met = ours.rps >= 0.8 * bare.rps and ours.rps >= 0.25 * phys.rps and ours.p99_ms <= 50
        out.append(
            scenario(
                "project_list_api",
                ours.rps,
                "req/s",
                bare.rps,
                "≥0.8 bare, ≥0.25 physical, p99≤50ms",
                "≥ 0.8 × bare view, ≥ 0.25 × physical, p99 ≤ 50 ms",
                met,
                ceiling_what="bare Django view, same SQL, JSON, no auth/schema (same gunicorn)",
                path=list_path,
                user="吉林市工业和信息化局 (authority)",
                rows_matching=ours_body["count"],
                queries_per_request=len(sqls),
                ours=ours.as_dict(),
                bare_view=bare.as_dict(),
                physical=phys.as_dict(),
                ratio_bare=round(ours.rps / bare.rps, 3),
                ratio_physical=round(ours.rps / phys.rps, 3),
                p99_ms=ours.p99_ms,
                physical_what="same two statements via psycopg + json.dumps, asyncio HTTP, 2 processes",
            )
        )
        if drf is not None:
            out.append(
                scenario(
                    "project_list_vs_drf",
                    ours.rps,
                    "req/s",
                    drf.rps,
                    1.5,
                    "≥ 1.5 × DRF ModelSerializer",
                    ours.rps >= 1.5 * drf.rps,
                    ceiling_what="DRF ListAPIView + ModelSerializer, same scope/auth",
                    drf=drf.as_dict(),
                )
            )
        else:
            out.append(
                skipped("project_list_vs_drf", "req/s", "djangorestframework not installed (.[bench])")
            )

        # the project page: detail, docket timeline, options with reasons (HTML)
        log("  project page …")
        cookie = _session_cookie(city_user)
        city_ids = list(
            Project.objects.filter(
                jurisdiction__path__startswith=Jurisdiction.objects.get(code="220200").path
            )
            .order_by("?")
            .values_list("pk", flat=True)[:300]
        )
        # bounded queries: two projects of the same kind and state, the shortest and the longest docket
        sizes = _docket_sizes(city_ids)
        kinds = {
            pk: (st, fk)
            for pk, st, fk in Project.objects.filter(pk__in=city_ids).values_list(
                "pk", "state", "funding_kind"
            )
        }
        groups: dict[Any, list[int]] = {}
        for pk in city_ids:
            groups.setdefault(kinds[pk], []).append(pk)
        group = max(groups.values(), key=lambda g: max(sizes[p] for p in g) - min(sizes[p] for p in g))
        small, large = min(group, key=sizes.get), max(group, key=sizes.get)
        _queries(f"/projects/{small}/", HTTP_COOKIE=cookie)  # warm the caches (content types)
        q_small = _queries(f"/projects/{small}/", HTTP_COOKIE=cookie)
        q_large = _queries(f"/projects/{large}/", HTTP_COOKIE=cookie)
        assert q_small[0] == q_large[0] == 200
        script = http.paths_script("detail", [f"/projects/{i}/" for i in city_ids], {"Cookie": cookie})
        page2 = http.wrk(g + "/", connections=2, threads=2, seconds=SECONDS, script=script)
        page16 = http.wrk(g + "/", connections=16, seconds=SECONDS, script=script)
        assert page2.non_2xx == 0 and page16.non_2xx == 0
        bounded = len(q_small[1]) == len(q_large[1])
        out.append(
            scenario(
                "project_page",
                page2.p50_ms,
                "ms p50",
                None,
                30,
                "p50 ≤ 30 ms, bounded queries",
                page2.p50_ms <= 30 and bounded,
                at_2_connections=page2.as_dict(),
                at_16_connections=page16.as_dict(),
                queries={
                    f"docket of {sizes[small]} events": len(q_small[1]),
                    f"docket of {sizes[large]} events": len(q_large[1]),
                },
                bounded=bounded,
                pages=len(city_ids),
                why_2_connections="one request per worker: the page's own latency, no queueing",
            )
        )

        # the authority's overview (risk ranking of fiscal projects under construction, overdue duties)
        log("  overview …")
        prov_cookie = _session_cookie(prov_user)
        q_over = _queries("/projects/overview/", HTTP_COOKIE=prov_cookie)
        assert q_over[0] == 200
        over = http.wrk(
            g + "/projects/overview/",
            connections=1,
            threads=1,
            seconds=SECONDS,
            headers={"Cookie": prov_cookie},
        )
        over_city = http.wrk(
            g + "/projects/overview/",
            connections=1,
            threads=1,
            seconds=SECONDS / 2,
            headers={"Cookie": cookie},
        )
        summary = _time_summary(prov_user)
        out.append(
            scenario(
                "overview",
                over.p50_ms,
                "ms p50",
                None,
                300,
                "p50 ≤ 300 ms (province)",
                over.p50_ms <= 300,
                province_authority=over.as_dict(),
                city_authority=over_city.as_dict(),
                queries=len(q_over[1]),
                projects_in_scope=Project.objects.count(),
                summary_by_state=summary,
            )
        )

        # Chinese word search over the province's projects, through the API
        log("  search …")
        out.append(search_scenario(g, prov_auth))

        rss = {pid: round(http.rss_mb(pid), 1) for pid in gunicorn.worker_pids()}
        worst = max(rss.values()) if rss else None
        out.append(
            scenario(
                "memory",
                worst,
                "MB RSS",
                None,
                250,
                "each worker ≤ 250 MB after the run",
                worst is not None and worst <= 250,
                workers=rss,
            )
        )
    finally:
        physical.stop()
        gunicorn.stop()
        connection.close()
    return out


def _docket_sizes(ids: list[int]) -> dict[int, int]:
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Count

    from infogov.core.models import DocketEvent
    from infogov.projects.models import Project

    ct = ContentType.objects.get_for_model(Project)
    return dict(
        DocketEvent.objects.filter(case_type=ct, case_id__in=ids)
        .values_list("case_id")
        .annotate(n=Count("id"))
    )


def _time_summary(user: Any) -> dict[str, Any]:
    """Counts and budgets by state over everything the user may see (selectors.project_summary)."""
    from infogov.projects import selectors

    if not hasattr(selectors, "project_summary"):
        return {"pending": "selectors.project_summary not present"}
    runs = []
    for _ in range(5):
        t0 = time.perf_counter()
        rows = selectors.project_summary(user)
        runs.append((time.perf_counter() - t0) * 1000)
    return {
        "p50_ms": round(statistics.median(runs), 1),
        "states": len(rows["by_state"]),
        "projects": rows["total"]["count"],
    }


SEARCH_TERMS = [
    "政务",
    "医保",
    "电子证照",
    "智慧校园",
    "视频监控",
    "公积金",
    "应急指挥",
    "政务云 扩容",
    "数据共享交换",
]


def search_scenario(base: str, auth: dict[str, str]) -> dict[str, Any]:
    import urllib.parse

    from django.db import connection

    from bench import loadgen as http

    per_term = {}
    counts = {}
    for term in SEARCH_TERMS:
        path = f"/api/projects/?text={urllib.parse.quote(term)}&page_size=50"
        body = _get(base + path, auth)
        counts[term] = body["count"]
        r = http.wrk(base + path, connections=1, threads=1, seconds=3, warmup=1, headers=auth)
        per_term[term] = r.p50_ms
    assert counts["政务"] > 0 and counts["医保"] > 0, counts
    worst = max(per_term.values())
    # the peer: what the search did before the word index (LIKE ' 政务 ' over every row)
    runs = []
    with connection.cursor() as c:
        for _ in range(3):
            t0 = time.perf_counter()
            c.execute("SELECT count(*) FROM projects_project WHERE search_text LIKE %s", ["% 政务 %"])
            c.fetchone()
            runs.append((time.perf_counter() - t0) * 1000)
        c.execute(
            "EXPLAIN SELECT id FROM projects_project WHERE search_words @> %s::text[]",
            [["政务"]],
        )
        plan = "\n".join(r[0] for r in c.fetchall())
    return scenario(
        "chinese_search",
        worst,
        "ms p50 (worst term)",
        round(statistics.median(runs), 1),
        50,
        "p50 ≤ 50 ms for every term, 2-character words included",
        worst <= 50,
        ceiling_what="peer: the count alone by LIKE '% 政务 %' scan (the search before the word index), ms",
        p50_ms=per_term,
        matches=counts,
        index_plan=plan,
        user="吉林省工业和信息化厅 (whole province)",
    )


def skipped(name: str, unit: str, reason: str) -> dict[str, Any]:
    return {
        "name": name,
        "value": None,
        "unit": unit,
        "ceiling": None,
        "ratio": None,
        "goal": None,
        "met": None,
        "skipped": True,
        "reason": reason,
    }


# -- scenario: transitions -----------------------------------------------------------------------


def _transitions_worker(args: tuple[list[int], int, int, Any]) -> tuple[int, float]:
    """Fire submit then approve/reject on each widget, one transaction per transition."""
    widget_ids, dept_user_id, authority_user_id, barrier = args
    from django.db import connection  # forked after django.setup(); the connection was closed before
    from tests.testapp.models import Widget

    from infogov.core.workflow.engine import fire
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

    ct = widget_ct()
    events = DocketEvent.objects.filter(case_type_id=ct, action__in=["submit", "approve", "reject"]).count()
    obligations = Obligation.objects.filter(case_type_id=ct).count()
    fulfilled = Obligation.objects.filter(case_type_id=ct, fulfilled_at__isnull=False).count()
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

    from infogov.core.workflow.engine import fire
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
            "WHERE case_type_id = %s AND action IN ('submit', 'approve', 'reject') ORDER BY id",
            [widget_ct()],
        ).fetchall()
        conn.execute("DROP TABLE IF EXISTS bench_docket_raw")
        conn.execute("CREATE TABLE bench_docket_raw (LIKE core_docketevent INCLUDING ALL)")
        # a copy of a 5-million-row table's indexes but empty: the ceiling is measured on an empty
        # table, the engine on the full docket (its indexes are deeper); said in the details
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


# -- scenario: duplicate-construction detection ------------------------------------------------------


def similarity_scenario() -> dict[str, Any]:
    """Duplicate-construction detection as a submission runs it: similarity.find_similar, top 10,
    through the database's index (similarity_index), for ~100 random projects of the province; the
    index built first (timed: what `manage.py similarity_reindex` does after a bulk load). Next to it
    the peer: the same comparison computed from scratch over the candidates (TF-IDF over them)."""
    import random

    from infogov.projects import similarity_index
    from infogov.projects.models import Project
    from infogov.projects.similarity import (
        THRESHOLD,
        candidate_scope,
        evaluate_on_labelled_set,
        find_similar,
        find_similar_exhaustive,
    )

    build = similarity_index.rebuild()
    rng = random.Random(7)
    ids = list(Project.objects.exclude(state="draft").values_list("id", flat=True))
    sample = list(
        Project.objects.filter(pk__in=rng.sample(ids, 100))
        .only("id", "state", "jurisdiction_id")
        .order_by("id")
    )
    threshold = THRESHOLD
    times, found, city_times = [], [], []
    for p in sample:
        p = Project.objects.get(pk=p.pk)
        t1 = time.perf_counter()
        top = find_similar(p, limit=10)
        ms = (time.perf_counter() - t1) * 1000
        times.append(ms)
        found.append(len(top))
        if candidate_scope(p) is None or p.jurisdiction.kind == "city":
            city_times.append(ms)
    times.sort()
    p50 = statistics.median(times)

    # the index against the definition computed from scratch over candidates_for() (the same idf):
    # the hits at or above the threshold among the top 10 must be the same
    agree = 0
    checked = sample[:10]
    old_hits = new_hits = shared = 0
    for p in checked:
        p = Project.objects.get(pk=p.pk)
        by_index = [(h["project"] or h["system"], h["score"]) for h in find_similar(p, limit=10)]
        # compared by score, so that ties at the tenth place may fall either way
        agree += [round(s, 9) for _, s in by_index] == _exhaustive(p, threshold)
        # and against the peer (idf of the candidates alone): how many of its hits the index reports
        old = {
            (type(h["project"] or h["system"]).__name__, (h["project"] or h["system"]).pk)
            for h in find_similar_exhaustive(p, limit=10)
        }
        new = {(type(o).__name__, o.pk) for o, _ in by_index}
        old_hits, new_hits, shared = old_hits + len(old), new_hits + len(new), shared + len(old & new)
    quality = evaluate_on_labelled_set()

    # the peer: the comparison from scratch, for one project of 吉林市 (the largest candidate set)
    peer_ms = []
    for p in Project.objects.filter(jurisdiction__code="220200").exclude(state="draft").order_by("id")[:1]:
        t1 = time.perf_counter()
        find_similar_exhaustive(p)
        peer_ms.append((time.perf_counter() - t1) * 1000)
    return scenario(
        "duplicate_detection",
        p50,
        "ms p50 (top 10)",
        round(statistics.median(peer_ms), 1) if peer_ms else None,
        50,
        "a submission's top-10 among the province's projects p50 ≤ 50 ms",
        p50 <= 50,
        ceiling_what="peer: similarity.find_similar_exhaustive for one 吉林市 project "
        "(TF-IDF over its candidates, from scratch), ms",
        path="similarity.find_similar (index brought up to date, SQL over the query's words, exact rerank)",
        sampled=len(times),
        p90_ms=round(times[int(len(times) * 0.9)], 2),
        max_ms=round(times[-1], 2),
        city_level_p50_ms=round(statistics.median(city_times), 2) if city_times else None,
        hits_at_threshold_mean=round(statistics.mean(found), 2),
        index_build_s=build.seconds,
        index_build_phases=build.phases,
        documents_indexed=build.documents,
        vocabulary=build.words,
        postings=build.postings,
        # precision and recall on the labelled set (projects/data/duplicate_pairs.yaml) at the
        # threshold, and the measure before (jieba words alone, no synonyms, threshold 0.32)
        labelled_set_precision=quality["fused"]["precision"],
        labelled_set_recall=quality["fused"]["recall"],
        labelled_set=quality,
        index_agrees_with_exhaustive=f"{agree}/{len(checked)}",
        peer_hits_found_by_index=f"{shared}/{old_hits} (index reports {new_hits})",
    )


def _exhaustive(project: Any, threshold: float) -> list[float]:
    """The scores of find_similar's top 10 by its definition, from scratch: every candidate of
    candidates_for() scored against the proposal with the index's word frequencies."""
    from django.db import connection

    from infogov.projects import similarity_index as ix
    from infogov.projects.similarity import candidates_for

    projects, systems = candidates_for(project)
    texts = [p.similarity_text() for p in projects] + [ix.system_text(s.name, s.description) for s in systems]
    counts = [ix.term_counts(t) for t in texts]
    query = ix.term_counts(project.similarity_text())
    with connection.cursor() as cur:
        df, n = ix.frequencies(cur, {t for c in counts for t in c} | set(query))
    q = ix.weights(query, df, n)
    scored = []
    for c in counts:
        w = ix.weights(c, df, n)
        scored.append(sum(x * w.get(t, 0.0) for t, x in q.items()))
    scored.sort(reverse=True)
    return [round(s, 9) for s in scored[:10] if s >= threshold]


# -- scenario: docket_verify ---------------------------------------------------------------------


def _raw_hash_part(args: tuple[str, int, int]) -> int:
    """The ceiling's worker: the rows verify's workers read, read the same way (COPY through libpq, in
    blocks, the same session settings), and one sha256 per row, nothing else."""
    import psycopg

    from infogov.core.docket.verify_base import _pg_select
    from infogov.core.docket.verify_copy import _pg_blocks

    url, lo, hi = args
    sha, hexdigest = hashlib.sha256, type(hashlib.sha256()).hexdigest
    n = 0
    with psycopg.connect(url) as conn:
        conn.execute("SET enable_hashjoin = off")
        conn.execute("SET max_parallel_workers_per_gather = 0")
        for block in _pg_blocks(conn.pgconn, _pg_select(lo, hi)):
            lines = block.split(b"\n")
            lines.pop()
            n += len(list(map(hexdigest, map(sha, lines))))
    return n


def docket_verify() -> dict[str, Any]:
    """core.docket.verify() over every event (chains, seals, seal chain), next to fetching the same
    rows the same way and hashing each with hashlib in the same number of processes."""
    from django.db.models import Max, Min

    from infogov.core.docket.chain import DocketEvent, DocketSeal, seal_pending
    from infogov.core.docket.verify import _ranges, default_workers, verify

    while seal_pending() is not None:
        pass
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        report = verify()
        runs.append(time.perf_counter() - t0)
        assert report.ok, report.broken
    value = report.events / statistics.median(runs)
    b = DocketEvent.objects.aggregate(lo=Min("id"), hi=Max("id"))
    seals = [(s.id, s.first_event_id, s.last_event_id) for s in DocketSeal.objects.all()]
    ranges = _ranges(b["lo"], b["hi"], seals, default_workers(b["hi"] - b["lo"] + 1))  # as verify() splits
    t0 = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(len(ranges)) as pool:
        n = sum(pool.map(_raw_hash_part, [(DB_URL, lo, hi) for lo, hi in ranges]))
    ceiling = n / (time.perf_counter() - t0)
    return scenario(
        "docket_verify",
        value,
        "events/s",
        ceiling,
        200_000,
        "≥ 200,000 events/s",
        value >= 200_000,
        ceiling_what=(
            f"the same rows by COPY in {len(ranges)} processes, read as verify's workers read them, "
            "one sha256 per row, nothing else"
        ),
        events=report.events,
        cases=report.cases,
        seals=report.seals,
        processes=len(ranges),
        runs_s=[round(r, 2) for r in runs],
    )


# -- pending scenarios ---------------------------------------------------------------------------

PENDING: list[tuple[str, str, str, str]] = []


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
    if isinstance(x, float) and abs(x) < 10:
        return f"{x:.3f}"
    return f"{x:,.0f}" if isinstance(x, int | float) else str(x)


def table(scenarios: list[dict[str, Any]]) -> str:
    head = ("scenario", "figure", "unit", "ceiling/peer", "ratio", "goal", "met")
    rows = [head]
    for s in scenarios:
        if s.get("pending") or s.get("skipped"):
            rows.append(
                (
                    s["name"],
                    "pending" if s.get("pending") else "skipped",
                    s["unit"],
                    "—",
                    "—",
                    "—",
                    s["reason"][:90],
                )
            )
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
    widths = [max(len(str(r[i])) for r in rows) for i in range(6)]
    lines = []
    for k, r in enumerate(rows):
        lines.append("  ".join(str(c).ljust(widths[i]) if i < 6 else str(c) for i, c in enumerate(r)))
        if k == 0:
            lines.append("-" * (sum(widths) + 2 * 6 + 3))
    return "\n".join(lines)


def main() -> int:
    started = time.perf_counter()
    scenarios: list[dict[str, Any]] = []
    load_before = os.getloadavg()
    log(
        f"infogov bench — {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {load_before[0]:.2f} (other work on this machine slows every figure)"
    )
    data: dict[str, Any] = {}
    problem = pg_available()
    if problem:
        log(f"PostgreSQL unavailable at {DB_URL} ({problem}): the PostgreSQL scenarios are skipped")
        for name, unit in (
            ("project_list_api", "req/s"),
            ("transitions", "transitions/s"),
            ("docket_verify", "events/s"),
        ):
            scenarios.append(skipped(name, unit, "PostgreSQL unavailable"))
    else:
        setup_django()
        data = ensure_data()
        from django.db import connection

        server = connection.cursor().connection.info.server_version
        log(f"  PostgreSQL {server // 10000}.{server % 10000}")
        logins = data["counts"]["logins"]
        from bench.exchange import exchange_scale_scenarios, exchange_scenario
        from bench.imports import import_scenario
        from bench.inbox import inbox_scenario
        from bench.security import security_overview_scenario

        steps: list[tuple[str, Any]] = [
            ("http", lambda: http_scenarios(logins)),
            ("inbox", lambda: [inbox_scenario(logins, scenario)]),
            ("security_overview", lambda: [security_overview_scenario(logins, scenario)]),
            ("exchange_streaming", lambda: [exchange_scenario(scenario)]),
            ("exchange_scale", lambda: exchange_scale_scenarios(scenario, streaming=False)),
            ("duplicate_detection", lambda: [similarity_scenario()]),
            ("excel_import", lambda: [import_scenario(scenario)]),
            ("docket_verify", lambda: [docket_verify()]),
            ("transitions", lambda: [transitions(world())]),
        ]
        for name, fn in steps:
            if ONLY and name not in ONLY:
                continue
            t0 = time.perf_counter()
            try:
                got = fn()
            except Exception as exc:
                import traceback

                traceback.print_exc()
                got = [skipped(name, "—", f"failed: {type(exc).__name__}: {exc}")]
            finally:
                if name == "transitions":
                    cleanup_transitions()
            for s in got:
                if "ratio" not in s:
                    ok = isinstance(s.get("value"), int | float) and s.get("ceiling")
                    s["ratio"] = round(s["value"] / s["ceiling"], 4) if ok else None
                scenarios.append(s)
                if not (s.get("pending") or s.get("skipped")):
                    log(f"  {s['name']}: {fmt(s['value'])} {s['unit']} (ceiling/peer {fmt(s['ceiling'])})")
            log(f"  [{name} took {time.perf_counter() - t0:.0f} s]")
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
        "data": {k: v for k, v in data.items() if k != "counts"}
        | {"counts": {k: v for k, v in data.get("counts", {}).items() if k != "logins"}},
        "seconds": round(time.perf_counter() - started, 1),
        "scenarios": scenarios,
    }
    RESULTS.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    log("")
    log(table(scenarios))
    gen = data.get("seconds")
    if gen is not None:
        log(
            f"\ndata: {SCALE} (seed {SEED}), generated in {gen:.0f} s"
            + ("" if data.get("generated_now") else " (earlier run; reused)")
        )
    log(f"wrote {RESULTS.relative_to(ROOT)} in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
