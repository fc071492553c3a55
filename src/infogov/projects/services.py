"""Commands that change projects: thin, typed, keyword-only functions over the workflow core. A
step (a transition or a record, declared in workflows.py) is taken with ``workflow.fire`` — one
transaction: lock, actor rules, typed payload, guards, the writes, one docket event with every
change's before and after, duties (第三十四条). Views, the API, imports and the demo all come through
here; no refusal is built here (rules.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction

from infogov.core.errors import InvalidInput
from infogov.core.workflow import engine as workflow
from infogov.core.workflow.rules import RuleContext
from infogov.org.models import Organisation
from infogov.org.selectors import authority_of

from . import rules as r
from .choices import ProjectState
from .effects import set_standards
from .models import (
    AcceptanceFiling,
    AnnualConstructionPlan,
    Disbursement,
    InspectionFinding,
    OutsourcingReview,
    ProgressReport,
    Project,
    ReviewCondition,
    ReviewFinding,
    SupervisionInspection,
)
from .payloads import AcceptanceFilingIn
from .workflows import PLAN_WORKFLOW

EDITABLE_FIELDS = frozenset(
    {
        "title",
        "category",
        "funding_kind",
        "budget_source",
        "special_fund",
        "funding_source",
        "budget",
        "year",
        "content",
        "systems",
        "data_resources",
        "network",
        "hosting",
        "planned_start",
        "planned_completion",
        "plan_task_ref",
        "security_plan",
        "security_level",
        "security_measures",
        "procedures_completed",
    }
)


def _current(project: Project, expected_version: int | None = None) -> Project:
    """The project as the step should judge it: as the caller saw it when they name the version they
    saw (a change since is a conflict), else as it is now (a record added under the project is not
    a decision taken on a stale view)."""
    return project if expected_version is not None else Project.objects.get(pk=project.pk)


def _save_derived(project: Project) -> None:
    """Store what is cut from the project's text when it is saved: its search column (core.text
    .search_column of title and content) and the words of the data it will collect
    (shared_data.cut_collected, for the 不重复采集 matches) — only the columns that changed."""
    from infogov.core.text import search_column

    from . import shared_data

    derived = {
        "search_text": search_column(project.title, project.content),
        "collected_words": shared_data.cut_collected(project),
    }
    changed = [name for name, value in derived.items() if getattr(project, name) != value]
    for name in changed:
        setattr(project, name, derived[name])
    if changed:
        project.save(update_fields=changed)


# -- the register -----------------------------------------------------------------------------------


def project_create(
    *, user: Any, owner: Organisation | None = None, standards: Iterable[str] = (), **fields: Any
) -> Project:
    """Register a project as a draft of the user's organisation (its construction unit)."""
    owner = owner or user.organisation
    r.require(owner, RuleContext(user=user), r.registers_for_own_unit)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise InvalidInput("不能设置的字段：" + "、".join(sorted(unknown)), code="readonly_field")
    with transaction.atomic():
        project = workflow.create(Project, user=user, owner=owner, jurisdiction=owner.jurisdiction, **fields)
        _save_derived(project)
        if standards:
            set_standards(project, list(standards))
    return project


def project_update(
    *,
    project: Project,
    user: Any,
    changes: dict[str, Any],
    standards: list[str] | None = None,
    comment: str = "",
    expected_version: int | None = None,
) -> Project:
    """Edit a project's content while it is a draft (after submission, the submitted version stands);
    a change of the declared standards is the step 声明执行标准 (第十二条)."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise InvalidInput("不能修改的字段：" + "、".join(sorted(unknown)), code="readonly_field")
    with transaction.atomic():
        project = workflow.edit(
            project,
            user=user,
            changes=changes,
            comment=comment,
            expected_version=expected_version,
            allowed_states=[ProjectState.DRAFT],
        )
        if standards is not None:
            before = sorted(project.standards.values_list("code", flat=True))
            if before != sorted(set(standards)):
                project = workflow.fire(
                    project, "standards", user=user, payload={"standards": list(standards)}
                )
        _save_derived(project)
    return project


def project_fire(
    *,
    project: Project,
    user: Any,
    name: str,
    comment: str = "",
    payload: dict[str, Any] | None = None,
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> Project:
    """Any declared step (the API and the pages use this for the generic transitions)."""
    return workflow.fire(
        project,
        name,
        user=user,
        comment=comment,
        payload=payload,
        expected_version=expected_version,
        today=today,
    )


# -- 第九条: annual plan, review -----------------------------------------------------------------------


def plan_create(*, user: Any, jurisdiction: Any, year: int, title: str = "") -> AnnualConstructionPlan:
    """Open the jurisdiction's annual construction plan for `year` (第九条第一款)."""
    r.require(
        jurisdiction,
        RuleContext(user=user, payload={"year": year}),
        r.plans_for_own_jurisdiction,
        r.no_plan_yet,
    )
    return workflow.create(
        AnnualConstructionPlan,
        user=user,
        owner=authority_of(jurisdiction),
        jurisdiction=jurisdiction,
        year=year,
        title=title or f"{jurisdiction}{year}年信息化工程项目建设年度计划",
    )


def plan_fire(
    *,
    plan: AnnualConstructionPlan,
    user: Any,
    name: str,
    comment: str = "",
    expected_version: int | None = None,
) -> AnnualConstructionPlan:
    PLAN_WORKFLOW.get(name)
    return workflow.fire(plan, name, user=user, comment=comment, expected_version=expected_version)


def project_include_in_plan(
    *, project: Project, user: Any, plan: AnnualConstructionPlan, expected_version: int | None = None
) -> Project:
    return workflow.fire(
        project, "include_in_plan", user=user, payload={"plan_id": plan.pk}, expected_version=expected_version
    )


def review_finding_record(
    *,
    project: Project,
    user: Any,
    dimension: str,
    conclusion: str,
    text: str,
    acknowledged_hits: Iterable[int] = (),
    expected_version: int | None = None,
) -> ReviewFinding:
    """One dimension's finding (第九条第二款). The resource-sharing finding answers the similar
    projects found at submission (第六条): each one listed in `acknowledged_hits` is marked answered."""
    project = workflow.fire(
        _current(project, expected_version),
        "review_finding",
        user=user,
        payload={
            "dimension": dimension,
            "conclusion": conclusion,
            "text": text,
            "acknowledged_hits": list(acknowledged_hits),
        },
        expected_version=expected_version,
    )
    return ReviewFinding.objects.filter(project=project).order_by("-recorded_at", "-pk")[
        0
    ]  # the one just written


def project_review_decide(
    *,
    project: Project,
    user: Any,
    passed: bool,
    conditions: Iterable[Any] = (),
    comment: str = "",
    expected_version: int | None = None,
    decided_on: dt.date | None = None,
) -> Project:
    """审查意见: pass (with conditions, if any) or fail — one decision, the first one wins."""
    if passed:
        return workflow.fire(
            project,
            "review_pass",
            user=user,
            comment=comment,
            payload={"conditions": list(conditions), "decided_on": decided_on},
            expected_version=expected_version,
        )
    return workflow.fire(
        project, "review_fail", user=user, comment=comment, expected_version=expected_version
    )


def review_condition_answer(*, condition: ReviewCondition, user: Any, answer: str) -> ReviewCondition:
    """The construction unit reports how a condition was met; the last answer fulfils the duty to
    meet the conditions (第九条第二款)."""
    workflow.fire(
        Project.objects.get(pk=condition.project_id),
        "condition_answer",
        user=user,
        comment=answer,
        payload={"condition_id": condition.pk, "answer": answer},
    )
    return ReviewCondition.objects.get(pk=condition.pk)


# -- 第十一条: outsourcing review and procurement -------------------------------------------------------


def outsourcing_review_record(
    *, project: Project, user: Any, approved: bool, opinion: str
) -> OutsourcingReview:
    """第十一条第二款: the authority reviews a fiscal IT-service outsourcing project before procurement."""
    project = workflow.fire(
        _current(project),
        "outsourcing_review",
        user=user,
        comment=opinion,
        payload={"approved": approved, "opinion": opinion},
    )
    return OutsourcingReview.objects.get(project=project)


def project_procurement_record(
    *,
    project: Project,
    user: Any,
    method: str,
    notice_number: str,
    supplier: str,
    contract_amount: Decimal | str,
    contract_date: dt.date | str | None = None,
    expected_version: int | None = None,
) -> Project:
    payload = {
        "method": method,
        "notice_number": notice_number,
        "supplier": supplier,
        "contract_amount": contract_amount,
        "contract_date": contract_date,
    }
    return workflow.fire(
        project, "record_procurement", user=user, payload=payload, expected_version=expected_version
    )


# -- 第十四条: progress, funds, supervision -------------------------------------------------------------


def progress_report(
    *, project: Project, user: Any, percent: int | str, reported_on: dt.date | None = None, note: str = ""
) -> ProgressReport:
    workflow.fire(
        _current(project),
        "progress",
        user=user,
        comment=note,
        payload={"percent": percent, "reported_on": reported_on, "note": note},
    )
    return ProgressReport.objects.filter(project=project).order_by("-id").first()  # type: ignore[return-value]


def disbursement_record(
    *, project: Project, user: Any, amount: Decimal | str, purpose: str, paid_on: dt.date | str | None = None
) -> Disbursement:
    workflow.fire(
        _current(project),
        "disbursement",
        user=user,
        comment=purpose,
        payload={"amount": amount, "purpose": purpose, "paid_on": paid_on},
    )
    return Disbursement.objects.filter(project=project).order_by("-id").first()  # type: ignore[return-value]


def inspection_open(
    *,
    project: Project,
    user: Any,
    cosupervisors: Iterable[Organisation | int] = (),
    summary: str = "",
    findings: Iterable[dict[str, Any]] = (),
    opened_on: dt.date | None = None,
) -> SupervisionInspection:
    """第十四条: the authority, with DRC, finance and audit, inspects completion and the use of funds;
    each finding is an obligation of the construction unit to rectify by its deadline."""
    payload = {
        "cosupervisors": [o if isinstance(o, int) else o.pk for o in cosupervisors],
        "summary": summary,
        "findings": list(findings),
        "opened_on": opened_on,
    }
    project = workflow.fire(_current(project), "inspection", user=user, comment=summary, payload=payload)
    inspection = SupervisionInspection.objects.filter(project=project).order_by("-id").first()
    assert inspection is not None
    return inspection


def finding_rectify(*, finding: InspectionFinding, user: Any, rectification: str) -> InspectionFinding:
    """The construction unit reports how an inspection finding was rectified (第十四条)."""
    workflow.fire(
        Project.objects.get(pk=finding.project_id),
        "rectify",
        user=user,
        comment=rectification,
        payload={"finding_id": finding.pk, "rectification": rectification},
    )
    return InspectionFinding.objects.get(pk=finding.pk)


def risk_override(
    *, project: Project, user: Any, level: int | None, reason: str, expected_version: int | None = None
) -> Project:
    """The authority sets (or clears, with level None) the risk rating, with a written reason."""
    return workflow.fire(
        _current(project, expected_version),
        "risk_override",
        user=user,
        comment=reason,
        payload={"level": level, "reason": reason},
        expected_version=expected_version,
    )


# -- 第十三条: acceptance filing ------------------------------------------------------------------------


def acceptance_file(
    *,
    project: Project,
    user: Any,
    report: dict[str, Any] | AcceptanceFilingIn,
    expected_version: int | None = None,
) -> AcceptanceFiling:
    """第十三条第二款: a fiscal project's acceptance result is filed with the authority, with the
    acceptance report's summary and files (``report``: the fields of payloads.AcceptanceFilingIn)."""
    project = workflow.fire(
        _current(project, expected_version), "acceptance_filing", user=user, payload=report
    )
    return AcceptanceFiling.objects.get(project=project)


def acceptance_receive(*, project: Project, user: Any, note: str = "") -> AcceptanceFiling:
    """第十三条第二款: the authority confirms it received the filing; the filing gets its 备案号."""
    project = workflow.fire(_current(project), "acceptance_receipt", user=user, comment=note)
    return AcceptanceFiling.objects.get(project=project)


# -- 第九条第二款: conditions verified, experts convened ----------------------------------------------------


def review_condition_verify(*, condition: ReviewCondition, user: Any, comment: str = "") -> ReviewCondition:
    """The authority verifies that an answered condition is met: only then does it count as 已落实."""
    workflow.fire(
        Project.objects.get(pk=condition.project_id),
        "condition_verify",
        user=user,
        comment=comment,
        payload={"condition_id": condition.pk},
    )
    return ReviewCondition.objects.get(pk=condition.pk)


def review_condition_return(*, condition: ReviewCondition, user: Any, reason: str) -> ReviewCondition:
    """The authority returns an answered condition with the reason: the construction unit answers again."""
    workflow.fire(
        Project.objects.get(pk=condition.project_id),
        "condition_return",
        user=user,
        comment=reason,
        payload={"condition_id": condition.pk, "reason": reason},
    )
    return ReviewCondition.objects.get(pk=condition.pk)


def experts_convene(
    *, project: Project, user: Any, experts: Iterable[Any], due_date: dt.date | None = None
) -> Project:
    """邀请专家评审 (第九条第二款): pool experts, none of the construction unit, each with a due date."""
    payload = {"experts": [e.pk for e in experts], "due_date": due_date}
    return workflow.fire(_current(project), "experts_convene", user=user, payload=payload)


def expert_opinion_give(*, project: Project, user: Any, opinion: dict[str, Any]) -> Project:
    """An assigned expert's opinion on the four dimensions (payloads.ExpertOpinionIn)."""
    return workflow.fire(_current(project), "expert_opinion", user=user, payload=opinion)
