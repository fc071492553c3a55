"""第三十二条: the city authority's inspections, hidden dangers, rectification and verification."""

from __future__ import annotations

import pytest

from infogov.core.errors import NotPermitted, RuleViolation
from infogov.core.models import Obligation
from infogov.security import selectors, services
from infogov.security.models import HiddenDanger
from tests.conftest import fresh

from .conftest import fire, register

pytestmark = [pytest.mark.django_db, pytest.mark.article(32)]


def plan(world):
    return services.inspection_plan(
        user=fresh(world.city.authority_user),
        title="2026年重点领域网络与信息系统安全检查",
        scope="政务、医疗卫生领域三级以上信息系统",
        inspectors="市工信局、市公安局网安支队、市委网信办",
    )


def test_only_the_city_authority_plans_inspections(world):
    with pytest.raises(NotPermitted) as exc:
        services.inspection_plan(user=fresh(world.yongji.authority_user), title="县级检查", scope="全县")
    assert exc.value.code == "A32-1-CITY" and exc.value.article == "第三十二条"
    assert plan(world).owner == world.city.authority


def test_a_hidden_danger_rectified_and_verified_another_returned(world):
    land, city = world.yongji, world.city
    system = register(land)
    inspection = fire(plan(world), "start", city.authority_user)
    for text in ("数据库端口暴露在互联网", "未开启审计日志"):
        fire(
            inspection,
            "record_danger",
            city.authority_user,
            {
                "system_id": system.pk,
                "found_on": "2026-11-02",
                "description": text,
                "severity": "较大",
                "deadline": "2026-11-30",
            },
        )
    first, second = HiddenDanger.objects.order_by("pk")
    ob = Obligation.objects.for_case(inspection).get(code=first.duty_code)
    assert ob.owed_by == land.department
    for d in (first, second):
        fire(
            system,
            "answer_danger",
            land.dept_user,
            {"danger_id": d.pk, "answered_on": "2026-11-20", "answer": "已整改"},
        )
    fire(
        inspection,
        "verify_danger",
        city.authority_user,
        {"danger_id": first.pk, "verified_on": "2026-11-25", "conclusion": "verified"},
    )
    fire(
        inspection,
        "verify_danger",
        city.authority_user,
        {
            "danger_id": second.pk,
            "verified_on": "2026-11-25",
            "conclusion": "returned",
            "comment": "日志仍未集中留存",
        },
    )
    first, second = HiddenDanger.objects.order_by("pk")
    assert first.status == "verified" and second.status == "returned"
    assert not Obligation.objects.for_case(inspection).open().filter(code=first.duty_code).exists()
    assert Obligation.objects.for_case(inspection).open().filter(code=second.duty_code).exists()
    # the returned one is answered again; one already verified is not
    fire(
        system,
        "answer_danger",
        land.dept_user,
        {"danger_id": second.pk, "answered_on": "2026-11-28", "answer": "已接入日志审计平台"},
    )
    with pytest.raises(RuleViolation) as exc:
        fire(
            system,
            "answer_danger",
            land.dept_user,
            {"danger_id": first.pk, "answered_on": "2026-11-28", "answer": "重复"},
        )
    assert exc.value.code == "A32-1-DANGER-OPEN"
    with pytest.raises(NotPermitted) as exc:  # the county authority does not verify the city's inspection
        fire(
            inspection,
            "verify_danger",
            land.authority_user,
            {"danger_id": second.pk, "verified_on": "2026-11-29", "conclusion": "verified"},
        )
    assert exc.value.code in {"A32-1-CITY"}


def test_verifying_needs_an_answer(world):
    system = register(world.yongji)
    inspection = fire(plan(world), "start", world.city.authority_user)
    fire(
        inspection,
        "record_danger",
        world.city.authority_user,
        {"system_id": system.pk, "found_on": "2026-11-02", "description": "弱口令"},
    )
    danger = HiddenDanger.objects.get()
    assert danger.deadline.isoformat() == "2026-12-02"  # the default policy: 30 days
    with pytest.raises(RuleViolation) as exc:
        fire(
            inspection,
            "verify_danger",
            world.city.authority_user,
            {"danger_id": danger.pk, "verified_on": "2026-11-25", "conclusion": "verified"},
        )
    assert exc.value.code == "A32-1-ANSWERED"


def test_a_danger_needs_a_registered_system_and_a_deadline_after_it_was_found(world):
    system = register(world.yongji)
    inspection = fire(plan(world), "start", world.city.authority_user)
    with pytest.raises(RuleViolation) as exc:
        fire(
            inspection,
            "record_danger",
            world.city.authority_user,
            {"system_id": 999999, "found_on": "2026-11-02", "description": "x"},
        )
    assert exc.value.code == "A32-1-SYSTEM"
    with pytest.raises(RuleViolation) as exc:
        fire(
            inspection,
            "record_danger",
            world.city.authority_user,
            {"system_id": system.pk, "found_on": "2026-11-02", "description": "x", "deadline": "2026-11-01"},
        )
    assert exc.value.code == "A32-1-DEADLINE"


def test_overdue_rectifications_show_on_the_overview(world):
    system = register(world.yongji)
    inspection = fire(plan(world), "start", world.city.authority_user)
    fire(
        inspection,
        "record_danger",
        world.city.authority_user,
        {"system_id": system.pk, "found_on": "2026-10-01", "description": "弱口令", "deadline": "2026-10-31"},
    )
    ov = selectors.overview(fresh(world.city.authority_user))
    assert ov.overdue_dangers == 1
    assert selectors.overview(fresh(world.jiaohe.authority_user)).overdue_dangers == 0
