"""第九条: annual construction plan, review on the four dimensions, review opinion."""

import pytest

from infogov.core.errors import Conflict, NotPermitted, RuleViolation
from infogov.core.models import DocketEvent, Obligation
from infogov.core.workflow.permissions import scope_of
from infogov.projects import services
from infogov.projects.models import Project, ReviewCondition

pytestmark = [pytest.mark.django_db, pytest.mark.article(9)]


def test_fiscal_project_walks_from_proposal_to_delivery(walker):
    p = walker.create()
    assert p.state == "draft" and p.reference.startswith("XM-")
    p = walker.submit(p)
    assert p.state == "proposed"
    p = walker.include(p)
    assert p.state == "planned" and p.annual_plan.state == "approved"
    p = walker.findings(p)
    p = walker.review(p)
    assert p.state == "reviewed" and p.review.opinion == "pass"
    p = walker.procure(p)
    assert p.state == "procured" and p.procurement.contract_amount == 950000
    p = walker.fire(p, "start_construction")
    services.progress_report(project=p, user=walker.owner, percent=50)
    services.disbursement_record(project=p, user=walker.owner, amount="300000.00", purpose="首付款")
    p = walker.fire(p, "complete", payload={"completed_on": "2026-12-20"})
    assert Obligation.objects.for_case(p).open().filter(code="acceptance-apply").exists()
    p = walker.fire(
        p,
        "record_test",
        payload={"tester": "测评中心", "passed": True, "standards": ["GB 17859-1999", "GB 18030-2022"]},
    )
    p = walker.fire(p, "accept", payload=walker.accept_payload())
    assert p.state == "accepted"
    walker.file_acceptance(p)
    services.acceptance_receive(project=p, user=walker.authority)
    p = walker.fire(p, "deliver")
    assert p.state == "delivered"
    actions = list(DocketEvent.objects.for_case(p).values_list("action", flat=True))
    for step in (
        "create",
        "submit",
        "include_in_plan",
        "review_finding",
        "review_pass",
        "record_procurement",
        "start_construction",
        "progress",
        "disbursement",
        "complete",
        "record_test",
        "accept",
        "acceptance_filing",
        "acceptance_receipt",
        "deliver",
    ):
        assert step in actions
    assert not Obligation.objects.for_case(p).open().exists()


def test_review_refused_while_plan_not_approved(walker):
    p = walker.include(walker.submit(walker.create()), approve=False)
    p = walker.findings(p)
    with pytest.raises(RuleViolation) as exc:
        walker.review(p)
    assert exc.value.article == "第九条第一款"


def test_plan_approved_by_government_not_authority(walker):
    p = walker.include(walker.submit(walker.create()), approve=False)
    plan = services.plan_fire(plan=p.annual_plan, user=walker.authority, name="submit_plan")
    with pytest.raises(NotPermitted):
        services.plan_fire(plan=plan, user=walker.authority, name="approve_plan")


def test_empty_plan_cannot_be_submitted(walker):
    plan = walker.plan()
    with pytest.raises(RuleViolation) as exc:
        services.plan_fire(plan=plan, user=walker.authority, name="submit_plan")
    assert exc.value.article == "第九条第一款"


def test_review_needs_all_four_dimensions(walker):
    p = walker.include(walker.submit(walker.create()))
    p = walker.findings(p, skip=("security",))
    with pytest.raises(RuleViolation) as exc:
        walker.review(p)
    assert exc.value.article == "第九条第二款"
    assert "网络与信息安全" in exc.value.message


def test_no_review_no_procurement(walker):
    p = walker.include(walker.submit(walker.create()))
    with pytest.raises(RuleViolation) as exc:
        walker.procure(p)
    assert exc.value.article == "第九条第二款"
    assert Project.objects.get(pk=p.pk).state == "planned"


def test_failed_finding_blocks_pass_and_review_fail_is_final(walker):
    p = walker.include(walker.submit(walker.create()))
    p = walker.findings(p, conclusion="fails")
    with pytest.raises(RuleViolation) as exc:
        walker.review(p)
    assert exc.value.article == "第九条第二款"
    p = services.project_review_decide(
        project=Project.objects.get(pk=p.pk), user=walker.authority, passed=False, comment="与已建平台重复"
    )
    assert p.state == "rejected" and p.review.opinion == "fail"
    with pytest.raises(Conflict):  # a rejected project has no way forward
        walker.procure(p)


def test_conditions_become_obligations_and_block_acceptance(walker):
    p = walker.include(walker.submit(walker.create()))
    p = walker.findings(p, conclusion="conditions")
    with pytest.raises(RuleViolation):  # conditional findings need listed conditions
        walker.review(p)
    p = walker.review(p, conditions=[{"text": "接入市统一身份认证", "due_date": "2026-06-30"}])
    assert p.review.opinion == "conditional"
    duty = Obligation.objects.for_case(p).open().get(code="review-conditions")
    assert duty.owed_by == walker.land.department and str(duty.due_date) == "2026-06-30"
    p = walker.procure(p)
    p = walker.fire(p, "start_construction")
    p = walker.fire(p, "complete")
    p = walker.fire(
        p,
        "record_test",
        payload={"tester": "测评中心", "passed": True, "standards": ["GB 17859-1999", "GB 18030-2022"]},
    )
    with pytest.raises(RuleViolation) as exc:
        walker.fire(p, "accept", payload=walker.accept_payload())
    assert exc.value.article == "第九条第二款"
    condition = services.review_condition_answer(
        condition=ReviewCondition.objects.get(project=p), user=walker.owner, answer="已接入统一身份认证"
    )
    assert not Obligation.objects.for_case(p).open().filter(code="review-conditions").exists()
    with pytest.raises(RuleViolation) as exc:  # answered is not yet 已落实: the authority verifies it
        walker.fire(p, "accept", payload=walker.accept_payload())
    assert exc.value.code == "A9-2-CONDITIONS-ANSWERED"
    services.review_condition_verify(condition=condition, user=walker.authority)
    assert walker.fire(p, "accept", payload=walker.accept_payload()).state == "accepted"


def test_other_jurisdictions_authority_cannot_review(walker, world):
    from tests.conftest import fresh

    p = walker.findings(walker.include(walker.submit(walker.create())))
    with pytest.raises(NotPermitted) as exc:
        services.project_review_decide(project=p, user=fresh(world.jiaohe.authority_user), passed=True)
    assert exc.value.article == "第四条第二款"


# -- 第九条第一款: the annual plan is approved by the government of its own level (本级人民政府) ----------


def _submitted_plan(w):
    p = w.include(w.submit(w.create()), approve=False)
    return services.plan_fire(plan=p.annual_plan, user=w.authority, name="submit_plan")


def _plan_actions(plan):
    return list(DocketEvent.objects.for_case(plan).order_by("seq").values_list("action", flat=True))


def test_article_9_city_government_cannot_approve_or_return_a_county_plan(walker, world):
    from infogov.core.workflow.engine import explain
    from tests.conftest import fresh
    from tests.projects.test_api import client_for, post

    plan = _submitted_plan(walker)
    seen = plan.version
    city_gov = fresh(world.city.approver)
    assert scope_of(city_gov).can_view(plan)  # it sees the county's plan (at or above) ...
    for name, comment in (("approve_plan", ""), ("return_plan", "请补充项目")):
        with pytest.raises(NotPermitted) as exc:  # ... but does not approve in the county's place
            services.plan_fire(plan=plan, user=city_gov, name=name, comment=comment)
        assert (exc.value.status, exc.value.code, exc.value.article) == (
            403,
            "A9-1-GOVERNMENT",
            "第九条第一款",
        )
        assert "第九条第一款" in exc.value.message and "本级人民政府" in exc.value.message
    options = {o.name: o for o in explain(plan, city_gov)}
    assert not options["approve_plan"].allowed and not options["return_plan"].allowed
    assert [(b.code, b.citation) for b in options["approve_plan"].blockers] == [
        ("A9-1-GOVERNMENT", "第九条第一款")
    ]
    r = post(client_for(city_gov), f"/api/annual-plans/{plan.pk}/transitions/approve_plan")
    assert r.status_code == 403
    assert r.json()["article"] == "第九条第一款" and "第九条第一款" in r.json()["message"]
    plan.refresh_from_db()
    assert (plan.state, plan.version) == ("submitted", seen)
    assert _plan_actions(plan) == ["create", "submit_plan"]


def test_article_9_county_government_approves_and_returns_its_own_plan(walker, world):
    from infogov.core.workflow.engine import explain

    plan = _submitted_plan(walker)
    assert all(o.allowed for o in explain(plan, walker.approver))
    plan = services.plan_fire(plan=plan, user=walker.approver, name="return_plan", comment="请补充项目")
    assert plan.state == "drafting"
    plan = services.plan_fire(plan=plan, user=walker.authority, name="submit_plan")
    plan = services.plan_fire(plan=plan, user=walker.approver, name="approve_plan")
    assert plan.state == "approved"
    events = list(DocketEvent.objects.for_case(plan).filter(action__in=["approve_plan", "return_plan"]))
    assert {e.organisation_id for e in events} == {world.yongji.government.pk}


def test_article_9_another_county_government_cannot_approve(walker, world):
    from tests.conftest import fresh

    plan = _submitted_plan(walker)
    with pytest.raises(NotPermitted) as exc:
        services.plan_fire(plan=plan, user=fresh(world.jiaohe.approver), name="approve_plan")
    assert exc.value.article == "第九条第一款"
    plan.refresh_from_db()
    assert plan.state == "submitted"


def test_article_9_county_government_cannot_approve_the_city_plan(world):
    from tests.conftest import fresh
    from tests.projects.conftest import Walker

    city = Walker(world, world.city)
    plan = _submitted_plan(city)
    for county_gov in (world.yongji.approver, world.jiaohe.approver):
        with pytest.raises(NotPermitted) as exc:
            services.plan_fire(plan=plan, user=fresh(county_gov), name="approve_plan")
        assert (exc.value.status, exc.value.article) == (403, "第九条第一款")
    plan.refresh_from_db()
    assert plan.state == "submitted" and _plan_actions(plan) == ["create", "submit_plan"]
    assert services.plan_fire(plan=plan, user=city.approver, name="approve_plan").state == "approved"
