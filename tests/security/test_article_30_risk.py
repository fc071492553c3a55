"""第三十条第一款: risk assessment (GB/T 20984-2022), backups, emergency plans and drills, responsibility."""

from __future__ import annotations

import datetime as dt

import pytest

from infogov.core.errors import RuleViolation
from infogov.core.models import Obligation
from infogov.core.regulation.policy import override_policy
from infogov.security import selectors, services
from infogov.security.models import Risk
from infogov.security.policies import DRILL_PERIOD
from tests.conftest import fresh

from .conftest import D, filed_system, fire, register

pytestmark = [pytest.mark.django_db, pytest.mark.article(30)]


ASSESSED_ON = D(2026, 2, 1)


def assessment(on: dt.date = ASSESSED_ON, risks: list | None = None) -> dict:
    return {
        "assessed_on": on.isoformat(),
        "assets": "网格事件数据库、应用服务器",
        "threats": "勒索软件、越权访问",
        "vulnerabilities": "弱口令、补丁滞后",
        "existing_measures": "边界防火墙",
        "risks": risks if risks is not None else [],
    }


HIGH = {"name": "勒索软件加密业务数据", "likelihood": 4, "impact": 5, "treatment": "accept"}


def test_a_risk_assessment_with_an_untreated_high_risk_shows_on_the_overview(world):
    land = world.yongji
    system = filed_system(world)
    fire(
        system,
        "record_risk_assessment",
        land.dept_user,
        assessment(risks=[HIGH, {"name": "机房断电", "likelihood": 2, "impact": 3}]),
    )
    risk = Risk.objects.get(name=HIGH["name"])
    assert risk.value == 20 and risk.is_high
    for who in (land.dept_user, land.authority_user, world.city.authority_user):
        ov = selectors.overview(fresh(who))
        assert ov.high_risk_count == 1 and ov.high_risks[0].pk == risk.pk
    assert selectors.overview(fresh(world.jiaohe.authority_user)).high_risk_count == 0  # another county
    fire(
        system,
        "treat_risk",
        land.dept_user,
        {"risk_id": risk.pk, "treated_on": "2026-03-01", "residual_likelihood": 2, "residual_impact": 3},
    )
    assert Risk.objects.get(pk=risk.pk).residual == 6
    assert selectors.overview(fresh(land.authority_user)).high_risk_count == 0
    with pytest.raises(RuleViolation) as exc:
        fire(
            system,
            "treat_risk",
            land.dept_user,
            {"risk_id": risk.pk, "treated_on": "2026-03-02", "residual_likelihood": 1, "residual_impact": 1},
        )
    assert exc.value.code == "A30-1-RISK-OPEN"


def test_a_high_risk_needs_a_treatment_and_a_reduction_an_owner_and_due_date(world):
    system = filed_system(world)
    untreated = {"name": "数据泄露", "likelihood": 5, "impact": 4}
    with pytest.raises(RuleViolation) as exc:
        fire(system, "record_risk_assessment", world.yongji.dept_user, assessment(risks=[untreated]))
    assert exc.value.code == "A30-1-RISK-TREATMENT" and "数据泄露" in exc.value.message
    ownerless = {**untreated, "treatment": "reduce"}
    with pytest.raises(RuleViolation) as exc:
        fire(system, "record_risk_assessment", world.yongji.dept_user, assessment(risks=[ownerless]))
    assert "责任人和期限" in exc.value.message


def test_the_risk_assessment_recurs_from_its_own_date(world):
    land = world.yongji
    system = filed_system(world)  # graded 2025-03-01: the first assessment was due 2026-03-01
    fire(system, "record_risk_assessment", land.dept_user, assessment(on=D(2026, 2, 1)))
    open_ = Obligation.objects.for_case(system).open().filter(code="sec-risk-assessment")
    assert list(open_.values_list("due_date", flat=True)) == [D(2027, 2, 1)]


def test_backup_with_a_restore_test_in_the_future_is_refused(world):
    system = register(world.yongji)
    payload = {
        "backup_scope": "业务数据库全量",
        "backup_frequency": "每日",
        "backup_location": "政务云异地备份区",
    }
    later = dt.date.today() + dt.timedelta(days=1)
    with pytest.raises(RuleViolation) as exc:
        fire(
            system,
            "record_backup",
            world.yongji.dept_user,
            {**payload, "last_restore_test": later.isoformat()},
        )
    assert exc.value.code == "A30-1-RESTORE-TEST"
    system = fire(
        system, "record_backup", world.yongji.dept_user, {**payload, "last_restore_test": "2026-06-01"}
    )
    assert system.last_restore_test == D(2026, 6, 1)


def test_plans_and_drills_recur_and_a_level_three_system_without_them_is_flagged(world):
    land = world.yongji
    system = filed_system(world)
    today = D(2026, 12, 3)
    visible = selectors.systems(fresh(land.authority_user))
    assert system.pk in {s.pk for s in selectors.flagged_without_plan_or_drill(visible, today)}
    fire(
        system,
        "record_emergency_plan",
        land.dept_user,
        {
            "approved_on": "2026-05-01",
            "scenarios": "勒索软件；机房断电",
            "roles": "应急领导小组",
            "contacts": "值班电话 0432-12345678",
            "rto_hours": "4",
            "rpo_hours": "1",
        },
    )
    with override_policy(DRILL_PERIOD, "P6M"):
        fire(
            system,
            "record_drill",
            land.dept_user,
            {"held_on": "2026-06-15", "scenario": "勒索软件", "participants": "信息中心、网安支队"},
        )
    assert system.pk not in {s.pk for s in selectors.flagged_without_plan_or_drill(visible, today)}
    due = dict(
        Obligation.objects.for_case(system)
        .open()
        .filter(code__in=["sec-plan-review", "sec-drill"])
        .values_list("code", "due_date")
    )
    assert due == {"sec-plan-review": D(2027, 5, 1), "sec-drill": D(2026, 12, 15)}


def test_the_responsibility_is_reviewed_yearly(world):
    land = world.yongji
    resp = services.responsibility_create(user=fresh(land.dept_user))
    payload = {
        "leader": "局长 王明",
        "officer": "信息科 赵丽",
        "officer_contact": "0432-66666666",
        "responsibilities": "主要负责人为第一责任人……",
        "reviewed_on": "2025-12-01",
    }
    resp = fire(resp, "establish", land.dept_user, payload)
    assert list(Obligation.objects.for_case(resp).open().values_list("due_date", flat=True)) == [
        D(2026, 12, 1)
    ]
    fire(resp, "review", land.dept_user, {**payload, "reviewed_on": "2026-11-20"})
    assert list(Obligation.objects.for_case(resp).open().values_list("due_date", flat=True)) == [
        D(2027, 11, 20)
    ]
