"""第三十一条: security planned, built and run in step with the project (三同步)."""

import pytest

from infogov.core.errors import RuleViolation
from infogov.projects.models import InformationSystem

pytestmark = [pytest.mark.django_db, pytest.mark.article(31)]


def test_review_cannot_pass_without_security_plan(walker):
    p = walker.findings(walker.include(walker.submit(walker.create(security_plan="", security_measures=[]))))
    with pytest.raises(RuleViolation) as exc:
        walker.review(p)
    assert exc.value.article == "第三十一条第一款"


def test_acceptance_needs_evidence_planned_measures_were_built(walker):
    p = walker.to_tested()
    payload = walker.accept_payload()
    with pytest.raises(RuleViolation) as exc:
        walker.fire(p, "accept", payload={**payload, "security_measures_built": ["边界防护"]})
    assert exc.value.article == "第三十一条第一款" and "日志审计" in exc.value.message
    with pytest.raises(RuleViolation):
        walker.fire(p, "accept", payload={**payload, "security_evidence": ""})
    assert walker.fire(p, "accept", payload=payload).state == "accepted"


def test_delivery_registers_the_information_system_with_its_level(walker):
    p = walker.fire(walker.to_tested(), "accept", payload=walker.accept_payload())
    p = walker.fire(p, "deliver", payload={"protection_level": 3})
    system = InformationSystem.objects.get(source_project=p)
    assert system.protection_level == 3 and system.owner == walker.land.department
    assert system.jurisdiction == walker.land.jurisdiction


def test_delivery_without_a_protection_level_is_refused(walker):
    """同步运行: a system goes into use with its protection level determined. A non-fiscal project is
    not reviewed (第十条: filed), so its level may still be open at delivery: neither planned nor given
    at delivery is refused (A31-1-RUN) — and the page says so beforehand."""
    from infogov.core.workflow import engine as workflow
    from infogov.projects.models import Project
    from tests.projects.test_article_10 import security_project

    p = walker.fire(security_project(walker, security_level=None), "submit_filing")
    p = walker.fire(walker.fire(p, "issue_filing", user=walker.authority), "start_construction")
    p = walker.fire(p, "complete", payload={"completed_on": "2026-12-20"})
    p = walker.fire(
        p, "record_test", payload={"tester": "测评中心", "passed": True, "standards": ["GB 17859-1999"]}
    )
    p = walker.fire(p, "accept", payload=walker.accept_payload())
    blockers = {o.name: o.blockers for o in workflow.explain(Project.objects.get(pk=p.pk), walker.owner)}
    assert [b.code for b in blockers["deliver"]] == ["A31-1-RUN"]
    with pytest.raises(RuleViolation) as exc:
        walker.fire(p, "deliver", payload={})
    assert (exc.value.code, exc.value.article) == ("A31-1-RUN", "第三十一条第一款")
    assert not InformationSystem.objects.filter(source_project=p).exists()
    assert walker.fire(p, "deliver", payload={"protection_level": 2}).state == "delivered"
