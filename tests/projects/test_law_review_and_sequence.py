"""第九条第二款 and the order of the acts, each refused on its own.

- the four review dimensions the clause names — 规划布局、技术标准、网络与信息安全、信息资源共享 — each
  missing alone refuses the review (hard-coded here from the regulation's text, not read from the code);
- construction without a procurement record is refused (第十一条第一款: procurement first);
- 第十条 applies only to 公共基础性信息化工程 and 信息安全工程, and 第十二条 to the non-fiscal track too;
- the order of the acts: contract after the review, payment after the contract and the start, no future
  contract, a project of year Y only in the plan of year Y, completion after the start."""

from __future__ import annotations

import datetime as dt

import pytest

from infogov.core.errors import Conflict, RuleViolation
from infogov.core.models import Obligation
from infogov.core.regulation.policy import override_policy
from infogov.projects import services
from infogov.projects.deadlines import ACCEPTANCE_APPLY_DAYS, REVIEW_DAYS
from infogov.projects.models import Project
from tests.projects.conftest import MANDATORY_APP, fiscal_fields

pytestmark = [pytest.mark.django_db]

# 第九条第二款：……对其规划布局、技术标准、网络与信息安全、信息资源共享以及其他相关内容进行评审
DIMENSIONS = {
    "layout": "规划布局",
    "standards": "技术标准",
    "security": "网络与信息安全",
    "sharing": "信息资源共享",
}


@pytest.mark.article(9)
@pytest.mark.parametrize("missing", list(DIMENSIONS))
def test_article_9_each_review_dimension_missing_alone_refuses_the_review(walker, missing):
    p = walker.include(walker.submit(walker.create()))
    p = walker.findings(p, skip=(missing,))
    with pytest.raises(RuleViolation) as exc:
        walker.review(p)
    assert exc.value.code == "A9-2-DIMENSIONS" and exc.value.article == "第九条第二款"
    assert DIMENSIONS[missing] in exc.value.message
    others = [label for d, label in DIMENSIONS.items() if d != missing]
    assert not any(label in exc.value.message for label in others), exc.value.message
    assert Project.objects.get(pk=p.pk).state == "planned"


@pytest.mark.article(11)
def test_article_11_construction_without_a_procurement_record_is_refused(walker):
    p = walker.to_reviewed()
    with pytest.raises(Conflict) as exc:  # 开工建设 opens only after 录入政府采购结果 (or 第十条's filing)
        walker.fire(p, "start_construction")
    assert "第" in (exc.value.article or "")
    assert Project.objects.get(pk=p.pk).state == "reviewed"
    assert not hasattr(Project.objects.get(pk=p.pk), "procurement")


def _non_fiscal(walker, category, standards):
    fields = fiscal_fields(
        title="企业投资数据中心",
        category=category,
        funding_kind="non_fiscal",
        budget_source="",
        funding_source="企业自有资金",
        procedures_completed="已办理项目核准",
    )
    return services.project_create(user=walker.owner, standards=standards, **fields)


@pytest.mark.article(10)
def test_article_10_only_public_infrastructure_and_security_projects_file(walker):
    p = _non_fiscal(walker, "application", MANDATORY_APP)
    assert not p.needs_filing
    with pytest.raises(RuleViolation) as exc:
        walker.fire(p, "submit_filing")
    assert (exc.value.code, exc.value.article) == ("A10-SCOPE", "第十条")
    infra = _non_fiscal(walker, "infrastructure", ["GB 17859-1999", "GB 50174-2017", "GB 50311-2016"])
    assert walker.fire(infra, "submit_filing").state == "filing"


@pytest.mark.article(12)
def test_article_12_a_non_fiscal_infrastructure_project_without_standards_is_not_filed(walker):
    p = _non_fiscal(walker, "infrastructure", ["GB 17859-1999", "GB 50174-2017", "GB 50311-2016"])
    p.standards.clear()
    with pytest.raises(RuleViolation) as exc:
        walker.fire(p, "submit_filing")
    assert exc.value.code == "A12-MANDATORY" and "GB 50174-2017" in exc.value.message
    # declared at submission, dropped afterwards: the filing itself is refused too
    p.standards.set(
        p.standards.model.objects.filter(code__in=["GB 17859-1999", "GB 50174-2017", "GB 50311-2016"])
    )
    p = walker.fire(p, "submit_filing")
    p.standards.clear()
    with pytest.raises(RuleViolation) as exc:
        walker.fire(p, "issue_filing", user=walker.authority)
    assert exc.value.code == "A12-MANDATORY"
    assert Project.objects.get(pk=p.pk).state == "filing"


def _procure(walker, p, **over):
    payload = {
        "method": "open_tender",
        "notice_number": "JLCG-2026-0123",
        "supplier": "吉林某信息技术有限公司",
        "contract_amount": "950000.00",
        "contract_date": "2026-04-01",
        **over,
    }
    return walker.fire(p, "record_procurement", payload=payload)


@pytest.mark.article(9)
def test_a_contract_dated_before_the_review_is_refused(walker):
    p = walker.to_reviewed()  # reviewed on 2026-03-20
    with pytest.raises(RuleViolation) as exc:
        _procure(walker, p, contract_date="2026-03-19")
    assert exc.value.code == "A9-2-CONTRACT-AFTER-REVIEW" and "2026-03-20" in exc.value.message
    assert _procure(walker, p, contract_date="2026-03-20").state == "procured"


@pytest.mark.article(11)
def test_a_contract_dated_in_the_future_is_refused_as_platform_policy(walker):
    p = walker.to_reviewed()
    future = (dt.date.today() + dt.timedelta(days=40)).isoformat()
    with pytest.raises(RuleViolation) as exc:
        _procure(walker, p, contract_date=future)
    assert exc.value.code == "A11-1-CONTRACT-DATE" and "平台规定" in exc.value.message


@pytest.mark.article(14)
def test_a_payment_before_the_contract_or_the_start_is_refused(walker):
    p = walker.fire(walker.procure(walker.to_reviewed()), "start_construction")  # contract 04-01, start 04-15
    for paid_on, why in (("2026-03-31", "合同签订日期"), ("2026-04-10", "开工日期")):
        with pytest.raises(RuleViolation) as exc:
            services.disbursement_record(
                project=p, user=walker.owner, amount="1000", purpose="进度款", paid_on=paid_on
            )
        assert (
            exc.value.code == "A14-PAID-IN-ORDER"
            and why in exc.value.message
            and "平台规定" in exc.value.message
        )
    services.disbursement_record(
        project=p, user=walker.owner, amount="1000", purpose="进度款", paid_on="2026-04-15"
    )


@pytest.mark.article(9)
def test_a_project_of_one_year_only_enters_that_years_plan(walker):
    p = walker.submit(
        walker.create(year=2026, planned_start=dt.date(2026, 3, 1), planned_completion=dt.date(2026, 12, 1))
    )
    plan_2027 = walker.plan(2027)
    with pytest.raises(RuleViolation) as exc:
        services.project_include_in_plan(project=p, user=walker.authority, plan=plan_2027)
    assert exc.value.code == "A9-1-PLAN-YEAR" and "2027" in exc.value.message
    assert (
        services.project_include_in_plan(project=p, user=walker.authority, plan=walker.plan(2026)).state
        == "planned"
    )


@pytest.mark.article(13)
def test_completion_before_the_start_is_refused(walker):
    p = walker.fire(
        walker.procure(walker.to_reviewed()), "start_construction", payload={"started_on": "2026-05-01"}
    )
    with pytest.raises(RuleViolation) as exc:
        walker.fire(p, "complete", payload={"completed_on": "2026-04-30"})
    assert exc.value.code == "A13-1-COMPLETION-AFTER-START" and "平台规定" in exc.value.message
    assert walker.fire(p, "complete", payload={"completed_on": "2026-05-01"}).state == "completed"


# -- deadlines are platform policy, changed by a dated setting --------------------------------------------


@pytest.mark.article(13)
def test_the_acceptance_duty_is_the_construction_units_own_and_its_deadline_is_policy(walker):
    p = walker.fire(walker.procure(walker.to_reviewed()), "start_construction")
    with override_policy(ACCEPTANCE_APPLY_DAYS, 45):
        p = walker.fire(p, "complete", payload={"completed_on": "2026-06-01"})
    duty = Obligation.objects.for_case(p).get(code="acceptance-apply")
    assert duty.due_date == dt.date(2026, 7, 16)
    assert duty.owed_by == walker.land.department and duty.owed_to is None  # 建设单位应当……验收
    assert "平台规定（依据第十三条第一款设定）" in duty.title
    assert duty.citation == "第十三条第一款"


@pytest.mark.article(9)
def test_the_review_deadline_is_policy(walker):
    with override_policy(REVIEW_DAYS, 10):
        p = walker.include(walker.submit(walker.create()))
    duty = Obligation.objects.for_case(p).get(code="project-review")
    assert "平台规定（依据第九条第二款设定）" in duty.title
    opened = duty.opened_by.at.date() if duty.opened_by else dt.date.today()
    assert (duty.due_date - opened).days in (9, 10, 11)  # ten days from the day it was opened (time zones)
