"""The procedures of an informatization project and of the annual construction plan, as declared
transitions: who acts (第四条), which rules guard each step (with their articles), which duties
each step opens or closes. Read beside rules.py and the regulation.

Fiscal projects (第九、十一、十三、十四条):
    草稿 → 已申报 → 已列入年度计划 → 审查通过 / 审查未通过 → 已完成采购 → 建设中
    → 已竣工 → 已测试 → 验收合格 → 已交付使用
Non-fiscal projects (第十条):
    草稿 → 备案审核中 → 已备案 (or back to 草稿 with reasons) → 建设中 → … → 已交付使用
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from infogov.core.errors import RuleViolation
from infogov.core.workflow.engine import StepContext, Transition, Workflow
from infogov.core.workflow.obligations import Duty, days
from infogov.core.workflow.permissions import register_case_permissions
from infogov.core.workflow.rules import RuleFailure, acts_as_competent_authority, acts_for_owner
from infogov.org.selectors import authority_of

from . import payloads as P
from . import rules as r
from .choices import FindingConclusion, ReviewOpinion
from .choices import PlanState as PS
from .choices import ProjectState as S
from .models import (
    Acceptance,
    AnnualConstructionPlan,
    InformationSystem,
    ProcurementRecord,
    Project,
    ProjectReview,
    ReviewCondition,
    TestReport,
)


def acceptance_apply_days() -> int:
    """Days after completion by which the construction unit applies for acceptance (default six months)."""
    return int(getattr(settings, "PROJECTS_ACCEPTANCE_APPLY_DAYS", 183))


def acceptance_filing_days() -> int:
    return int(getattr(settings, "PROJECTS_ACCEPTANCE_FILING_DAYS", 30))


def _date(value: Any, default: dt.date) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value) if value else default


# -- effects: the records a step writes, in the same transaction as the state change -----------------


def _record_similar(project: Project, step: StepContext) -> dict[str, Any]:
    from .similarity import record_similar

    hits = record_similar(project)
    step.payload["similar"] = [{"ref": h.other_label, "score": round(h.score, 3)} for h in hits]
    return {}


def _include_in_plan(project: Project, step: StepContext) -> dict[str, Any]:
    P.normalise(step.payload, P.clean_plan(step.payload))
    before = project.annual_plan_id
    project.annual_plan = AnnualConstructionPlan.objects.get(pk=step.payload["plan_id"])
    return {"annual_plan": {"before": before, "after": project.annual_plan_id}}


def _review_decision(opinion: str) -> Any:
    def effect(project: Project, step: StepContext) -> dict[str, Any]:
        P.normalise(step.payload, P.clean_review(step.payload))
        conditions = step.payload["conditions"]
        if (
            opinion == ReviewOpinion.PASS
            and not conditions
            and project.findings.filter(conclusion=FindingConclusion.CONDITIONS).exists()
        ):
            rule_ = r.findings_allow_pass
            raise RuleViolation(
                [
                    RuleFailure(
                        rule_.code, rule_.citation, "有评审意见为“有条件符合”，须在审查意见中列明整改条件"
                    )
                ]
            )
        actual = ReviewOpinion.CONDITIONAL if opinion == ReviewOpinion.PASS and conditions else opinion
        ProjectReview.objects.update_or_create(
            project=project,
            defaults={
                "opinion": actual,
                "comment": step.comment,
                "decided_by": step.user,
                "decided_at": timezone.now(),
            },
        )
        today = timezone.localdate()
        for c in conditions:
            ReviewCondition.objects.create(
                project=project,
                text=c["text"],
                due_date=_date(c.get("due_date"), today + dt.timedelta(days=60)),
            )
        step.payload["opinion"] = str(actual)
        return {}

    return effect


def _record_procurement(project: Project, step: StepContext) -> dict[str, Any]:
    P.normalise(step.payload, P.clean_procurement(step.payload))
    p = step.payload
    ProcurementRecord.objects.create(
        project=project,
        method=p["method"],
        notice_number=p["notice_number"],
        supplier=p["supplier"],
        contract_amount=Decimal(str(p["contract_amount"])),
        contract_date=_date(p.get("contract_date"), timezone.localdate()),
    )
    return {}


def _issue_filing_number(project: Project, step: StepContext) -> dict[str, Any]:
    j = r.filing_jurisdiction(project)
    project.filing_number = f"备{j.code}-{project.year}-{project.pk:05d}"
    step.payload["filing_number"] = project.filing_number
    return {"filing_number": {"before": "", "after": project.filing_number}}


def _complete(project: Project, step: StepContext) -> dict[str, Any]:
    P.normalise(step.payload, P.clean_complete(step.payload))
    before = project.completed_on
    project.completed_on = _date(step.payload.get("completed_on"), timezone.localdate())
    return {"completed_on": {"before": before, "after": project.completed_on}}


def _record_test(project: Project, step: StepContext) -> dict[str, Any]:
    P.normalise(step.payload, P.clean_test(step.payload))
    p = step.payload
    TestReport.objects.create(
        project=project,
        tester=p.get("tester", ""),
        tested_on=_date(p.get("tested_on"), timezone.localdate()),
        passed=bool(p.get("passed")),
        standards=list(p.get("standards") or []),
        summary=p.get("summary", ""),
    )
    return {}


def _record_acceptance(passed: bool) -> Any:
    def effect(project: Project, step: StepContext) -> dict[str, Any]:
        P.normalise(step.payload, P.clean_acceptance(step.payload))
        p = step.payload
        Acceptance.objects.create(
            project=project,
            held_on=_date(p.get("held_on"), timezone.localdate()),
            committee=list(p.get("committee") or []),
            passed=passed,
            opinion=step.comment,
            security_measures_built=list(p.get("security_measures_built") or []),
            security_evidence=p.get("security_evidence", ""),
        )
        return {}

    return effect


def _register_system(project: Project, step: StepContext) -> dict[str, Any]:
    """同步运行: the delivered system enters the security register with its protection level."""
    P.normalise(step.payload, P.clean_deliver(step.payload))
    level = int(step.payload.get("protection_level") or project.security_level or 1)
    name = step.payload.get("system_name") or project.title
    system, created = InformationSystem.objects.update_or_create(
        owner_id=project.owner_id,
        name=name,
        defaults={
            "jurisdiction_id": project.jurisdiction_id,
            "protection_level": level,
            "description": project.content,
            "source_project": project,
            "in_service_since": timezone.localdate(),
        },
    )
    step.payload["information_system"] = {
        "id": system.pk,
        "name": system.name,
        "protection_level": level,
        "created": created,
    }
    return {}


# -- duties ------------------------------------------------------------------------------------------------


def _owner(p: Project) -> Any:
    return p.owner


def _authority(p: Project) -> Any:
    return authority_of(p.jurisdiction)


ACCEPTANCE_APPLY = Duty(
    "acceptance-apply",
    "竣工后申请验收",
    "第十三条第一款",
    owed_by=_owner,
    owed_to=_authority,
    due=lambda p, today: (p.completed_on or today) + dt.timedelta(days=acceptance_apply_days()),
)
ACCEPTANCE_FILING = Duty(
    "acceptance-filing",
    "验收结果报信息化主管部门备案",
    "第十三条第二款",
    owed_by=_owner,
    owed_to=_authority,
    due=lambda p, today: today + dt.timedelta(days=acceptance_filing_days()),
    when=lambda p: p.is_fiscal,
)
REVIEW_CONDITIONS = Duty(
    "review-conditions",
    "落实审查意见所附条件",
    "第九条第二款",
    owed_by=_owner,
    owed_to=_authority,
    due=lambda p, today: max(
        (c.due_date for c in p.conditions.filter(answered_at__isnull=True)), default=today
    ),
    when=lambda p: p.conditions.filter(answered_at__isnull=True).exists(),
)
REVIEW_DUTY = Duty(
    "project-review",
    "评审已列入年度计划的项目",
    "第九条第二款",
    owed_by=_authority,
    owed_to=_owner,
    due=days(60),
)

owner = (acts_for_owner,)
authority = (acts_as_competent_authority,)

PROJECT_TRANSITIONS = [
    Transition(
        "submit",
        S.DRAFT,
        S.PROPOSED,
        "申报列入年度计划",
        by=owner,
        guards=(r.is_fiscal_project, r.funding_declared),
        citation="第九条第一款",
        effects=(_record_similar,),
    ),
    Transition(
        "return_proposal",
        S.PROPOSED,
        S.DRAFT,
        "退回申报",
        by=authority,
        citation="第九条第一款",
        comment_required=True,
        style="secondary",
    ),
    Transition(
        "include_in_plan",
        S.PROPOSED,
        S.PLANNED,
        "列入年度计划",
        by=authority,
        guards=(r.is_fiscal_project, r.plan_open_for_inclusion),
        citation="第九条第一款",
        effects=(_include_in_plan,),
        opens=(REVIEW_DUTY,),
    ),
    Transition(
        "review_pass",
        S.PLANNED,
        S.REVIEWED,
        "审查通过",
        by=authority,
        guards=(
            r.plan_approved,
            r.four_dimensions_reviewed,
            r.findings_allow_pass,
            r.security_planned,
            r.mandatory_standards_declared,
            r.duplicates_acknowledged,
        ),
        citation="第九条第二款",
        effects=(_review_decision(ReviewOpinion.PASS),),
        opens=(REVIEW_CONDITIONS,),
        closes=("project-review",),
        confirm="审查意见作出后记入案卷且不可撤销，确定通过吗？",
    ),
    Transition(
        "review_fail",
        S.PLANNED,
        S.REJECTED,
        "审查不通过",
        by=authority,
        guards=(r.plan_approved, r.four_dimensions_reviewed),
        citation="第九条第二款",
        effects=(_review_decision(ReviewOpinion.FAIL),),
        closes=("project-review",),
        comment_required=True,
        style="danger",
    ),
    Transition(
        "record_procurement",
        (S.PLANNED, S.REVIEWED),
        S.PROCURED,
        "录入政府采购结果",
        by=owner,
        guards=(r.review_passed, r.outsourcing_reviewed, r.centralized_procurement, r.contract_within_budget),
        citation="第十一条第一款",
        effects=(_record_procurement,),
    ),
    Transition(
        "submit_filing",
        S.DRAFT,
        S.FILING,
        "报送备案",
        by=owner,
        guards=(r.is_non_fiscal_project, r.funding_declared, r.procedures_completed),
        citation="第十条",
        effects=(_record_similar,),
    ),
    Transition(
        "issue_filing",
        S.FILING,
        S.FILED,
        "予以备案",
        by=(r.acts_as_filing_authority,),
        guards=(r.filing_complete,),
        citation="第十条",
        effects=(_issue_filing_number,),
    ),
    Transition(
        "return_filing",
        S.FILING,
        S.DRAFT,
        "退回备案",
        by=(r.acts_as_filing_authority,),
        citation="第十条",
        comment_required=True,
        style="secondary",
    ),
    Transition(
        "start_construction",
        (S.PROCURED, S.FILED),
        S.CONSTRUCTION,
        "开工建设",
        by=owner,
        citation="第九条第二款",
    ),
    Transition(
        "complete",
        S.CONSTRUCTION,
        S.COMPLETED,
        "竣工",
        by=owner,
        citation="第十三条第一款",
        effects=(_complete,),
        opens=(ACCEPTANCE_APPLY,),
    ),
    Transition(
        "record_test",
        S.COMPLETED,
        S.TESTED,
        "录入测试报告",
        by=owner,
        guards=(r.test_passed, r.mandatory_standards_tested),
        citation="第十三条第一款",
        effects=(_record_test,),
    ),
    Transition(
        "accept",
        S.TESTED,
        S.ACCEPTED,
        "验收合格",
        by=owner,
        guards=(
            r.has_passed_test,
            r.review_conditions_answered,
            r.security_built,
            r.acceptance_not_backdated,
        ),
        citation="第十三条第一款",
        effects=(_record_acceptance(True),),
        opens=(ACCEPTANCE_FILING,),
        closes=("acceptance-apply",),
    ),
    Transition(
        "fail_acceptance",
        S.TESTED,
        S.COMPLETED,
        "验收不合格",
        by=owner,
        guards=(r.acceptance_not_backdated,),
        citation="第十三条第一款",
        effects=(_record_acceptance(False),),
        comment_required=True,
        style="danger",
    ),
    Transition(
        "deliver",
        (S.TESTED, S.ACCEPTED),
        S.DELIVERED,
        "交付使用",
        by=owner,
        guards=(r.acceptance_passed, r.security_level_for_operation),
        citation="第十三条第一款",
        effects=(_register_system,),
        confirm="交付后将登记信息系统并同步运行安全保障，确定交付吗？",
    ),
]

PROJECT_WORKFLOW = Workflow(
    Project, states=S, initial=S.DRAFT, transitions=PROJECT_TRANSITIONS, title="信息化工程项目"
)

PLAN_WORKFLOW = Workflow(
    AnnualConstructionPlan,
    states=PS,
    initial=PS.DRAFTING,
    title="年度建设计划",
    transitions=[
        Transition(
            "submit_plan",
            PS.DRAFTING,
            PS.SUBMITTED,
            "报本级人民政府批准",
            by=authority,
            guards=(r.plan_has_projects,),
            citation="第九条第一款",
        ),
        Transition(
            "approve_plan",
            PS.SUBMITTED,
            PS.APPROVED,
            "批准年度计划",
            by=(r.acts_as_plan_government,),
            citation="第九条第一款",
            confirm="批准后计划内项目即可进入评审，确定批准吗？",
        ),
        Transition(
            "return_plan",
            PS.SUBMITTED,
            PS.DRAFTING,
            "退回修改",
            by=(r.acts_as_plan_government,),
            citation="第九条第一款",
            comment_required=True,
            style="secondary",
        ),
    ],
)

WORKFLOW = PROJECT_WORKFLOW

register_case_permissions(Project)
register_case_permissions(AnnualConstructionPlan)
