"""Every guard and every non-第四条 actor rule of the project and annual-plan procedures refuses its step in
a test of its own, citing its article, and nothing is written (planning's check, given to projects).

Adding a guard to PROJECT_WORKFLOW or PLAN_WORKFLOW without a scenario here fails
``test_every_guard_of_the_procedures_has_a_refusal_scenario``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from infogov.core.errors import NotPermitted, RuleViolation
from infogov.core.models import DocketEvent
from infogov.core.workflow import engine as workflow
from infogov.core.workflow.rules import REGISTRY
from infogov.org.models import Organisation
from infogov.projects import services
from infogov.projects.models import AnnualConstructionPlan, Project
from infogov.projects.workflows import PLAN_WORKFLOW, PROJECT_WORKFLOW
from tests.conftest import fresh
from tests.projects.conftest import MANDATORY_APP, Walker, fiscal_fields

pytestmark = [pytest.mark.django_db]

Scenario = Callable[[Walker], tuple[Any, str, Any, dict[str, Any]]]

# Guards of steps other helpers are adding at the time of writing (expert review of 第九条第二款, the
# verification of answered conditions, the acceptance report and its receipt): their refusal tests live
# with those steps (tests/projects/test_article_9.py, test_article_13.py). Listed so that the check below
# still fails for any OTHER guard added without a scenario.
ELSEWHERE = {
    ("review_pass", "A9-2-EXPERTS-HEARD"),
    ("review_fail", "A9-2-EXPERTS-HEARD"),
    ("condition_verify", "A9-2-CONDITION-TO-VERIFY"),
    ("condition_return", "A9-2-CONDITION-TO-VERIFY"),
    ("experts_convene", "A9-2-EXPERT-POOL"),
    ("experts_convene", "A9-2-EXPERT-DUE"),
    ("expert_opinion", "A9-2-EXPERT-OPINION-ONCE"),
    ("expert_missing", "A9-2-EXPERT-MISSING"),
    ("acceptance_filing", "A13-2-REPORT"),
    ("acceptance_filing", "A13-2-NOT-FILED"),
    ("acceptance_filing", "A13-1-ACCEPTED"),
    ("acceptance_receipt", "A13-2-FILED"),
    ("acceptance_receipt", "A13-2-NOT-RECEIVED"),
    # needs a published catalogue entry of the resources app: tests/projects/test_shared_data.py
    ("review_finding", "A9-2-SHARED-DATA"),
}


def _set(p: Project, **fields: Any) -> Project:
    """Put the project in the state a scenario needs (test set-up, not a step)."""
    Project.objects.filter(pk=p.pk).update(**fields)
    return Project.objects.get(pk=p.pk)


def _non_fiscal(w: Walker, category: str = "security", **kw: Any) -> Project:
    fields = fiscal_fields(
        title="企业投资网络安全态势感知中心",
        category=category,
        funding_kind="non_fiscal",
        budget_source="",
        funding_source="企业自有资金",
        procedures_completed="已办理项目备案（投资项目在线审批监管平台）",
    )
    fields.update(kw)
    standards = {
        "security": ["GB 17859-1999"],
        "infrastructure": ["GB 17859-1999", "GB 50174-2017", "GB 50311-2016"],
    }
    return services.project_create(user=w.owner, standards=standards.get(category, MANDATORY_APP), **fields)


def _planned(w: Walker, approve: bool = True, **kw: Any) -> Project:
    return w.include(w.submit(w.create(**kw)), approve=approve)


def _procured(w: Walker, **kw: Any) -> Project:
    return w.procure(w.to_reviewed(**kw))


def _construction(w: Walker, **kw: Any) -> Project:
    return w.fire(_procured(w, **kw), "start_construction")


def _review_kw(**payload: Any) -> dict[str, Any]:
    return {"comment": "同意", "payload": {"decided_on": "2026-03-20", **payload}}


def _procurement(**overrides: Any) -> dict[str, Any]:
    payload = {
        "method": "open_tender",
        "notice_number": "JLCG-2026-0123",
        "supplier": "吉林某信息技术有限公司",
        "contract_amount": "950000.00",
        "contract_date": "2026-04-01",
    }
    payload.update(overrides)
    return {"payload": payload}


def _procure_refused(**overrides: Any) -> Scenario:
    return lambda w: (w.to_reviewed(), "record_procurement", w.owner, _procurement(**overrides))


def _with_similar(w: Walker) -> Project:
    """A project with an unanswered similar project (第六条: duplicate construction)."""
    w.submit(w.create())  # the same project again, by another title only
    return _planned(w, title="永吉县社区网格化服务管理平台（二期）")


def _review_pass_after_findings(**finding_kw: Any) -> Scenario:
    def build(w: Walker) -> tuple[Any, str, Any, dict[str, Any]]:
        p = w.findings(_planned(w), **finding_kw)
        return p, "review_pass", w.authority, _review_kw()

    return build


def _duplicates_unanswered(w: Walker) -> tuple[Any, str, Any, dict[str, Any]]:
    p = _with_similar(w)
    assert p.similar_hits.exists()
    for d in ("layout", "standards", "security", "sharing"):
        services.review_finding_record(
            project=p, user=w.authority, dimension=d, conclusion="meets", text="符合"
        )
    return p, "review_pass", w.authority, _review_kw()


def _ack_outside_sharing(w: Walker) -> tuple[Any, str, Any, dict[str, Any]]:
    p = _with_similar(w)
    hit = p.similar_hits.first()
    payload = {"dimension": "layout", "conclusion": "meets", "text": "符合", "acknowledged_hits": [hit.pk]}
    return p, "review_finding", w.authority, {"payload": payload}


def _to_tested(w: Walker, **kw: Any) -> Project:
    return w.to_tested(**kw)


def _accept_kw(w: Walker, **over: Any) -> dict[str, Any]:
    return {"payload": {**w.accept_payload(), **over}}


def _tested_with_open_condition(w: Walker) -> tuple[Any, str, Any, dict[str, Any]]:
    p = w.findings(_planned(w))
    cond = [{"text": "接入全市统一身份认证", "due_date": "2026-12-31"}]
    p = services.project_review_decide(
        project=p, user=w.authority, passed=True, conditions=cond, decided_on=dt.date(2026, 3, 20)
    )
    p = w.fire(w.procure(p), "start_construction")
    p = w.fire(p, "complete", payload={"completed_on": "2026-12-20"})
    p = w.fire(p, "record_test", payload={"tester": "测评中心", "passed": True, "standards": MANDATORY_APP})
    return p, "accept", w.owner, _accept_kw(w)


def _historical_failed_test(w: Walker) -> tuple[Any, str, Any, dict[str, Any]]:
    p = w.fire(_procured(w), "start_construction")
    p = w.fire(p, "complete", payload={"completed_on": "2014-11-20"})
    p = w.fire(p, "record_test", payload={"tester": "测评中心", "passed": False, "tested_on": "2014-12-01"})
    return p, "accept", w.owner, _accept_kw(w, held_on="2026-12-28")


def _after_failed_acceptance(step: str) -> Scenario:
    def build(w: Walker) -> tuple[Any, str, Any, dict[str, Any]]:
        p = _to_tested(w)
        p = w.fire(
            p, "fail_acceptance", payload={**w.accept_payload(), "held_on": "2026-12-28"}, comment="不合格"
        )
        p = w.fire(
            p, "record_test", payload={"tester": "测评中心", "passed": True, "standards": MANDATORY_APP}
        )
        return p, step, w.owner, {**_accept_kw(w, held_on="2026-12-25"), "comment": "再次验收"}

    return build


def _plan(w: Walker, submitted: bool = False) -> AnnualConstructionPlan:
    plan = w.plan(2026)
    if submitted:
        w.include(w.submit(w.create()), approve=False)
        plan = services.plan_fire(
            plan=AnnualConstructionPlan.objects.get(pk=plan.pk), user=w.authority, name="submit_plan"
        )
    return plan


def _filed(w: Walker) -> Project:
    p = w.fire(_non_fiscal(w), "submit_filing")
    return w.fire(w.fire(p, "issue_filing", user=w.authority), "start_construction")


def _condition_answered_twice(w: Walker) -> tuple[Any, str, Any, dict[str, Any]]:
    p = w.findings(_planned(w))
    cond = [{"text": "接入全市统一身份认证", "due_date": "2026-12-31"}]
    p = services.project_review_decide(
        project=p, user=w.authority, passed=True, conditions=cond, decided_on=dt.date(2026, 3, 20)
    )
    c = p.conditions.get()
    payload = {"condition_id": c.pk, "answer": "已接入"}
    w.fire(p, "condition_answer", payload=payload)
    return p, "condition_answer", w.owner, {"payload": payload}


def _rectified_twice(w: Walker) -> tuple[Any, str, Any, dict[str, Any]]:
    p = _construction(w)
    services.inspection_open(
        project=p,
        user=w.authority,
        summary="检查",
        findings=[{"text": "台账不全", "severity": "medium", "due_date": "2026-12-31"}],
    )
    finding = p.inspection_findings.get()
    payload = {"finding_id": finding.pk, "rectification": "已整改"}
    w.fire(p, "rectify", payload=payload)
    return p, "rectify", w.owner, {"payload": payload}


SCENARIOS: dict[tuple[str, str], Scenario] = {
    # 第九条第一款: the annual plan and what enters it
    ("submit", "A9-1-FISCAL"): lambda w: (_non_fiscal(w), "submit", w.owner, {}),
    ("submit", "A3-FUNDING"): lambda w: (_set(w.create(), budget_source=""), "submit", w.owner, {}),
    ("include_in_plan", "A9-1-FISCAL"): lambda w: (
        _set(w.submit(w.create()), funding_kind="non_fiscal"),
        "include_in_plan",
        w.authority,
        {"payload": {"plan_id": w.plan(2026).pk}},
    ),
    ("include_in_plan", "A9-1-PLAN-OPEN"): lambda w: (
        w.submit(w.create(title="永吉县智慧教育云平台")),
        "include_in_plan",
        w.authority,
        {"payload": {"plan_id": _plan(w, submitted=True).pk}},
    ),
    ("include_in_plan", "A9-1-PLAN-YEAR"): lambda w: (
        w.submit(
            w.create(year=2027, planned_start=dt.date(2027, 3, 1), planned_completion=dt.date(2027, 12, 1))
        ),
        "include_in_plan",
        w.authority,
        {"payload": {"plan_id": w.plan(2026).pk}},
    ),
    ("submit_plan", "A9-1-PLAN-NONEMPTY"): lambda w: (w.plan(2026), "submit_plan", w.authority, {}),
    ("approve_plan", "A9-1-GOVERNMENT"): lambda w: (
        _plan(w, submitted=True),
        "approve_plan",
        fresh(w.world.city.approver),
        {},
    ),
    ("return_plan", "A9-1-GOVERNMENT"): lambda w: (
        _plan(w, submitted=True),
        "return_plan",
        fresh(w.world.city.approver),
        {"comment": "退回"},
    ),
    # 第九条第二款: the review
    ("review_pass", "A9-1-PLAN-APPROVED"): lambda w: (
        w.findings(_planned(w, approve=False)),
        "review_pass",
        w.authority,
        _review_kw(),
    ),
    ("review_pass", "A9-2-DIMENSIONS"): _review_pass_after_findings(skip=("layout",)),
    ("review_pass", "A9-2-FINDINGS-PASS"): _review_pass_after_findings(conclusion="fails"),
    ("review_pass", "A9-2-CONDITIONS-LISTED"): _review_pass_after_findings(conclusion="conditions"),
    ("review_pass", "A31-1-PLANNED"): lambda w: (
        _set(w.findings(_planned(w)), security_plan=""),
        "review_pass",
        w.authority,
        _review_kw(),
    ),
    ("review_pass", "A12-MANDATORY"): lambda w: (
        w.findings(_planned(w, standards=["GB 17859-1999"])),
        "review_pass",
        w.authority,
        _review_kw(),
    ),
    ("review_pass", "A9-2-DUPLICATES"): _duplicates_unanswered,
    ("review_finding", "A9-2-ACK-IN-SHARING"): _ack_outside_sharing,
    ("review_fail", "A9-1-PLAN-APPROVED"): lambda w: (
        w.findings(_planned(w, approve=False)),
        "review_fail",
        w.authority,
        {"comment": "不符合"},
    ),
    ("review_fail", "A9-2-DIMENSIONS"): lambda w: (
        w.findings(_planned(w), skip=("sharing",)),
        "review_fail",
        w.authority,
        {"comment": "不符合"},
    ),
    # 第十一条: procurement
    ("record_procurement", "A9-2-REVIEW-PASSED"): lambda w: (
        _planned(w),
        "record_procurement",
        w.owner,
        _procurement(),
    ),
    ("record_procurement", "A11-2-OUTSOURCING"): lambda w: (
        w.to_reviewed(category="outsourcing"),
        "record_procurement",
        w.owner,
        _procurement(),
    ),
    ("record_procurement", "A11-1-CENTRALIZED"): _procure_refused(contract_amount="0"),
    ("record_procurement", "A11-1-BUDGET"): _procure_refused(contract_amount="2000000.00"),
    ("record_procurement", "A9-2-CONTRACT-AFTER-REVIEW"): _procure_refused(contract_date="2026-03-01"),
    ("record_procurement", "A11-1-CONTRACT-DATE"): lambda w: (
        w.to_reviewed(),
        "record_procurement",
        w.owner,
        _procurement(contract_date=(timezone.localdate() + dt.timedelta(days=30)).isoformat()),
    ),
    ("outsourcing_review", "A11-2-OUTSOURCING-PROJECT"): lambda w: (
        _planned(w),
        "outsourcing_review",
        w.authority,
        {"payload": {"approved": True, "opinion": "同意外包"}},
    ),
    # 第十条: filing
    ("submit_filing", "A10-NONFISCAL"): lambda w: (w.create(), "submit_filing", w.owner, {}),
    ("submit_filing", "A10-SCOPE"): lambda w: (_non_fiscal(w, "application"), "submit_filing", w.owner, {}),
    ("submit_filing", "A3-FUNDING"): lambda w: (
        _set(_non_fiscal(w), funding_source=""),
        "submit_filing",
        w.owner,
        {},
    ),
    ("submit_filing", "A10-PROCEDURES"): lambda w: (
        _non_fiscal(w, procedures_completed=""),
        "submit_filing",
        w.owner,
        {},
    ),
    ("submit_filing", "A12-MANDATORY"): lambda w: (
        _non_fiscal_without_standards(w),
        "submit_filing",
        w.owner,
        {},
    ),
    ("issue_filing", "A10-SCOPE"): lambda w: (
        _set(w.fire(_non_fiscal(w), "submit_filing"), category="application"),
        "issue_filing",
        w.authority,
        {},
    ),
    ("issue_filing", "A10-COMPLETE"): lambda w: (
        w.fire(_non_fiscal(w, security_plan=""), "submit_filing"),
        "issue_filing",
        w.authority,
        {},
    ),
    ("issue_filing", "A12-MANDATORY"): lambda w: (
        _cleared(w.fire(_non_fiscal(w, "infrastructure"), "submit_filing")),
        "issue_filing",
        w.authority,
        {},
    ),
    ("issue_filing", "A10-FILING-AUTHORITY"): lambda w: (
        w.fire(_non_fiscal(w), "submit_filing"),
        "issue_filing",
        fresh(w.world.city.authority_user),
        {},
    ),
    ("return_filing", "A10-FILING-AUTHORITY"): lambda w: (
        w.fire(_non_fiscal(w), "submit_filing"),
        "return_filing",
        fresh(w.world.city.authority_user),
        {"comment": "退回"},
    ),
    # 第十三条: completion, test, acceptance, delivery
    ("complete", "A13-1-COMPLETION-AFTER-START"): lambda w: (
        _construction(w),
        "complete",
        w.owner,
        {"payload": {"completed_on": "2026-04-01"}},
    ),
    ("record_test", "A13-1-TEST-PASSED"): lambda w: (
        w.fire(_construction(w), "complete", payload={"completed_on": "2026-12-20"}),
        "record_test",
        w.owner,
        {"payload": {"tester": "测评中心", "passed": False, "standards": MANDATORY_APP}},
    ),
    ("record_test", "A12-TESTED"): lambda w: (
        w.fire(_construction(w), "complete", payload={"completed_on": "2026-12-20"}),
        "record_test",
        w.owner,
        {"payload": {"tester": "测评中心", "passed": True, "standards": ["GB 17859-1999"]}},
    ),
    ("accept", "A13-1-TESTED"): _historical_failed_test,
    ("accept", "A9-2-CONDITIONS-ANSWERED"): _tested_with_open_condition,
    ("accept", "A31-1-BUILT"): lambda w: (
        _to_tested(w),
        "accept",
        w.owner,
        _accept_kw(w, security_measures_built=[]),
    ),
    ("accept", "A31-1-GRADED"): lambda w: _tested_with_ungraded_register_entry(w),
    ("accept", "A13-1-ACCEPTANCE-ORDER"): _after_failed_acceptance("accept"),
    ("fail_acceptance", "A13-1-ACCEPTANCE-ORDER"): _after_failed_acceptance("fail_acceptance"),
    ("deliver", "A13-1-ACCEPTED"): lambda w: (_to_tested(w), "deliver", w.owner, {"payload": {}}),
    ("deliver", "A31-1-RUN"): lambda w: (
        _set(w.fire(_to_tested(w), "accept", **_accept_kw(w)), security_level=None),
        "deliver",
        w.owner,
        {"payload": {}},
    ),
    # 第九条第二款: conditions; 第十四条: funds and supervision
    ("condition_answer", "A9-2-CONDITION-OPEN"): _condition_answered_twice,
    ("progress", "A14-STAGE"): lambda w: (w.create(), "progress", w.owner, {"payload": {"percent": 10}}),
    ("disbursement", "A14-STAGE"): lambda w: (
        w.create(),
        "disbursement",
        w.owner,
        {"payload": {"amount": "100.00", "purpose": "进度款"}},
    ),
    ("disbursement", "A14-FUNDS"): lambda w: (
        _construction(w),
        "disbursement",
        w.owner,
        {"payload": {"amount": "960000.00", "purpose": "进度款", "paid_on": "2026-05-01"}},
    ),
    ("disbursement", "A14-PAID-IN-ORDER"): lambda w: (
        _construction(w),
        "disbursement",
        w.owner,
        {"payload": {"amount": "1000.00", "purpose": "进度款", "paid_on": "2026-04-10"}},
    ),
    ("inspection", "A14-FISCAL"): lambda w: (_filed(w), "inspection", w.authority, {"payload": {}}),
    ("inspection", "A14-COSUPERVISORS"): lambda w: (
        _construction(w),
        "inspection",
        w.authority,
        {"payload": {"cosupervisors": [w.land.department.pk]}},
    ),
    ("rectify", "A14-FINDING-OPEN"): _rectified_twice,
    ("acceptance_filing", "A13-2-FISCAL"): lambda w: (
        _filed(w),
        "acceptance_filing",
        w.owner,
        {"payload": {"organiser": "建设单位", "participants": ["张三"], "conclusion": "合格"}},
    ),
}


def _tested_with_ungraded_register_entry(w: Walker) -> tuple[Any, str, Any, dict[str, Any]]:
    """第三十一条第一款 三同步: the register holds the system the project rebuilds, not yet graded (the
    project plans level 2 or above)."""
    from infogov.security import services as security

    p = _to_tested(w)
    security.system_register(user=fresh(w.owner), title=p.title)
    return p, "accept", w.owner, _accept_kw(w)


def _non_fiscal_without_standards(w: Walker) -> Project:
    """第十二条 on the non-fiscal track: an infrastructure project that declares no standard."""
    return _cleared(_non_fiscal(w, "infrastructure"))


def _cleared(p: Project) -> Project:
    p.standards.clear()
    return Project.objects.get(pk=p.pk)


def test_every_guard_of_the_procedures_has_a_refusal_scenario():
    expected = set()
    for wf in (PROJECT_WORKFLOW, PLAN_WORKFLOW):
        for step in [*wf.transitions.values(), *wf.records.values()]:
            expected |= {(step.name, x.code) for x in step.guards}
            expected |= {(step.name, x.code) for x in step.by if x.is_actor and not x.code.startswith("A4-")}
    missing = expected - set(SCENARIOS) - ELSEWHERE
    assert not missing, sorted(missing)


@pytest.mark.parametrize(("step", "code"), list(SCENARIOS), ids=[f"{s}-{c}" for s, c in SCENARIOS])
def test_each_guard_refuses_its_step_citing_its_article_and_writes_nothing(walker, step, code):
    case, name, user, kwargs = SCENARIOS[(step, code)](walker)
    assert name == step
    case = type(case).objects.get(pk=case.pk)
    before = (case.state, case.version, DocketEvent.objects.for_case(case).count())
    expected = NotPermitted if REGISTRY[code].is_actor else RuleViolation
    with pytest.raises(expected) as exc:
        workflow.fire(case, step, user=user, **kwargs)
    rule = REGISTRY[code]
    body = exc.value.as_body()
    listed = body.get("failures") or body.get("details") or []  # every failing rule, with its article
    failure = next((d for d in listed if d["code"] == code), None)
    if failure is None:
        assert exc.value.code == code, (code, body)
        failure = {"code": code, "article": exc.value.article}
    assert failure["article"] == rule.citation
    case.refresh_from_db()
    assert (case.state, case.version, DocketEvent.objects.for_case(case).count()) == before


def test_the_scenarios_cite_organisations_of_the_world(world):
    """(Keeps the cosupervisor scenario honest: the department it names is not a co-supervisor.)"""
    assert not Organisation.objects.get(pk=world.yongji.department.pk).cosupervision


def test_a_refusal_lists_every_failing_rule_with_its_own_article(walker):
    """第十条 scope and procedures and 第十二条 standards failing at once: the body names each rule and
    cites each article, not the first failure's only."""
    p = _non_fiscal(walker, "application", procedures_completed="")
    p.standards.clear()
    with pytest.raises(RuleViolation) as exc:
        walker.fire(Project.objects.get(pk=p.pk), "submit_filing")
    body = exc.value.as_body()
    got = {(f["code"], f["article"]) for f in body["failures"]}
    assert {("A10-SCOPE", "第十条"), ("A10-PROCEDURES", "第十条"), ("A12-MANDATORY", "第十二条")} <= got
    assert all(f["message"] for f in body["failures"])
    assert body["code"] == body["failures"][0]["code"] and body["article"] == body["failures"][0]["article"]
