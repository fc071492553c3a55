"""第七条 with 第六条第二款: the year's assessment scores the versions in force during the year, weighted by
the days each was in force; a superseded version is not marked down for a report it can no longer file;
a computation before the year's reports are due is provisional and names the reports still to come. And
the deadlines the regulation does not set (the report's due date, the consultation window) are policy."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from infogov.core.errors import DomainError, RuleViolation
from infogov.core.regulation.policy import override_policy
from infogov.planning import assessment, services
from infogov.planning.choices import PlanLevel, PlanState
from infogov.planning.deadlines import CONSULTATION_MIN_DAYS, EXECUTION_REPORT_DUE, execution_due_date
from infogov.planning.models import PlanScore, PlanVersion

pytestmark = [pytest.mark.django_db, pytest.mark.article(7)]


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9)))


def test_days_in_force_count_the_part_of_the_year_before_the_successor(pw):
    v = PlanVersion(in_force_at=_aware(dt.date(2025, 12, 1)), superseded_at=_aware(dt.date(2026, 7, 1)))
    assert assessment.days_in_force(v, 2026) == 181  # 1 January … 30 June
    successor = PlanVersion(in_force_at=_aware(dt.date(2026, 7, 1)))
    assert assessment.days_in_force(successor, 2026) == 184  # 1 July … 31 December
    assert assessment.days_in_force(PlanVersion(), 2026) == 0  # never in force


def test_a_changed_plan_is_weighted_by_time_in_force_not_averaged(pw):
    w = pw.world
    pw.city_plan_in_force()  # 第五条第二款: a local plan rests on the city plan
    old = pw.to_in_force(pw.draft(PlanLevel.LOCAL, w.yongji))
    # the two versions of one plan in 2026: the old one half a year, with no report (it can no longer file
    # one), the new one the other half, reported on time with full indicators, neither inspected
    a = PlanScore(
        version=old,
        year=2026,
        indicator_score=Decimal(0),
        timeliness_score=Decimal(0),
        findings_score=Decimal(10),
        total=Decimal(10),
        detail={"days_in_force": 181, "report_items_count": False},
    )
    b = PlanScore(
        version=old,
        year=2026,
        indicator_score=Decimal(60),
        timeliness_score=Decimal(20),
        findings_score=Decimal(20),
        total=Decimal(100),
        detail={"days_in_force": 184, "report_items_count": True},
    )
    indicator, timeliness, findings = assessment.plan_items([a, b])
    assert (indicator, timeliness) == (Decimal("60.00"), Decimal("20.00"))  # not 30 and 10 (a plain average)
    assert findings == Decimal("15.04")  # (181 × 10 + 184 × 20) / 365
    # a version that filed its report counts its report items, by its days
    a.detail["report_items_count"] = True
    assert assessment.plan_items([a, b])[0] == Decimal("30.25")  # 184 × 60 / 365


def test_the_superseded_version_loses_no_points_for_the_report_it_cannot_file(pw):
    w = pw.world
    pw.city_plan_in_force()  # 第五条第二款: a local plan rests on the city plan
    old = pw.to_in_force(pw.draft(PlanLevel.LOCAL, w.yongji))
    user = pw.owner_user(old)
    new = services.plan_change_request(
        version=old, user=user, reason="国家出台新的数字政府建设要求（特殊情况）"
    )
    new = pw.to_in_force(PlanVersion.objects.get(pk=new.pk))
    old.refresh_from_db()
    assert old.state == PlanState.SUPERSEDED
    year = timezone.localdate().year
    with pytest.raises(DomainError):  # 第七条 reports come from the version in force (409: not in its state)
        services.execution_report_submit(version=old, user=user, year=year, progress=[])
    services.execution_report_submit(
        version=new,
        user=user,
        year=year,
        progress=[{"task_id": t.pk, "actual_value": str(t.target_value)} for t in new.tasks.all()],
    )
    services.scores_compute(user=w.city.authority_user, year=year, today=execution_due_date(year))
    old_score = PlanScore.objects.get(version=old, year=year)
    assert old_score.detail["report_items_count"] is False
    new_score = PlanScore.objects.get(version=new, year=year)
    row = {r["考核对象"]: r for r in assessment.assessment_rows(year)}["永吉县"]
    assert row["报送及时性得分"] == float(new_score.timeliness_score) == 20.0
    assert row["指标完成得分"] == float(new_score.indicator_score)
    assert row["总分"] > float(old_score.total)


def test_a_computation_before_the_reports_are_due_is_provisional_and_names_them(pw):
    w = pw.world
    pw.city_plan_in_force()
    local = pw.to_in_force(pw.draft(PlanLevel.LOCAL, w.yongji))
    auth = w.city.authority_user
    services.scores_compute(user=auth, year=2026, today=dt.date(2027, 1, 15))  # due 31 January 2027
    score = PlanScore.objects.get(version=local, year=2026)
    assert score.detail["provisional"] is True
    data = assessment.assessment_json(2026)
    assert data["provisional"] is True
    assert data["pending_reports"] == [f"{local.reference} 2026年度执行情况（2027-01-31前报送）"]
    row = {r["考核对象"]: r for r in data["rows"]}["永吉县"]
    assert "暂定" in row["说明"] and local.reference in row["说明"]
    # after the due date the same computation is final
    services.scores_compute(user=auth, year=2026, today=dt.date(2027, 2, 1))
    assert assessment.assessment_json(2026)["provisional"] is False
    assert "暂定" not in {r["考核对象"]: r for r in assessment.assessment_rows(2026)}["永吉县"]["说明"]


def test_the_report_due_date_is_platform_policy(pw):
    assert execution_due_date(2026) == dt.date(2027, 1, 31)
    assert EXECUTION_REPORT_DUE.note == "平台规定（依据第七条设定）"
    with override_policy(EXECUTION_REPORT_DUE, "3月1日"):
        assert execution_due_date(2026) == dt.date(2027, 3, 1)


@pytest.mark.article(6)
def test_the_consultation_window_is_platform_policy(pw):
    v = pw.draft(PlanLevel.CITY)
    start = timezone.localdate() + dt.timedelta(days=1)
    payload = {"start": start.isoformat(), "end": (start + dt.timedelta(days=9)).isoformat()}
    from infogov.core.workflow import engine as wf

    with override_policy(CONSULTATION_MIN_DAYS, 10), pytest.raises(RuleViolation) as exc:
        wf.fire(v, "open_consultation", user=pw.owner_user(v), payload=payload)
    assert exc.value.code == "A6-1-WINDOW" and "平台规定（依据第六条第一款设定）" in exc.value.message
    assert "10" in exc.value.message
    v = wf.fire(PlanVersion.objects.get(pk=v.pk), "open_consultation", user=pw.owner_user(v), payload=payload)
    assert v.state == PlanState.CONSULTATION
