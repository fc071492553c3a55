"""The effects of a project's decisions as documents, in the same transaction as their step (see
effects.py for the conventions): document numbers on approvals and filings (批准文号, 备案号:
core.docnumbers),
the experts convened for a review and their opinions (第九条第二款), the conditions of a conditional pass
verified or returned by the authority (第九条第二款), the acceptance report filed and the authority's receipt
(第十三条第二款)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from infogov.core import docnumbers
from infogov.core.docnumbers import DocumentKind
from infogov.core.errors import InvalidInput, NotFound
from infogov.core.models import Attachment
from infogov.core.workflow import experts as core_experts
from infogov.core.workflow.obligations import Duty
from infogov.core.workflow.steps import StepContext
from infogov.org.selectors import authority_of, government_of

from . import rules as r
from .choices import ConditionStatus
from .deadlines import CONDITION_REANSWER_DAYS, CONDITION_VERIFY_DAYS, EXPERT_REVIEW_DAYS, days_after
from .models import AcceptanceFiling, AnnualConstructionPlan, Project, ProjectExpertReview, ReviewCondition

EXPERT_REVIEW = "project_review"  # the purpose of a project's expert assignments (core.CaseAssignment)


def _day(step: StepContext) -> dt.date:
    return step.act_date or step.today or timezone.localdate()


def _due(day: dt.date) -> Any:
    def due(case: Any, today: dt.date) -> dt.date:
        return day

    return due


# -- document numbers ----------------------------------------------------------------------------------


def number_plan_approval(plan: AnnualConstructionPlan, step: StepContext) -> None:
    """批准文号 of the annual construction plan, issued by 本级人民政府（管委会）(第九条第一款)."""
    plan.approval_number = docnumbers.allocate(
        government_of(plan.jurisdiction), DocumentKind.APPROVAL, _day(step)
    )


def number_review_approval(project: Project, step: StepContext) -> None:
    """批准文号 of the authority's 审查意见 passing the project (第九条第二款)."""
    number = docnumbers.allocate(authority_of(project.jurisdiction), DocumentKind.APPROVAL, _day(step))
    step.update(project.review, approval_number=number)


def number_filing(project: Project, step: StepContext) -> None:
    """备案号 of a non-fiscal project filing, given by the city or county(-level city) authority (第十条)"""
    issuer = authority_of(r.filing_jurisdiction(project))
    project.filing_number = docnumbers.allocate(issuer, DocumentKind.FILING, _day(step))


# -- 第九条第二款: experts convened for the review --------------------------------------------------------


def convene_experts(project: Project, step: StepContext) -> None:
    """Invite pool experts: each gets an assignment (they see the project and may give an opinion) and a
    seat for their opinion, due by the date given or the platform's default."""
    given = step.input
    due = given.due_date or days_after(EXPERT_REVIEW_DAYS, _day(step))
    for a in core_experts.assign(step, project, given.experts, purpose=EXPERT_REVIEW, due_date=due):
        step.create(
            ProjectExpertReview,
            project=project,
            expert_id=a.user_id,
            due_date=due,
            assigned_by=step.user,
            assigned_at=timezone.now(),
        )


def _seat(project: Project, user_id: int) -> ProjectExpertReview:
    seat = project.expert_reviews.select_for_update().filter(expert_id=user_id).first()
    if seat is None:
        raise NotFound()
    return seat


def give_expert_opinion(project: Project, step: StepContext) -> None:
    given = step.input
    fields = {name: getattr(given, name) for name in type(given).model_fields}
    step.update(_seat(project, step.user.pk), **fields, submitted_at=timezone.now())


def note_expert_missing(project: Project, step: StepContext) -> None:
    step.update(_seat(project, step.input.expert_id), missing_reason=step.input.reason)


def cite_expert_opinions(project: Project, step: StepContext) -> dict[str, Any] | None:
    """The authority's 审查意见 cites every expert opinion given (第九条第二款)."""
    seats = list(project.expert_reviews.select_related("expert").order_by("pk"))
    if not seats:
        return None
    given = [s for s in seats if s.submitted_at is not None]
    project.review.expert_reviews.set(given)
    cited = [{"id": s.pk, "expert": s.expert.display_name} for s in given]
    missing = [
        {"expert": s.expert.display_name, "reason": s.missing_reason} for s in seats if s.submitted_at is None
    ]
    return {"expert_opinions_cited": {"before": None, "after": {"cited": cited, "missing": missing}}}


# -- 第九条第二款: conditions answered, verified or returned ----------------------------------------------


def _condition(project: Project, condition_id: int) -> ReviewCondition:
    condition = project.conditions.select_for_update().filter(pk=condition_id).first()
    if condition is None:
        raise NotFound()
    return condition


def answer_condition(project: Project, step: StepContext) -> None:
    """The construction unit reports how a condition is met: the authority now owes its verification; the
    duty to meet the conditions is fulfilled once none waits for an answer."""
    condition = _condition(project, step.input.condition_id)
    was_returned = condition.status == ConditionStatus.RETURNED
    step.update(
        condition, answer=step.input.answer, answered_at=timezone.now(), status=ConditionStatus.ANSWERED
    )
    if was_returned:
        step.close_duty(condition.obligation_code)
    step.open_duty(
        Duty(
            condition.verify_code,
            f"核实审查条件的落实情况：{condition.text[:60]}",
            "第九条第二款",
            owed_by=lambda p: authority_of(p.jurisdiction),
            owed_to=lambda p: p.owner,
            due=_due(days_after(CONDITION_VERIFY_DAYS, _day(step))),
        )
    )
    waiting = (ConditionStatus.OPEN, ConditionStatus.RETURNED)
    if not project.conditions.filter(status__in=waiting).exclude(pk=condition.pk).exists():
        step.close_duty("review-conditions")


def verify_condition(project: Project, step: StepContext) -> None:
    condition = _condition(project, step.input.condition_id)
    step.update(condition, status=ConditionStatus.VERIFIED, verified_by=step.user, verified_at=timezone.now())
    step.close_duty(condition.verify_code)


def return_condition(project: Project, step: StepContext) -> None:
    """Not met as answered: back to the construction unit with the reason, to meet and answer again."""
    condition = _condition(project, step.input.condition_id)
    step.update(condition, status=ConditionStatus.RETURNED, return_reason=step.input.reason)
    step.close_duty(condition.verify_code)
    step.open_duty(
        Duty(
            condition.obligation_code,
            f"重新落实被退回的审查条件：{condition.text[:60]}",
            "第九条第二款",
            owed_by=lambda p: p.owner,
            owed_to=lambda p: authority_of(p.jurisdiction),
            due=_due(days_after(CONDITION_REANSWER_DAYS, _day(step))),
        )
    )


# -- 第十三条第二款: the acceptance report filed, and received ---------------------------------------------


def file_acceptance(project: Project, step: StepContext) -> dict[str, Any]:
    """The acceptance result filed with its report: the summary typed and the report's files, which must be
    attachments of this project (each named with its SHA-256 in the docket)."""
    given = step.input
    wanted = list(dict.fromkeys(given.attachments))
    files = list(Attachment.objects.for_case(project).filter(pk__in=wanted).order_by("pk"))
    if len(files) != len(wanted):
        raise InvalidInput(
            "所选的验收报告附件不属于本项目",
            code="invalid_attachment",
            details=[{"loc": ["attachments"], "msg": "所选的附件不属于本项目"}],
        )
    filing = step.create(
        AcceptanceFiling,
        project=project,
        acceptance=r.latest_acceptance(project),  # the result A13-1-ACCEPTED judged, by record order
        filed_by=step.user,
        report_date=given.report_date,
        organiser=given.organiser,
        participants=list(given.participants),
        conclusion=given.conclusion,
        issues=given.issues,
    )
    filing.attachments.set(files)
    return {
        "attachments": {
            "before": None,
            "after": [{"id": a.pk, "name": a.name, "sha256": a.sha256} for a in files],
        }
    }


def receive_acceptance_filing(project: Project, step: StepContext) -> None:
    """The authority confirms receipt and gives the filing its 备案号."""
    filing = AcceptanceFiling.objects.select_for_update().get(project=project)
    issuer = authority_of(project.jurisdiction)
    step.update(
        filing,
        received_at=timezone.now(),
        received_by=step.user,
        receipt_number=docnumbers.allocate(issuer, DocumentKind.FILING, _day(step)),
        receipt_note=step.comment,
    )
