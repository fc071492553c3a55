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
