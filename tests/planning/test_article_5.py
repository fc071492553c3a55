"""第五条: three plan levels, each based on the plan above, approved by the right body, published
and filed with the right authority — and refused, citing the article, when a step is out of order."""

from __future__ import annotations

import pytest

from infogov.core.errors import NotPermitted, RuleViolation
from infogov.core.workflow import engine as wf
from infogov.planning import services
from infogov.planning.choices import PlanLevel, PlanState
from infogov.planning.models import PlanVersion

pytestmark = [pytest.mark.django_db, pytest.mark.article(5)]


def test_city_district_and_special_plans_walk_the_full_procedure(pw):
    w = pw.world
    city = pw.to_in_force(pw.draft(PlanLevel.CITY))
    assert city.state == PlanState.IN_FORCE
    assert city.approval_body.name == "吉林市人民政府"
    assert city.published_at is not None and city.filed_at is None

    district = pw.to_in_force(pw.draft(PlanLevel.LOCAL, w.yongji))
    assert district.state == PlanState.IN_FORCE
    assert district.plan.parent == city.plan
    assert district.approval_body == w.yongji.government
    assert district.filed_with == w.city.authority  # 第五条第二款: filed with the city authority

    special = pw.to_in_force(pw.draft(PlanLevel.SPECIAL, w.city))
    assert special.state == PlanState.IN_FORCE
    assert special.published_at is None  # 第五条第三款: filed, not published on the portal
    assert special.filed_with == w.city.authority
    assert special.approval_body == w.city.department
    assert "签发" in special.leader_signoff

    steps = list(
        special.plan.versions.get().__class__.objects.filter(pk=special.pk).values_list("state", flat=True)
    )
    assert steps == ["in_force"]


def _refusal(exc_info) -> tuple[str, str]:
    return exc_info.value.code, exc_info.value.article


def test_local_plan_cannot_take_effect_without_filing(pw):
    """第五条第二款: no local plan in force without filing with the city authority."""
    pw.city_plan_in_force()
    v = pw.draft(PlanLevel.LOCAL, pw.world.yongji)
    v = pw.approve(pw.submit(pw.review(pw.close_consultation(pw.open_consultation(v)))))
    v = wf.fire(v, "publish", user=pw.owner_user(v))
    with pytest.raises(RuleViolation) as exc:
        wf.fire(v, "enact", user=pw.owner_user(v))
    assert _refusal(exc) == ("A5-2-FILED", "第五条第二款")
    assert "备案" in exc.value.message


def test_local_plan_is_published_before_it_is_filed(pw):
    pw.city_plan_in_force()
    v = pw.draft(PlanLevel.LOCAL, pw.world.jiaohe)
    v = pw.approve(pw.submit(pw.review(pw.close_consultation(pw.open_consultation(v)))))
    with pytest.raises(RuleViolation) as exc:
        wf.fire(v, "file", user=pw.world.city.authority_user)
    assert _refusal(exc) == ("A5-2-PUBLISH-FIRST", "第五条第二款")


def test_special_plan_needs_filing_and_is_not_published(pw):
    pw.city_plan_in_force()
    v = pw.draft(PlanLevel.SPECIAL, pw.world.city)
    v = pw.approve(pw.submit(pw.review(pw.close_consultation(pw.open_consultation(v)))))
    with pytest.raises(RuleViolation) as exc:
        wf.fire(v, "publish", user=pw.owner_user(v))
    assert _refusal(exc) == ("A5-3-NOT-PUBLISHED", "第五条第三款")
    # a county authority cannot receive a city department's filing
    with pytest.raises(NotPermitted) as exc:
        wf.fire(v, "file", user=pw.world.yongji.authority_user)
    assert _refusal(exc) == ("A5-3-FILING", "第五条第三款")


def test_city_plan_is_not_filed_and_takes_effect_only_when_published(pw):
    v = pw.draft(PlanLevel.CITY)
    v = pw.approve(pw.submit(pw.review(pw.close_consultation(pw.open_consultation(v)))))
    with pytest.raises(RuleViolation) as exc:
        wf.fire(v, "file", user=pw.world.city.authority_user)
    assert _refusal(exc) == ("A5-1-NO-FILING", "第五条第一款")
    assert not any(o.allowed for o in wf.explain(v, pw.owner_user(v)) if o.name == "enact")


def test_the_right_body_approves(pw):
    w = pw.world
    pw.city_plan_in_force()
    v = pw.draft(PlanLevel.LOCAL, w.yongji)
    v = pw.submit(pw.review(pw.close_consultation(pw.open_consultation(v))))
    for wrong in (w.city.approver, w.jiaohe.approver, w.yongji.authority_user, w.yongji.leader):
        with pytest.raises(NotPermitted) as exc:
            wf.fire(v, "approve", user=wrong)
        assert _refusal(exc) == ("A5-2-APPROVER", "第五条第二款")
    assert wf.fire(v, "approve", user=w.yongji.approver).state == PlanState.APPROVED


def test_city_plan_approved_only_by_city_government(pw):
    w = pw.world
    v = pw.submit(pw.review(pw.close_consultation(pw.open_consultation(pw.draft(PlanLevel.CITY)))))
    with pytest.raises(NotPermitted) as exc:
        wf.fire(v, "approve", user=w.city.leader)
    assert _refusal(exc) == ("A5-1-APPROVER", "第五条第一款")


def test_department_special_plan_needs_leader_signoff(pw):
    pw.city_plan_in_force()
    v = pw.draft(PlanLevel.SPECIAL, pw.world.city)
    v = pw.submit(pw.review(pw.close_consultation(pw.open_consultation(v))))
    with pytest.raises(RuleViolation) as exc:
        wf.fire(v, "approve", user=pw.owner_user(v), payload={"document": "x"})
    assert _refusal(exc) == ("A5-3-SIGNOFF", "第五条第三款")
    with pytest.raises(NotPermitted) as exc:
        wf.fire(v, "approve", user=pw.world.city.approver, payload={"leader_signoff": "x"})
    assert _refusal(exc) == ("A5-3-APPROVER", "第五条第三款")


def test_plans_rest_on_the_plan_above(pw):
    w = pw.world
    # no city plan in force yet: a local plan has nothing to rest on
    with pytest.raises(RuleViolation) as exc:
        pw.draft(PlanLevel.LOCAL, w.yongji)
    assert _refusal(exc) == ("A5-2-BASIS", "第五条第二款")
    with pytest.raises(RuleViolation) as exc:
        services.plan_create(
            user=w.city.authority_user,
            level=PlanLevel.CITY,
            title="无依据的规划",
            jurisdiction=w.city.jurisdiction,
            owner=w.city.authority,
            period_start=2026,
            period_end=2030,
        )
    assert _refusal(exc) == ("A5-1-BASIS", "第五条第一款")
    pw.city_plan_in_force()
    # a county department's special plan rests on its county's plan, which is not in force yet
    with pytest.raises(RuleViolation) as exc:
        pw.draft(PlanLevel.SPECIAL, w.yongji)
    assert _refusal(exc) == ("A5-3-BASIS", "第五条第三款")


def test_levels_are_owned_by_the_right_organisation(pw):
    w = pw.world
    with pytest.raises(RuleViolation) as exc:
        services.plan_create(
            user=w.city.dept_user,
            level=PlanLevel.CITY,
            title="x",
            jurisdiction=w.city.jurisdiction,
            owner=w.city.department,
            period_start=2026,
            period_end=2030,
            parent_reference="省规划",
        )
    assert _refusal(exc) == ("A5-1-OWNER", "第五条第一款")
    pw.city_plan_in_force()
    with pytest.raises(RuleViolation) as exc:
        services.plan_create(
            user=w.yongji.dept_user,
            level=PlanLevel.LOCAL,
            title="x",
            jurisdiction=w.yongji.jurisdiction,
            owner=w.yongji.department,
            period_start=2026,
            period_end=2030,
        )
    assert _refusal(exc) == ("A5-2-OWNER", "第五条第二款")
    with pytest.raises(NotPermitted):  # not on behalf of another organisation
        services.plan_create(
            user=w.jiaohe.authority_user,
            level=PlanLevel.LOCAL,
            title="x",
            jurisdiction=w.yongji.jurisdiction,
            owner=w.yongji.authority,
            period_start=2026,
            period_end=2030,
        )


def test_docket_records_every_step_with_its_article(pw):
    from infogov.core.docket.verify import verify
    from infogov.core.models import DocketEvent

    v = pw.city_plan_in_force()
    actions = list(DocketEvent.objects.for_case(v).values_list("action", "citation"))
    names = [a for a, _ in actions]
    for step in (
        "create",
        "open_consultation",
        "close_consultation",
        "expert_opinion",
        "submit",
        "approve",
        "publish",
        "enact",
    ):
        assert step in names
    assert dict(actions)["approve"] == "第五条" and dict(actions)["open_consultation"] == "第六条第一款"
    assert verify().ok


def test_approval_and_filing_duties_open_and_close(pw):
    from infogov.core.models import Obligation

    w = pw.world
    pw.city_plan_in_force()
    v = pw.draft(PlanLevel.LOCAL, w.yongji)
    v = pw.submit(pw.review(pw.close_consultation(pw.open_consultation(v))))
    duty = Obligation.objects.for_case(v).get(code="plan-approval")
    assert duty.owed_by == w.yongji.government and duty.is_open
    v = pw.approve(v)
    v = wf.fire(v, "publish", user=pw.owner_user(v))
    filing = Obligation.objects.for_case(v).open().get(code="plan-filing")
    assert filing.owed_to == w.city.authority
    wf.fire(v, "file", user=w.city.authority_user)
    assert (
        not Obligation.objects.for_case(v).open().filter(code__in=["plan-approval", "plan-filing"]).exists()
    )


def test_versions_are_numbered_per_plan(pw):
    v = pw.city_plan_in_force()
    assert v.number == 1 and v.reference.startswith("GH-")
    assert PlanVersion.objects.filter(plan=v.plan).count() == 1


def test_local_plan_is_filed_only_with_the_city_authority(pw):
    pw.city_plan_in_force()
    v = pw.draft(PlanLevel.LOCAL, pw.world.yongji)
    v = pw.approve(pw.submit(pw.review(pw.close_consultation(pw.open_consultation(v)))))
    v = wf.fire(v, "publish", user=pw.owner_user(v))
    with pytest.raises(NotPermitted) as exc:
        wf.fire(v, "file", user=pw.world.yongji.authority_user)
    assert _refusal(exc) == ("A5-2-FILING", "第五条第二款")


def test_a_special_plan_is_drawn_up_for_its_departments_own_area(pw):
    """第五条第三款: a department draws up the special plan of its own system in its own area — a 永吉县
    department cannot register a special plan for the whole city."""
    w = pw.world
    pw.city_plan_in_force()
    with pytest.raises(RuleViolation) as exc:
        services.plan_create(
            user=w.yongji.dept_user,
            level=PlanLevel.SPECIAL,
            title="全市卫生健康信息化专项规划",
            jurisdiction=w.city.jurisdiction,
            owner=w.yongji.department,
            period_start=2026,
            period_end=2030,
        )
    assert _refusal(exc) == ("A5-3-OWNER", "第五条第三款")
