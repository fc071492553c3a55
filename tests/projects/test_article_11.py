"""第十一条: centralized government procurement; outsourcing review before procurement."""

import pytest

from infogov.core.errors import InvalidInput, RuleViolation
from infogov.projects import services
from infogov.projects.models import Project

pytestmark = [pytest.mark.django_db, pytest.mark.article(11)]


def test_contract_above_budget_is_refused(walker):
    p = walker.to_reviewed()
    with pytest.raises(RuleViolation) as exc:
        walker.procure(p, amount="1000000.01")
    assert exc.value.article == "第十一条第一款"
    assert "超过批准的预算" in exc.value.message
    assert Project.objects.get(pk=p.pk).state == "reviewed"
    assert walker.procure(p, amount="1000000.00").state == "procured"


def test_procurement_needs_a_government_procurement_method(walker):
    p = walker.to_reviewed()
    with pytest.raises((InvalidInput, RuleViolation)):
        services.project_procurement_record(
            project=p,
            user=walker.owner,
            method="自行采购",
            notice_number="X",
            supplier="某公司",
            contract_amount="100",
        )
    with pytest.raises(InvalidInput):
        walker.fire(p, "record_procurement", payload={})


def test_fiscal_outsourcing_needs_authority_review_before_procurement(walker):
    p = walker.to_reviewed(category="outsourcing", title="政务信息系统运维服务外包")
    with pytest.raises(RuleViolation) as exc:
        walker.procure(p)
    assert exc.value.article == "第十一条第二款"
    services.outsourcing_review_record(
        project=p, user=walker.authority, approved=False, opinion="服务范围不清"
    )
    with pytest.raises(RuleViolation):
        walker.procure(p)
    services.outsourcing_review_record(project=p, user=walker.authority, approved=True, opinion="同意外包")
    assert walker.procure(p).state == "procured"


def test_outsourcing_review_only_for_fiscal_outsourcing(walker):
    p = walker.to_reviewed()
    with pytest.raises(RuleViolation) as exc:
        services.outsourcing_review_record(project=p, user=walker.authority, approved=True, opinion="同意")
    assert (exc.value.code, exc.value.article) == ("A11-2-OUTSOURCING-PROJECT", "第十一条第二款")
