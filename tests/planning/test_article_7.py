"""第七条: annual execution reports of local and special plans (obligations in 我的待办), the city
authority's inspections and scores, and the assessment table (Excel and JSON)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from infogov.core.errors import NotPermitted, RuleViolation
from infogov.core.models import Obligation
from infogov.core.workflow.obligations import todo_for
from infogov.planning import assessment, services
from infogov.planning.choices import PlanLevel
from infogov.planning.models import Inspection, PlanScore
from tests.conftest import fresh

pytestmark = [pytest.mark.django_db, pytest.mark.article(7)]
CENT = Decimal("0.01")


@pytest.fixture
def supervised(pw):
    w = pw.world
    city = pw.city_plan_in_force()
    local = pw.to_in_force(pw.draft(PlanLevel.LOCAL, w.yongji))
    special = pw.to_in_force(pw.draft(PlanLevel.SPECIAL, w.city))
    return city, local, special


def test_execution_obligations_appear_in_the_owners_todo(pw, supervised):
    city, local, special = supervised
    w = pw.world
    year = dt.date.today().year
    services.execution_obligations_open(year=year)  # idempotent: enact already opened this year's
    code = services.execution_code(year)
    due = dt.date(year + 1, 1, 31)
    mine = list(todo_for(fresh(w.yongji.authority_user)).filter(code=code))
    assert [(o.case_id, o.due_date, o.citation) for o in mine] == [(local.pk, due, "第七条")]
    assert mine[0].owed_to == w.city.authority
    dept = list(todo_for(fresh(w.city.dept_user)).filter(code=code))
    assert [o.case_id for o in dept] == [special.pk]
    # the city plan owes no execution report (第七条 names local and special plans)
    assert not Obligation.objects.for_case(city).filter(code__startswith="plan-execution-").exists()
    # the yearly run opens next year's once
    assert services.execution_obligations_open(year=year + 1) == 2
    assert services.execution_obligations_open(year=year + 1) == 0


def test_overdue_report_shows_overdue_and_a_report_fulfils_it(pw, supervised):
    _, local, _ = supervised
    w = pw.world
    services.execution_obligation_open(version=local, year=2026)
    ob = Obligation.objects.for_case(local).get(code="plan-execution-2026")
    assert ob.due_date == dt.date(2027, 1, 31)
    assert ob.is_overdue(today=dt.date(2027, 2, 1)) and not ob.is_overdue(today=dt.date(2027, 1, 31))
    assert Obligation.objects.overdue(today=dt.date(2027, 2, 1)).filter(pk=ob.pk).exists()
    tasks = list(local.tasks.all())
    report = services.execution_report_submit(
        version=local,
        user=w.yongji.authority_user,
        year=2026,
        summary="总体进展顺利",
        progress=[{"task_id": t.pk, "actual_value": "40", "note": ""} for t in tasks],
    )
    ob.refresh_from_db()
    assert not ob.is_open and ob.fulfilled_by.action == "execution_report"
    assert report.progress.count() == len(tasks)
    with pytest.raises(RuleViolation) as exc:
        services.execution_report_submit(version=local, user=w.yongji.authority_user, year=2026, progress=[])
    assert (exc.value.code, exc.value.article) == ("A7-REPORT-ONCE", "第七条")


def test_only_the_owner_reports_and_only_on_supervised_plans(pw, supervised):
    city, local, _ = supervised
    w = pw.world
    with pytest.raises(NotPermitted):
        services.execution_report_submit(version=local, user=w.jiaohe.authority_user, year=2026, progress=[])
    with pytest.raises(RuleViolation) as exc:
        services.execution_report_submit(version=city, user=w.city.authority_user, year=2026, progress=[])
    assert exc.value.article == "第七条"


def test_inspection_scoring_and_assessment_export(pw, supervised):
    _, local, special = supervised
    w = pw.world
    auth = w.city.authority_user
    with pytest.raises(NotPermitted) as exc:  # a county authority does not inspect
        services.inspections_sample(user=w.yongji.authority_user, year=2026)
    assert exc.value.article == "第七条"
    made = services.inspections_sample(user=auth, year=2026)
    assert {i.version_id for i in made} == {local.pk, special.pk}
    # local plan: reported on time, reached 40 % of the whole target by 2026 (expected 1/3) → full marks there
    services.execution_report_submit(
        version=local,
        user=w.yongji.authority_user,
        year=2026,
        progress=[
            {
                "task_id": t.pk,
                "actual_value": str((t.target_value * Decimal("0.4")).quantize(Decimal("0.01"))),
            }
            for t in local.tasks.all()
        ],
    )
    inspection = Inspection.objects.get(version=local, year=2026)
    services.inspection_record(
        inspection=inspection,
        user=auth,
        conclusion="基本按计划推进",
        findings=[{"severity": "general", "text": "台账不完整"}],
    )
    # special plan: no report at all, one serious finding
    services.inspection_record(
        inspection=Inspection.objects.get(version=special, year=2026),
        user=auth,
        findings=[{"severity": "serious", "text": "未按规划建设"}],
    )
    assert services.scores_compute(user=auth, year=2026, today=dt.date(2027, 3, 1)) == 2
    local_score = PlanScore.objects.get(version=local, year=2026)
    assert (local_score.indicator_score, local_score.timeliness_score, local_score.findings_score) == (
        Decimal("60.00"),
        Decimal("20.00"),
        Decimal("15.00"),
    )
    assert local_score.total == Decimal("95.00")
    special_score = PlanScore.objects.get(version=special, year=2026)
    assert special_score.total == Decimal("10.00")  # 0 + 0 + (20 − 10)

    data = assessment.assessment_json(2026)
    by_subject = {r["考核对象"]: r for r in data["rows"]}
    assert by_subject["永吉县"]["总分"] == 95.0
    assert by_subject["蛟河市"]["总分"] == 0 and "无施行中" in by_subject["蛟河市"]["说明"]
    assert by_subject[w.city.department.name]["总分"] == 10.0
    # every jurisdiction and every department is listed
    assert {"永吉县", "蛟河市", w.city.department.name, w.yongji.department.name, w.city.finance.name} <= set(
        by_subject
    )
    wb = load_workbook(io.BytesIO(assessment.assessment_xlsx(2026)))
    ws = wb.worksheets[0]
    header = [c.value for c in ws[2]]
    assert header == assessment.COLUMNS
    rows = {r[1]: r for r in ws.iter_rows(min_row=3, values_only=True)}
    assert rows["永吉县"][8] == 95.0
    assert wb.worksheets[1]["A2"].value == "指标完成情况"


def test_late_report_loses_timeliness_points(pw, supervised):
    _, local, _ = supervised
    from infogov.planning.models import ExecutionReport

    services.execution_report_submit(
        version=local, user=pw.world.yongji.authority_user, year=2026, progress=[]
    )
    ExecutionReport.objects.filter(version=local).update(due_date=dt.date.today() - dt.timedelta(days=10))
    s = assessment.score_version(local, 2026)
    assert s.timeliness == Decimal(10) and s.indicator == Decimal("0.00") and s.findings == Decimal(20)


def test_the_yearly_task_opens_last_years_reports(pw, supervised):
    from infogov.core.tasks import HUEY
    from infogov.planning import tasks

    assert "plan_execution_obligations" in {t.name for t in HUEY._registry.periodic_tasks}
    year = dt.date.today().year - 1
    assert tasks.plan_execution_obligations.call_local() == 2  # the local and the special plan
    assert (
        Obligation.objects.filter(
            code=services.execution_code(year), due_date=dt.date(year + 1, 1, 31)
        ).count()
        == 2
    )
