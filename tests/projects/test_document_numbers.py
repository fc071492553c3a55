"""Approvals carry 批准文号 and filings 备案号 (core.docnumbers), given by the issuing body's own sequence in
the step that issues them and shown on the case page: the annual construction plan's approval by the
government (第九条第一款), the review's pass (第九条第二款), a non-fiscal project's filing (第十条), a plan's
approval and filing (第五条) when no number was typed."""

from __future__ import annotations

import pytest

from infogov.core.docnumbers import DocumentKind, DocumentNumberFormat
from infogov.core.models import DocketEvent
from infogov.core.workflow import engine as wf
from infogov.planning.choices import PlanLevel
from infogov.projects.models import AnnualConstructionPlan, Project
from tests.planning.helpers import PlanWorld

pytestmark = pytest.mark.django_db


@pytest.mark.article(9)
def test_annual_plan_approval_and_review_pass_carry_approval_numbers(walker, client):
    gov = walker.land.government
    gov.short_name = "永政"
    gov.save()
    DocumentNumberFormat.objects.create(
        issuer=gov, kind=DocumentKind.APPROVAL, template="{short}函〔{year}〕{n}号"
    )
    p = walker.review(walker.findings(walker.include(walker.submit(walker.create()))))
    plan = AnnualConstructionPlan.objects.get(pk=p.annual_plan_id)
    assert plan.approval_number.startswith("永政函〔") and plan.approval_number.endswith("〕1号")
    event = DocketEvent.objects.for_case(plan).filter(action="approve_plan").get()
    assert event.changes["approval_number"]["after"] == plan.approval_number
    review = Project.objects.get(pk=p.pk).review
    assert review.approval_number == f"永吉县工业和信息化局批〔{review.decided_at.year}〕1号"
    client.force_login(walker.owner)
    page = client.get(f"/projects/{p.pk}/").content.decode()
    assert review.approval_number in page
    client.force_login(walker.authority)
    page = client.get(f"/annual-plans/{plan.pk}/").content.decode()
    assert plan.approval_number in page


@pytest.mark.article(5)
def test_a_plans_approval_and_filing_are_numbered_unless_a_number_is_typed(world):
    from infogov.org.choices import Role
    from tests.factories import make_user

    experts = [world.expert] + [make_user(f"expert{i}", world.expert_pool, Role.EXPERT) for i in range(2, 5)]
    pw = PlanWorld(world=world, experts=experts)
    city = pw.city_plan_in_force()  # typed: 吉政函〔2026〕1号
    assert city.approval_document == "吉政函〔2026〕1号"
    world.city.authority.short_name = "吉市工信"
    world.city.authority.save()
    v = pw.draft(PlanLevel.LOCAL, world.yongji)
    v = pw.submit(pw.review(pw.close_consultation(pw.open_consultation(v))))
    v = wf.fire(v, "approve", user=world.yongji.approver, payload={})
    assert v.approval_document.startswith("永吉县人民政府批〔")
    v = wf.fire(v, "publish", user=pw.owner_user(v))
    v = wf.fire(v, "file", user=world.city.authority_user, payload={})
    assert v.filing_number.startswith("吉市工信备〔") and v.filing_number.endswith("〕1号")


@pytest.mark.article(13)
def test_the_demo_shows_numbers_a_received_filing_conditions_and_expert_opinions():
    import io

    from infogov.core import demo as core_demo
    from infogov.projects import demo
    from infogov.projects.models import AcceptanceFiling, ProjectExpertReview, ReviewCondition

    core_demo.seed(io.StringIO())
    demo.seed(io.StringIO())
    plans = AnnualConstructionPlan.objects.exclude(approval_number="")
    assert plans.filter(approval_number__startswith="吉市政函〔").exists()
    assert Project.objects.filter(review__approval_number__startswith="吉市工信审〔").exists()
    received = AcceptanceFiling.objects.exclude(receipt_number="")
    assert received.exists() and received.first().attachments.exists()
    statuses = set(ReviewCondition.objects.values_list("status", flat=True))
    assert {"verified", "returned"} <= statuses
    given = ProjectExpertReview.objects.filter(submitted_at__isnull=False)
    assert given.exists() and ProjectExpertReview.objects.filter(submitted_at__isnull=True).exists()
