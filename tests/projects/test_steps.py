"""The projects app on the Core v2 steps: every same-state action is a declared Record step (listed by
explain() with its blockers), every refusal comes from a registered rule with its article, inputs are
typed (a date stays a date, bad input is a Chinese 422 naming the field), and no refusal is built
outside rules.py."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest

from infogov.core.errors import InvalidInput, NotPermitted, RuleViolation
from infogov.core.models import DocketEvent, Obligation
from infogov.core.workflow import engine as workflow
from infogov.core.workflow.rules import REGISTRY, not_audit_admin
from infogov.core.workflow.steps import Record
from infogov.projects import rules, services
from infogov.projects.models import ProgressReport, Project, ReviewFinding
from infogov.projects.workflows import PROJECT_WORKFLOW
from tests.conftest import fresh
from tests.projects.conftest import fiscal_fields

pytestmark = pytest.mark.django_db

APP = Path(rules.__file__).parent
RECORDS = {
    "standards",
    "review_finding",
    "condition_answer",
    "outsourcing_review",
    "progress",
    "disbursement",
    "inspection",
    "rectify",
    "acceptance_filing",
    "acceptance_receipt",
    "condition_verify",
    "condition_return",
    "experts_convene",
    "expert_opinion",
    "expert_missing",
    "risk_override",
}


def non_fiscal(walker, **kw) -> Project:
    fields = fiscal_fields(
        title="企业投资网络安全态势感知中心",
        category="security",
        funding_kind="non_fiscal",
        budget_source="",
        funding_source="企业自有资金",
        procedures_completed="已办理项目备案（投资项目在线审批监管平台）",
    )
    fields.update(kw)
    return services.project_create(user=walker.owner, standards=["GB 17859-1999"], **fields)


# -- declarations ----------------------------------------------------------------------------------


def test_every_same_state_action_is_a_record_step_citing_its_article():
    assert set(PROJECT_WORKFLOW.records) == RECORDS
    for step in PROJECT_WORKFLOW.records.values():
        assert isinstance(step, Record) and step.citation, step.name
        for r in (*step.by, *step.guards):
            assert REGISTRY[r.code] is r, r.code


def test_rule_codes_read_article_paragraph_name_and_are_in_article_order():
    ours = [r for r in REGISTRY.values() if r.check.__module__.startswith(rules.__name__)]
    assert len(ours) >= 40
    for r in ours:
        assert re.fullmatch(r"A4-(A\d+(-\d+)?-)?[A-Z0-9-]+|A\d+(-\d+)?-[A-Z0-9-]+", r.code), r.code
        if not r.is_actor:
            head = r.code.split("-")[0]
            assert head == f"A{r.article}", (r.code, r.citation)
    articles = [r.article for r in ours]  # in the order rules.py declares them
    assert articles == sorted(articles)


def test_no_refusal_is_built_outside_rules_py():
    """Walk the app's source: no RuleFailure/RuleViolation/NotPermitted constructed, no rule code
    written, anywhere but rules.py (views, forms and services call the rules or let fire() refuse)."""
    code = re.compile(r"^(A\d+|P\d+|ROLE)-[A-Z0-9-]+$")
    found = []
    for path in sorted(APP.rglob("*.py")):
        if path.name.startswith("rules") or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if name in {"RuleFailure", "RuleViolation", "NotPermitted"}:
                    found.append(f"{path.name}:{node.lineno} {name}(")
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and code.match(node.value):
                found.append(f"{path.name}:{node.lineno} {node.value!r}")
    assert found == []


# -- explain() lists the records with their blockers ------------------------------------------------


def test_explain_lists_the_record_steps_with_their_blockers(walker, world):
    p = walker.include(walker.submit(walker.create()))
    as_owner = {o.name: o for o in workflow.explain(p, walker.owner)}
    as_authority = {o.name: o for o in workflow.explain(p, walker.authority)}
    finding = as_authority["review_finding"]
    assert finding.allowed and not finding.changes_state and finding.target == p.state
    assert [b.code for b in as_owner["review_finding"].blockers] == ["A4-AUTHORITY"]
    assert [b.code for b in as_owner["progress"].blockers] == ["A14-STAGE"]  # not yet in construction
    assert [b.code for b in as_authority["progress"].blockers] == ["A4-OWNER"]
    assert [b.code for b in as_owner["acceptance_filing"].blockers] == ["A13-1-ACCEPTED"]
    # a guard that reads the step's input is judged when the input is given, not in explain()
    assert as_owner["condition_answer"].allowed
    assert "inspection" not in as_authority  # only after procurement (Record(states=…))
    audit = {o.name: o for o in workflow.explain(p, fresh(world.audit_admin))}
    assert audit["review_finding"].blockers[0].code == not_audit_admin.code  # 三员分立 first


# -- each rule of the port refuses ----------------------------------------------------------------


@pytest.mark.article(4)
def test_a4_own_unit_registers_only_for_the_users_own_unit(walker, world):
    with pytest.raises(NotPermitted) as exc:
        services.project_create(user=walker.owner, owner=world.jiaohe.department, **fiscal_fields())
    assert (exc.value.code, exc.value.article) == ("A4-OWN-UNIT", "第四条第一款")
    assert not Project.objects.exists()


@pytest.mark.article(4)
def test_a4_editor_only_the_unit_or_the_authority_declares_standards(walker, world):
    p = walker.create()
    with pytest.raises(NotPermitted) as exc:
        workflow.fire(p, "standards", user=fresh(world.jiaohe.dept_user), payload={"standards": []})
    assert (exc.value.code, exc.value.article) == ("A4-EDITOR", "第四条第一款")
    p = services.project_update(project=p, user=walker.owner, changes={}, standards=["GB 17859-1999"])
    event = DocketEvent.objects.for_case(p).get(action="standards")
    assert event.citation == "第十二条"
    assert event.changes["standards"]["after"] == ["GB 17859-1999"]


@pytest.mark.article(9)
def test_a9_plan_authority_and_one_plan_a_year(walker, world):
    with pytest.raises(NotPermitted) as exc:
        services.plan_create(user=walker.owner, jurisdiction=world.yongji.jurisdiction, year=2026)
    assert (exc.value.code, exc.value.article) == ("A9-1-PLAN-AUTHORITY", "第九条第一款")
    walker.plan(2026)
    with pytest.raises(RuleViolation) as exc:
        services.plan_create(user=walker.authority, jurisdiction=world.yongji.jurisdiction, year=2026)
    assert (exc.value.code, exc.value.article) == ("A9-1-ONE-PLAN", "第九条第一款")


@pytest.mark.article(6)
def test_a6_similar_projects_are_answered_in_the_sharing_finding_only(walker):
    p = walker.include(walker.submit(walker.create()))
    hit = p.similar_hits.first()
    hits = [hit.pk] if hit else [0]
    with pytest.raises(RuleViolation) as exc:
        services.review_finding_record(
            project=p,
            user=walker.authority,
            dimension="layout",
            conclusion="meets",
            text="布局合理",
            acknowledged_hits=hits,
        )
    assert (exc.value.code, exc.value.article) == ("A9-2-ACK-IN-SHARING", "第九条第二款")
    assert not ReviewFinding.objects.filter(project=p).exists()


@pytest.mark.article(9)
def test_a9_a_conditional_finding_needs_conditions_in_the_opinion(walker):
    p = walker.findings(walker.include(walker.submit(walker.create())), conclusion="conditions")
    with pytest.raises(RuleViolation) as exc:
        walker.review(p)
    assert (exc.value.code, exc.value.article) == ("A9-2-CONDITIONS-LISTED", "第九条第二款")
    p = walker.fire(  # as the page's form sends them: one text, one deadline for all
        p,
        "review_pass",
        user=walker.authority,
        payload={"conditions": "接入市统一身份认证；数据目录报送市主管部门", "due_date": "2026-09-30"},
    )
    assert p.state == "reviewed"
    assert list(p.conditions.values_list("text", "due_date")) == [
        ("接入市统一身份认证", dt.date(2026, 9, 30)),
        ("数据目录报送市主管部门", dt.date(2026, 9, 30)),
    ]


@pytest.mark.article(11)
def test_a11_centralized_procurement_method_and_amount(walker):
    p = walker.to_reviewed()
    for method, amount in (("自行采购", "100"), ("公开招标", "0")):
        with pytest.raises(RuleViolation) as exc:
            services.project_procurement_record(
                project=Project.objects.get(pk=p.pk),
                user=walker.owner,
                method=method,
                notice_number="JLCG-1",
                supplier="某公司",
                contract_amount=amount,
            )
        assert (exc.value.code, exc.value.article) == ("A11-1-CENTRALIZED", "第十一条第一款")
    p = services.project_procurement_record(
        project=Project.objects.get(pk=p.pk),
        user=walker.owner,
        method="公开招标",  # the label reads as the method
        notice_number="JLCG-1",
        supplier="某公司",
        contract_amount="100",
        contract_date="2026-04-01",
    )
    assert (p.state, p.procurement.method, p.procurement.contract_date) == (
        "procured",
        "open_tender",
        dt.date(2026, 4, 1),
    )


@pytest.mark.article(13)
def test_a13_only_fiscal_projects_file_their_acceptance_and_only_once(walker):
    with pytest.raises(RuleViolation) as exc:
        walker.file_acceptance(non_fiscal(walker))
    assert (exc.value.code, exc.value.article) == ("A13-2-FISCAL", "第十三条第二款")
    p = walker.fire(walker.to_tested(), "accept", payload=walker.accept_payload())
    walker.file_acceptance(p)
    with pytest.raises(RuleViolation) as exc:
        walker.file_acceptance(p)
    assert (exc.value.code, exc.value.article) == ("A13-2-NOT-FILED", "第十三条第二款")


@pytest.mark.article(14)
def test_a14_inspection_is_of_fiscal_projects(walker):
    p = walker.fire(non_fiscal(walker), "submit_filing")
    p = walker.fire(walker.fire(p, "issue_filing", user=walker.authority), "start_construction")
    with pytest.raises(RuleViolation) as exc:
        services.inspection_open(project=p, user=walker.authority, summary="抽查")
    assert (exc.value.code, exc.value.article) == ("A14-FISCAL", "第十四条")


# -- typed input, act dates, one docket event with before/after -----------------------------------------


@pytest.mark.article(14)
def test_a_record_step_writes_one_docket_event_with_before_and_after(walker):
    p = walker.fire(walker.procure(walker.to_reviewed()), "start_construction")
    services.progress_report(
        project=p, user=walker.owner, percent="40", reported_on="2026-06-30", note="完成部署"
    )
    report = ProgressReport.objects.get(project=p)
    assert (report.percent, report.reported_on) == (40, dt.date(2026, 6, 30))
    event = DocketEvent.objects.for_case(p).get(action="progress")
    assert (event.action_label, event.citation, event.from_state, event.to_state) == (
        "报告建设进度",
        "第十四条",
        "construction",
        "construction",
    )
    assert event.payload == {"percent": 40, "reported_on": "2026-06-30", "note": "完成部署"}
    after = event.changes[f"progressreport#{report.pk}"]
    assert after["before"] is None and after["after"]["percent"] == 40


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"percent": "四十"}, "percent"),
        ({"percent": 101}, "percent"),
        ({"percent": 10, "reported_on": "1900-01-01"}, "reported_on"),
        ({"percent": 10, "note": "a\x00b"}, "note"),
        ({"percent": 10, "bogus": 1}, "bogus"),
    ],
)
def test_bad_input_is_a_chinese_422_naming_the_field_and_writes_nothing(walker, payload, field):
    p = walker.fire(walker.procure(walker.to_reviewed()), "start_construction")
    with pytest.raises(InvalidInput) as exc:
        workflow.fire(p, "progress", user=walker.owner, payload=payload)
    assert exc.value.status == 422 and exc.value.details[0]["field"] == field
    assert re.search(r"[\u4e00-\u9fff]", exc.value.message)
    assert not ProgressReport.objects.filter(project=p).exists()


@pytest.mark.article(14)
def test_an_inspection_dated_before_the_measures_is_historical_and_opens_no_duty(walker):
    p = walker.fire(walker.procure(walker.to_reviewed()), "start_construction")
    services.inspection_open(
        project=p,
        user=walker.authority,
        findings=[{"text": "台账不全", "due_date": "2014-12-31"}],
        opened_on=dt.date(2014, 12, 1),
    )
    event = DocketEvent.objects.for_case(p).get(action="inspection")
    assert event.payload["historical"] is True
    assert not Obligation.objects.for_case(p).filter(code__startswith="rectify-finding-").exists()
