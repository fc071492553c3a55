"""Every query of the project list, the project page and the authority's overview uses an index on
the tables that grow with the cases — checked with EXPLAIN on PostgreSQL over generated data of
province-like proportions (20,000 projects with their records, docket and duties, ANALYZEd).

Small reference tables are allowed a sequential scan, by design: the planner reads a table of a few
pages whole rather than probing an index (org_jurisdiction: ~120 rows in a province; org_user and
org_organisation: a few thousand, joined by hash to a case's docket of ~50 events; django_session,
django_content_type, the standards catalogue, and tables that are empty in the generated data).
"""

from __future__ import annotations

import json
import urllib.parse

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from infogov.core.api.tokens import token_create
from infogov.datagen import runner as generate
from infogov.org.models import Jurisdiction, User
from infogov.projects.models import Project

pytestmark = pytest.mark.postgres

# tables that grow with the cases: never read whole by these pages (when they hold data at all:
# an empty table is read whole)
LARGE = {
    "projects_project",
    "core_docketevent",
    "core_obligation",
    "core_docketsealentry",
    "projects_progressreport",
    "projects_disbursement",
    "projects_reviewfinding",
    "projects_procurementrecord",
    "projects_projectreview",
    "projects_testreport",
    "projects_acceptance",
    "projects_informationsystem",
    "core_attachment",
}


def seq_scans(plan: dict) -> list[tuple[str, float]]:
    found = []
    if plan.get("Node Type") == "Seq Scan":
        found.append((plan["Relation Name"], plan.get("Plan Rows", 0)))
    for child in plan.get("Plans", []):
        found.extend(seq_scans(child))
    return found


def plans_of(client: Client, path: str, **headers: str) -> list[tuple[str, list[tuple[str, float]]]]:
    client.get(path, **headers)  # warm caches (content types), so that only the page's own queries count
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, **headers)
    assert response.status_code == 200, (path, response.status_code)
    out = []
    with connection.cursor() as cur:
        cur.execute("SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples < 1000")
        small = {name for (name,) in cur.fetchall()}
        for q in ctx.captured_queries:
            sql = q["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cur.execute("EXPLAIN (FORMAT JSON) " + sql)
            raw = cur.fetchone()[0]
            plan = (raw if isinstance(raw, list) else json.loads(raw))[0]["Plan"]
            out.append((sql, [(t, rows) for t, rows in seq_scans(plan) if t not in small]))
    return out


@pytest.mark.django_db
def test_list_detail_and_overview_use_indexes():
    if connection.vendor != "postgresql":
        pytest.skip(
            "EXPLAIN checks need PostgreSQL (DATABASE_URL=postgres://…); SQLite plans are not production's"
        )
    # the province's shape (ten cities) at a fifth of its projects: 吉林市's authority sees a tenth
    spec = generate.spec_for("province", projects=20_000, events=20_000 * 48)
    report = generate.generate(spec, seed=11)  # ends with ANALYZE
    logins = report.logins
    city_path = Jurisdiction.objects.get(code="220200").path
    assert Project.objects.filter(jurisdiction__path__startswith=city_path).count() < 3_000
    city_user = User.objects.get(pk=logins["city_authority"])
    _, token = token_create(user=city_user, name="explain")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    client = Client()
    client.force_login(city_user)
    mine = Project.objects.filter(jurisdiction__path__startswith=city_path)
    project = mine.filter(state="construction", funding_kind="fiscal").order_by("id").first()
    delivered = mine.filter(state="delivered").order_by("id").first()
    pages = [
        ("/api/projects/?year=2023&funding_kind=fiscal&page_size=50", auth),
        ("/api/projects/?page_size=50", auth),
        ("/api/projects/?text=" + urllib.parse.quote("政务") + "&page_size=50", auth),
        ("/api/projects/?text=" + urllib.parse.quote("医保") + "&page_size=50", auth),
        (f"/api/projects/{project.pk}", auth),
        (f"/api/projects/{project.pk}/docket", auth),
        (f"/projects/{project.pk}/", {}),
        (f"/projects/{delivered.pk}/", {}),
        ("/projects/overview/", {}),
    ]
    problems = []
    for path, headers in pages:
        for sql, scans in plans_of(client, path, **headers):
            bad = [(t, rows) for t, rows in scans if t in LARGE]
            if bad:
                problems.append(f"{path}: {bad} in {sql[:300]}")
    assert not problems, "\n".join(problems)
